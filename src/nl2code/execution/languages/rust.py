"""Rust with Debian's rustc: compiled, then run, both inside the sandbox.

MultiPL-E's tests are a `fn main()` of asserts, compiled as MultiPL-E does (plain `rustc`, the
2015 edition). HumanEval-X's are a `#[cfg(test)]` module of `#[test]` functions and its programs
`use` the rand, regex and md5 crates: nl2code compiles those crates once per rustc version from
Debian's packaged sources (`_artifacts`, read-only to samples) and compiles the program with the
2021 edition against them. Its test functions are called from nl2code's own `main`, one after the
other, instead of through the test harness: that `main` prints the end marker once they all
returned, which the harness, printing its own summary, could not tell from a program that printed
the same summary and exited.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from nl2code.execution.languages import ExecSpec, Language, Stage, _version
from nl2code.execution.languages import _artifacts
from nl2code.records import Limits, Problem

RUSTC = "/usr/bin/rustc"  # Debian's; a rustup install under /root is not readable by the sandbox's uid
CARGO = "/usr/bin/cargo"
CRATES = ("rand", "regex", "md5")  # what HumanEval-X's Rust declarations `use`
_CARGO_TOML = """[package]
name = "nl2code_deps"
version = "0.1.0"
edition = "2021"

[dependencies]
rand = "0.8"
regex = { version = "1", default-features = false, features = ["std", "unicode"] }
md5 = "0.7"
"""
_CARGO_CONFIG = """[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
"""
_MAIN = re.compile(r"^fn\s+main\s*\(\s*\)", re.MULTILINE)
_TEST_ATTR = re.compile(r"#\[test\]\s*fn\s+(\w+)")
_CFG_TEST = re.compile(r"#\[cfg\(test\)\]\s*")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_USES_CRATE = re.compile(r"\b(?:use|extern\s+crate)\s+(rand|regex|md5)\b")


@cache
def crates() -> dict[str, str]:
    """crate name -> rlib built once from Debian's sources; {} when they cannot be built."""
    if not (os.access(RUSTC, os.X_OK) and os.access(CARGO, os.X_OK)):
        return {}

    def make(work: Path) -> None:
        project = work / "project"
        (project / "src").mkdir(parents=True)
        (project / ".cargo").mkdir()
        (project / "Cargo.toml").write_text(_CARGO_TOML)
        (project / ".cargo" / "config.toml").write_text(_CARGO_CONFIG)
        (project / "src" / "lib.rs").write_text("pub use rand; pub use regex; pub use md5;\n")
        env = {"RUSTC": RUSTC, "CARGO_HOME": str(work / "cargo-home"), "CARGO_TARGET_DIR": str(work / "target")}
        _artifacts.run([CARGO, "build", "--offline", "--quiet"], cwd=project, env=env)
        deps = work / "target" / "debug" / "deps"
        (work / "deps").mkdir()
        for rlib in deps.glob("*.rlib"):
            rlib.rename(work / "deps" / rlib.name)
        for leftover in ("project", "cargo-home", "target"):
            _rmtree(work / leftover)

    built = _artifacts.build("rust-crates", _version((RUSTC, "--version")), _CARGO_TOML + _CARGO_CONFIG, make)
    if built is None:
        return {}
    found = {}
    for crate in CRATES:
        rlibs = sorted((built / "deps").glob(f"lib{crate}-*.rlib"))
        if rlibs:
            found[crate] = str(rlibs[0])
    return found


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class Rust(Language):
    def prepare(self) -> list[str]:
        """Build HumanEval-X's crates ahead of a run."""
        return sorted(crates().values())

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        rustc = RUSTC if os.access(RUSTC, os.X_OK) else (self.executable("rustc") or "rustc")
        print_marker = f'    println!("\\n{marker}");\n'
        if _CFG_TEST.search(problem.test):
            # HumanEval-X: nl2code's main calls each test function (made public) in turn. Only
            # tests outside comments count: Rust/32's whole test module is commented out upstream,
            # so no test runs, main prints no marker and the verdict is no_result (cargo test
            # would run zero tests and pass every sample)
            names = _TEST_ATTR.findall(_COMMENT.sub("", problem.test))
            tests = _TEST_ATTR.sub(lambda m: f"pub fn {m.group(1)}", _CFG_TEST.sub("", problem.test))
            program = _MAIN.sub("#[allow(dead_code)]\nfn nl2code_program_main()", program)  # never run by a test harness either
            calls = "".join(f"    tests::{name}();\n" for name in names)
            source = f"{program}\n{tests}\nfn main() {{\n{calls}{print_marker if names else ''}}}\n"
            argv = [rustc, "--edition", "2021", "-o", "main", "main.rs"]
            used = set(_USES_CRATE.findall(program + problem.test))
            found = crates() if used else {}
            if found:
                argv[1:1] = ["-L", f"dependency={os.path.dirname(next(iter(found.values())))}"]
                argv[1:1] = [arg for crate in sorted(used) if crate in found for arg in ("--extern", f"{crate}={found[crate]}")]
        else:
            tests = _MAIN.sub("fn nl2code_tests_main()", problem.test, count=1)
            source = f"{program}\n{tests}\nfn main() {{\n    nl2code_tests_main();\n{print_marker}}}\n"
            argv = [rustc, "-o", "main", "main.rs"]
        env = self.stage_env()
        stages = (
            Stage("compile", tuple(argv), self.compile_limits(limits), env, compile=True),
            Stage("run", ("./main",), self.run_limits(limits), env),
        )
        return ExecSpec(files=(("main.rs", source.encode()),), stages=stages, marker=marker)


LANGUAGE = Rust(
    name="rust",
    title="Rust",
    extension=".rs",
    toolchain=(RUSTC,),
    version_argv=(RUSTC, "--version"),
    aliases=("rs",),
    packages={"apt": ("rustc", "cargo", "librust-rand-dev", "librust-regex-dev", "librust-md5-dev")},
    read_paths=(_artifacts.ensure_root(),),
)
