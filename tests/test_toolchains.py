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
INSTALLABLE = [name for name, chain in tc.all_toolchains().items() if not chain.path_only]


def test_every_language_name_and_code_resolves_to_one_toolchain():
    assert tc.canonical("cs") == tc.canonical("C#") == tc.canonical("csharp") == "csharp"
    assert tc.canonical("rs") == "rust" and tc.canonical("ts") == "typescript" and tc.canonical("rkt") == "racket"
    for code in ("cpp", "cs", "d", "go", "java", "js", "lua", "php", "pl", "py", "r", "rb", "rkt", "rs", "scala", "sh", "ts", "jl", "swift"):
        assert tc.canonical(code) in tc.all_toolchains(), code
    with pytest.raises(ConfigError, match="unknown language 'cobol'.*csharp"):
        tc.canonical("cobol")


MULTIPL_E = {"cpp", "csharp", "d", "go", "java", "javascript", "lua", "php", "perl", "python", "r", "ruby", "racket", "rust",
             "scala", "bash", "typescript"}


def test_the_seventeen_multipl_e_languages_and_kotlin_are_installable():
    assert MULTIPL_E | {"kotlin"} <= set(INSTALLABLE)  # 17 of MultiPL-E's 19, and Kotlin (MBXP)
    table = tc.all_toolchains()
    assert {"julia", "swift"} == {n for n, c in table.items() if c.path_only}
    packages = {p.name for c in table.values() for p in c.apt}
    # what the benchmarks' tests import, beyond the compilers
    assert {"libboost-dev", "libssl-dev", "golang-github-stretchr-testify-dev", "libjavatuples-java", "lua-unit", "libtest-deep-perl",
            "librust-rand-dev", "librust-regex-dev", "librust-md5-dev"} <= packages
    assert "swift" not in packages  # Debian's swift is OpenStack's object store
    assert {"lodash", "typescript"} <= {p.name for c in table.values() for p in c.npm}


def test_every_npm_package_is_pinned_to_an_exact_version_and_another_version_counts_as_missing():
    import re

    npm = {p for c in tc.all_toolchains().values() for p in c.npm}
    assert {p.spec for p in npm} == {"typescript@5.9.3", "lodash@4.17.21", "js-md5@0.8.3"}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", p.version) for p in npm)
    if tc.npm_root() and tc.npm_installed(tc.NpmPackage("lodash", "4.17.21")):  # the real global npm directory
        assert not tc.npm_installed(tc.NpmPackage("lodash", "4.17.20"))
        assert tc.plan(["ts"]).npm == []


def test_the_installer_reads_the_language_registry_and_lists_no_registered_language_twice():
    from nl2code.execution import languages

    assert not set(tc.PENDING) & set(languages.names()), "move these out of toolchains.PENDING: their modules are registered"
    go = languages.get("go")
    assert tc.toolchain("go").apt == tc.apt(*go.packages["apt"])
    assert tc.NpmPackage.parse("lodash@4.17.21") == tc.NpmPackage("lodash", "4.17.21")
    assert tc.NpmPackage.parse("@types/node@20.1.0") == tc.NpmPackage("@types/node", "20.1.0")
    assert tc.NpmPackage.parse("js-md5") == tc.NpmPackage("js-md5")


@pytest.mark.skipif(not AS_ROOT, reason="scripts/test-setup.sh installs the toolchains only as root")
def test_after_test_setup_nothing_is_missing_and_each_toolchain_reports_its_version():
    todo = tc.plan(())
    assert todo.empty, f"missing: apt {todo.apt}, npm {todo.npm}"
    found = tc.versions(INSTALLABLE)
    assert not [name for name, v in found.items() if not v], found
    expected = {
        "cpp": "g++", "go": "go1.", "java": "javac", "d": "LDC", "csharp": "Mono", "scala": "Scala",
        "rust": "rustc", "typescript": "Version", "javascript": "v", "lua": "Lua 5.3", "racket": "Racket",
    }
    for name, text in expected.items():
        assert text in found[name], (name, found[name])


