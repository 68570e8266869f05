"""Toolchain installation: what is missing is found with the real dpkg and npm, installs go through
the real package managers, and every language's toolchain is present after scripts/test-setup.sh."""

from __future__ import annotations

import os
import pwd
import subprocess

import pytest
from helpers import cli

from nl2code.errors import ConfigError, ExecutionError
from nl2code.execution import toolchains as tc

AS_ROOT = os.geteuid() == 0
INSTALLABLE = [name for name, chain in tc.TOOLCHAINS.items() if not chain.path_only]


def test_every_language_name_and_code_resolves_to_one_toolchain():
    assert tc.canonical("cs") == tc.canonical("C#") == tc.canonical("csharp") == "csharp"
    assert tc.canonical("rs") == "rust" and tc.canonical("ts") == "typescript" and tc.canonical("rkt") == "racket"
    for code in ("cpp", "cs", "d", "go", "java", "js", "lua", "php", "pl", "py", "r", "rb", "rkt", "rs", "scala", "sh", "ts", "jl", "swift"):
        assert tc.canonical(code) in tc.TOOLCHAINS, code
    with pytest.raises(ConfigError, match="unknown language 'cobol'.*csharp"):
        tc.canonical("cobol")


def test_the_seventeen_multipl_e_languages_and_kotlin_are_installable():
    assert len(INSTALLABLE) == 18  # 17 MultiPL-E languages + Kotlin (MBXP)
    assert {"julia", "swift"} == {n for n, c in tc.TOOLCHAINS.items() if c.path_only}
    packages = {p.name for c in tc.TOOLCHAINS.values() for p in c.apt}
    # what the benchmarks' tests import, beyond the compilers
    assert {"libboost-dev", "libssl-dev", "golang-github-stretchr-testify-dev", "libjavatuples-java", "lua-unit", "libtest-deep-perl"} <= packages
    assert "swift" not in packages  # Debian's swift is OpenStack's object store
    assert {p.name for c in tc.TOOLCHAINS.values() for p in c.npm} == {"lodash", "typescript"}


@pytest.mark.skipif(not AS_ROOT, reason="scripts/test-setup.sh installs the toolchains only as root")
def test_after_test_setup_nothing_is_missing_and_each_toolchain_reports_its_version():
    todo = tc.plan(())
    assert todo.empty, f"missing: apt {todo.apt}, npm {todo.npm}"
    found = tc.versions(INSTALLABLE)
    assert not [name for name, v in found.items() if not v], found
    expected = {
        "cpp": "g++", "go": "go1.", "java": "javac", "d": "LDC", "csharp": "Mono", "scala": "Scala",
        "rust": "rustc", "typescript": "5.9.3", "javascript": "v", "lua": "Lua 5.3", "racket": "Racket",
    }
    for name, text in expected.items():
        assert text in found[name], (name, found[name])


def test_a_missing_package_is_found_and_installing_it_fails_with_the_command_named(monkeypatch):
    fake_npm = tc.NpmPackage("nl2code-no-such-package-for-tests", "0.0.1")
    monkeypatch.setitem(tc.TOOLCHAINS, "fake", tc.Toolchain(tc.apt("bash"), (fake_npm,), ("bash",)))
    todo = tc.plan(["fake"])
    assert todo.apt == [] and todo.npm == [fake_npm.spec]  # bash is there; the npm package is not
    assert tc.commands(todo) == [["npm", "install", "--global", "--no-audit", "--no-fund", fake_npm.spec]]
    if not AS_ROOT or tc.npm_root() is None:
        pytest.skip("npm's global directory is not writable here")
    with pytest.raises(ExecutionError, match="npm install --global .*nl2code-no-such-package-for-tests.*failed"):
        tc.install(todo, runner=lambda argv: subprocess.run(list(argv), capture_output=True, check=False).returncode)


def test_missing_apt_packages_are_found_with_dpkg(monkeypatch):
    monkeypatch.setitem(tc.TOOLCHAINS, "fake", tc.Toolchain(tc.apt("bash", "nl2code-no-such-deb"), executables=("bash",)))
    todo = tc.plan(["fake"])
    assert todo.apt == ["nl2code-no-such-deb"]
    assert tc.commands(todo)[0] == ["apt-get", "update", "-q"]
    assert tc.commands(todo)[1][-1] == "nl2code-no-such-deb" and "--no-install-recommends" in tc.commands(todo)[1]


def test_an_executable_stands_for_its_package_where_the_tool_came_from_elsewhere(monkeypatch):
    monkeypatch.setitem(tc.TOOLCHAINS, "fake", tc.Toolchain(tc.apt("nl2code-no-such-deb", nl2code_no_such_deb="sh")))
    assert tc.plan(["fake"]).empty


@pytest.mark.skipif(not AS_ROOT, reason="drops to the unprivileged user made by scripts/test-setup.sh")
def test_an_unprivileged_install_names_the_commands_to_run_instead(tmp_path):
    user = pwd.getpwnam("nl2code-ci")
    script = (
        "import sys; from nl2code.execution import toolchains as tc\n"
        "tc.TOOLCHAINS['fake'] = tc.Toolchain(tc.apt('nl2code-no-such-deb'))\n"
        "tc.install(tc.plan(['fake']))\n"
    )
    src = os.path.dirname(os.path.dirname(os.path.dirname(tc.__file__)))  # .../src, holding nl2code/
    result = subprocess.run(
        ["/usr/bin/python3", "-c", script], capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": src, "PATH": os.environ["PATH"], "HOME": user.pw_dir},
        user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd="/tmp",
    )
    assert result.returncode != 0
    assert "needs root" in result.stderr and "apt-get install" in result.stderr and "nl2code-no-such-deb" in result.stderr


def test_the_install_command_is_quick_and_quiet_when_everything_is_present():
    result = cli("toolchains", "install", "--dry-run", "cpp", "java", "go")
    assert result.returncode == 0, result.stderr
    if AS_ROOT:  # installed by scripts/test-setup.sh: nothing to do, no package-manager command
        assert result.stdout.startswith("toolchains present: cpp, java, go"), result.stdout
    bad = cli("toolchains", "install", "cobol")
    assert bad.returncode == 2 and "unknown language 'cobol'" in bad.stderr
