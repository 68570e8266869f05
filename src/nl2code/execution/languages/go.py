"""Go: `go test` for test files (MultiPL-E, HumanEval-X), `go build` then the program for a
`package main` with `func main()` (MBXP); both inside the sandbox.

The go command compiles, links and vets in child processes with several threads each, and the Go
runtime reserves virtual memory freely: no address-space rlimit (the cgroup caps memory) and room
for threads. It needs a build cache: a read-only one, warmed once per Go version with nl2code's
own programs (the standard packages, testify), is shared by every sample. The go command only
reads it (writes to it fail, and go carries on), so no sample can change what the next one
compiles against. `go test -c` builds and vets the tests as `go test` does; the test binary then
runs as the run stage, under the run limits. HumanEval-X's tests import
testify from Debian's GOPATH (GO111MODULE=off).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from nl2code.execution.languages import ExecSpec, Language, Stage, _version
from nl2code.execution.languages import _artifacts
from nl2code.records import Limits, Problem

GOPATH = "/usr/share/gocode"  # golang-github-stretchr-testify-dev installs testify here
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_]\w*)", re.MULTILINE)
_TEST_FUNC = re.compile(r"^func\s+Test\w*\s*\(\s*\w+\s+\*testing\.T\s*\)", re.MULTILINE)
_MAIN_FUNC = re.compile(r"^func\s+main\s*\(\s*\)", re.MULTILINE)
TESTS_MAIN = "nl2codeTestsMain"

# what the warm cache is built from: every standard package the benchmarks' Go tests import, and
# testify; the programs themselves must not change (their text keys the cache)
_STANDARD = ("encoding/json", "fmt", "math", "reflect", "sort", "strconv", "strings")


def _imports(*packages: str) -> str:
    return "import (\n" + "".join(f'    "{p}"\n' for p in packages) + ")\n"


_WARM_TEST = "package warm_test\n\n" + _imports(*_STANDARD, "testing", "unicode", "github.com/stretchr/testify/assert") + '''
func TestWarm(t *testing.T) {
    b, _ := json.Marshal([]int{1})
    s := []string{"b", "a"}
    sort.Strings(s)
    x, _ := strconv.Atoi("1")
    assert.Equal(t, "[1] [a b] 1 1 true true", fmt.Sprint(string(b), " ", s, " ", x, " ", math.Abs(-1), " ", reflect.DeepEqual(s, s), " ", unicode.IsUpper('A')))
    _ = strings.ToUpper
}
'''
_WARM_MAIN = "package main\n\n" + _imports(*_STANDARD) + '''
func main() {
    b, _ := json.Marshal(map[string]int{"a": 1})
    s := []string{"b", "a"}
    sort.Strings(s)
    x, _ := strconv.Atoi("1")
    fmt.Println(string(b), s, x, math.Abs(-1), reflect.DeepEqual(s, s), strings.ToUpper("a"))
}
'''


def go_env(cache_dir: str) -> tuple[tuple[str, str], ...]:
    return (
        ("GOCACHE", cache_dir), ("GOPATH", GOPATH), ("GO111MODULE", "off"), ("GOENV", "off"),
        ("GOFLAGS", ""), ("CGO_ENABLED", "0"), ("GOTOOLCHAIN", "local"), ("GOPROXY", "off"),
    )


@cache
def warm_cache(go: str) -> str:
    """The read-only build cache shared by every sample, built once per Go version; "" when it
    cannot be built."""
    def make(work: Path) -> None:
        cache_dir = work / "cache"
        cache_dir.mkdir()
        src = work / "src"
        src.mkdir()
        (src / "warm_test.go").write_text(_WARM_TEST)
        (src / "main.go").write_text(_WARM_MAIN)
        env = dict(go_env(str(cache_dir)))
        env["HOME"] = env["TMPDIR"] = str(work)
        _artifacts.run([go, "test", "-count=1", "warm_test.go"], cwd=src, env=env)
        _artifacts.run([go, "build", "-o", str(work / "warm"), "main.go"], cwd=src, env=env)
        for name in ("warm",):
            (work / name).unlink()
        for path in src.iterdir():
            path.unlink()
        src.rmdir()

    built = _artifacts.build("go-cache", _version((go, "version")), _WARM_TEST + _WARM_MAIN + repr(go_env("")), make)
    return str(built / "cache") if built else ""


class Go(Language):
    def prepare(self) -> list[str]:
        """Build the shared read-only build cache ahead of a run."""
        go = self.executable("go")
        return [c for c in (warm_cache(go),) if c] if go else []

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        go = self.executable("go") or "go"
        cache_dir = warm_cache(go) or "cache"  # without the shared one, a cold cache of its own
        env = self.stage_env() + go_env(cache_dir if os.path.isabs(cache_dir) else "")
        source = f"{program}\n{problem.test}\n"
        package = (_PACKAGE.search(source) or _PACKAGE.search("package main")).group(1)
        if cache_dir == "cache":
            env = env + (("GOCACHE", "./cache"),)
        if _TEST_FUNC.search(problem.test):
            # `go test`: the end marker comes from a TestMain after every test passed
            helper = (
                f"package {package}\n\nimport (\n    \"fmt\"\n    \"os\"\n    \"testing\"\n)\n\n"
                f"func TestMain(m *testing.M) {{\n    code := m.Run()\n"
                f"    if code == 0 {{\n        fmt.Print(\"\\n{marker}\\n\")\n    }}\n    os.Exit(code)\n}}\n"
            )
            files = (("main_test.go", source.encode()), ("nl2code_main_test.go", helper.encode()))
            # `go test -c` builds and vets as `go test` does (a vet finding fails the build), then
            # the test binary runs under the run limits
            build = (go, "test", "-c", "-o", "main.test", "main_test.go", "nl2code_main_test.go")
            stages = (
                Stage("compile", build, self.compile_limits(limits), env, compile=True),
                Stage("run", ("./main.test",), self.run_limits(limits), env),
            )
            return ExecSpec(files=files, stages=stages, marker=marker)
        # a program: the tests' main() is renamed, and nl2code's main calls it, then prints the marker
        tests = _MAIN_FUNC.sub(f"func {TESTS_MAIN}()", problem.test, count=1)
        source = f"{program}\n{tests}\n"
        helper = f"package {package}\n\nimport \"fmt\"\n\nfunc main() {{\n    {TESTS_MAIN}()\n    fmt.Print(\"\\n{marker}\\n\")\n}}\n"
        files = (("main.go", source.encode()), ("nl2code_main.go", helper.encode()))
        stages = (
            Stage("compile", (go, "build", "-o", "main", "main.go", "nl2code_main.go"), self.compile_limits(limits), env, compile=True),
            Stage("run", ("./main",), self.run_limits(limits), env),
        )
        return ExecSpec(files=files, stages=stages, marker=marker)


LANGUAGE = Go(
    name="go",
    title="Go",
    extension=".go",
    toolchain=("go",),
    version_argv=("go", "version"),
    aliases=("golang", "go_test.go"),
    packages={"apt": ("golang-go", "golang-github-stretchr-testify-dev")},
    read_paths=(_artifacts.ensure_root(),),
    processes=512,
    address_space=False,
)