def test_a_missing_package_is_found_and_installing_it_fails_with_the_command_named(monkeypatch):
    fake_npm = tc.NpmPackage("nl2code-no-such-package-for-tests", "0.0.1")
    monkeypatch.setitem(tc.PENDING, "fake", tc.Toolchain(tc.apt("bash"), (fake_npm,), ("bash",)))
    todo = tc.plan(["fake"])
    assert todo.apt == [] and todo.npm == [fake_npm.spec]  # bash is there; the npm package is not
    assert tc.commands(todo) == [["npm", "install", "--global", "--no-audit", "--no-fund", fake_npm.spec]]
    if not AS_ROOT or tc.npm_root() is None:
        pytest.skip("npm's global directory is not writable here")
    with pytest.raises(ExecutionError, match="npm install --global .*nl2code-no-such-package-for-tests.*failed"):
        tc.install(todo, runner=lambda argv: subprocess.run(list(argv), capture_output=True, check=False).returncode)


def test_missing_apt_packages_are_found_with_dpkg(monkeypatch):
    monkeypatch.setitem(tc.PENDING, "fake", tc.Toolchain(tc.apt("bash", "nl2code-no-such-deb"), executables=("bash",)))
    todo = tc.plan(["fake"])
    assert todo.apt == ["nl2code-no-such-deb"]
    assert tc.commands(todo)[0] == ["apt-get", "update", "-q"]
    assert tc.commands(todo)[1][-1] == "nl2code-no-such-deb" and "--no-install-recommends" in tc.commands(todo)[1]


def test_an_executable_stands_for_its_package_where_the_tool_came_from_elsewhere(monkeypatch):
    monkeypatch.setitem(tc.STANDS_IN, "nl2code-no-such-deb", "sh")
    monkeypatch.setitem(tc.PENDING, "fake", tc.Toolchain(tc.apt("nl2code-no-such-deb")))
    assert tc.plan(["fake"]).empty
    monkeypatch.setitem(tc.STANDS_IN, "nl2code-no-such-deb", "nl2code-no-such-command")
    monkeypatch.setitem(tc.PENDING, "fake", tc.Toolchain(tc.apt("nl2code-no-such-deb")))
    assert tc.plan(["fake"]).apt == ["nl2code-no-such-deb"]


@pytest.mark.skipif(not AS_ROOT, reason="drops to the unprivileged user made by scripts/test-setup.sh")
def test_an_unprivileged_install_names_the_commands_to_run_instead(tmp_path):
    user = pwd.getpwnam("nl2code-ci")
    script = (
        "import sys; from nl2code.execution import toolchains as tc\n"
        "tc.PENDING['fake'] = tc.Toolchain(tc.apt('nl2code-no-such-deb'))\n"
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


COMPILED = ("cpp", "java", "scala", "kotlin", "go", "csharp", "d", "rust")


def test_doctor_lists_every_language_with_its_version_and_a_program_run_in_the_sandbox():
    import json

    result = cli("doctor", "--json", timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {row["language"]: row for row in json.loads(result.stdout)["languages"]}
    assert MULTIPL_E | {"kotlin", "julia", "swift"} <= set(rows)
    for name in COMPILED:
        if AS_ROOT or rows[name]["version"]:
            assert rows[name]["ok"] and rows[name]["sandbox"] == "passed", rows[name]
            assert rows[name]["version"], rows[name]
    for name, url in (("swift", "https://www.swift.org/install/linux/"), ("julia", "https://julialang.org/downloads/")):
        assert rows[name]["version"] or (rows[name]["sandbox"] == "missing" and not rows[name]["ok"]
                                         and f"(not packaged for Debian 12; install from {url}" in rows[name]["detail"]), rows[name]


def test_a_hello_program_that_fails_is_reported_as_not_running(monkeypatch):
    from nl2code.execution import LocalExecutor, hello, languages

    if not languages.get("cpp").available():
        pytest.skip("g++ is not installed")
    monkeypatch.setitem(hello.HELLO, "cpp", ("int add(int a, int b) { return a - b; }\n", hello.HELLO["cpp"][1]))
    with LocalExecutor(workers=1) as executor:
        found = hello.check(["cpp", "python"], executor)
    assert not found["cpp"].ok and found["cpp"].status == "failed" and "add(2, 3) == 5" in found["cpp"].detail
    assert found["python"].status == "untested"
