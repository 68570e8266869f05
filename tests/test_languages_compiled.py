"""The compiled languages (Java, Scala, Kotlin, Go, C#, D, Rust; C++'s precompiled headers) through
the real executor: real compilers run inside the sandbox on the benchmarks' own prompts and tests
(MultiPL-E, HumanEval-X, MBXP from ../shared/datasets), and each verdict is the one the program
deserves. All programs of a module run in one executor so the suite stays within a few minutes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess

import pytest
from helpers import DATASETS

from nl2code.execution import LocalExecutor, languages
from nl2code.execution.languages import cpp as cpp_module
from nl2code.records import Limits, Problem, Sample, Status

LIMITS = Limits(cpu_seconds=5, wall_seconds=30)
AS_ROOT = os.geteuid() == 0


def multipl_e(code: str, name: str = "HumanEval_23_strlen") -> dict:
    with open(DATASETS / "multipl-e" / f"humaneval-{code}.jsonl") as f:
        return next(r for r in map(json.loads, f) if r["name"] == name)


def mbxp(file: str, task_id: str) -> dict:
    with open(DATASETS / "mbxp" / file) as f:
        return next(r for r in map(json.loads, f) if r["task_id"] == task_id)


def humaneval_x(language: str, task_id: str) -> dict:
    with gzip.open(DATASETS / "humaneval-x" / f"humaneval_{language}.jsonl.gz", "rt") as f:
        return next(r for r in map(json.loads, f) if r["task_id"] == task_id)


def problem(task_id: str, language: str, prompt: str, test: str) -> Problem:
    return Problem(benchmark="t", version="1", data_sha256="0" * 64, task_id=task_id, prompt=prompt,
                   entry_point="", test=test, reference="", language=language)


# MultiPL-E's HumanEval_23_strlen in each language: its prompt and tests, with a correct body, a
# wrong one, one that does not compile and one that exits with status 0 before the tests end.
STRLEN = {
    "java": ("java", "        return (long) string.length();\n", "        return 1l;\n", "        return string.length(\n",
             "        System.exit(0); return 0l;\n"),
    "scala": ("scala", "        string.length.toLong\n", "        1l\n", "        string.length(\n", "        sys.exit(0)\n"),
    "go": ("go", "    return len(myString)\n}\n", "    return 1\n}\n", "    return len(myString\n}\n", None),
    "csharp": ("cs", "    return str.Length;\n", "    return 1L;\n", "    return str.Length(\n",
               "    Environment.Exit(0); return 0L;\n"),
    "d": ("d", "{\n    return cast(long) string.length;\n}\n", "{\n    return 1;\n}\n", "{\n    return string.length(\n}\n",
          "{\n    import core.stdc.stdlib : exit;\n    exit(0);\n    return 0;\n}\n"),
    "rust": ("rs", "    string.len() as isize\n", "    1\n", "    string.len(\n", "    std::process::exit(0)\n"),
}
# MultiPL-E's C# prompt names the parameter after the type; the dataset spells it `str`.
EXPECTED = {"correct": Status.PASSED, "wrong": Status.FAILED, "syntax": Status.COMPILE_ERROR, "exits": Status.NO_RESULT}


def _strlen_cases():
    cases = []
    for language, (code, *bodies) in STRLEN.items():
        row = multipl_e(code)
        prob = problem(f"{language}/strlen", language, row["prompt"], row["tests"])
        for kind, body in zip(EXPECTED, bodies):
            if body is not None:
                cases.append((f"{language}-{kind}", prob, row["prompt"] + body, EXPECTED[kind]))
    return cases


def _kotlin_cases():
    row = mbxp("mbkp_release_v1.2.jsonl", "MBKP/2")
    prob = problem("kotlin/MBKP/2", "kotlin", row["prompt"], row["test"])
    good = row["prompt"] + row["canonical_solution"]
    return [
        ("kotlin-correct", prob, good, Status.PASSED),
        ("kotlin-wrong", prob, row["prompt"] + "    return listOf()\n}\n", Status.FAILED),
        ("kotlin-syntax", prob, row["prompt"] + "    return listOf(\n}\n", Status.COMPILE_ERROR),
        ("kotlin-exits", prob, row["prompt"] + "    kotlin.system.exitProcess(0)\n}\n", Status.NO_RESULT),
    ]


def _mbxp_csharp_cases():
    # MBXP's C# tests compare with CompareNetObjects: nl2code's stand-in is compiled in
    row = mbxp("mbcsp_release_v1.2.jsonl", "MBCSP/4")
    prob = problem("csharp/MBCSP/4", "csharp", row["prompt"], row["test"])
    wrong = row["prompt"] + row["canonical_solution"].replace(".Take(n)", ".Take(n + 1)")  # one element too many
    return [("csharp-mbxp-correct", prob, row["prompt"] + row["canonical_solution"], Status.PASSED),
            ("csharp-mbxp-wrong", prob, wrong, Status.FAILED)]


def _humaneval_x_cases():
    cases = []
    go = humaneval_x("go", "Go/0")
    # as CodeGeeX builds it: the test file's head, the prompt without its own import block
    prompt = go["prompt"].replace('import (\n    "math"\n)\n', "")
    prob = problem("go/Go/0", "go", go["test_setup"] + 'import (\n    "math"\n)\n' + prompt, go["test"])
    cases.append(("go-testify-correct", prob, prob.prompt + go["canonical_solution"], Status.PASSED))
    cases.append(("go-testify-wrong", prob, prob.prompt + "    return math.IsNaN(threshold)\n}\n", Status.FAILED))
    rust = humaneval_x("rust", "Rust/0")
    # as CodeGeeX builds it: an empty main first (its harness never calls it), then the declaration
    # with its `use rand::Rng; use regex::Regex; use md5;`
    rust_prompt = "\nfn main(){ \n } \n" + rust["prompt"] + rust["declaration"]
    prob = problem("rust/Rust/0", "rust", rust_prompt, rust["test"])
    cases.append(("rust-crates-correct", prob, rust_prompt + rust["canonical_solution"], Status.PASSED))
    cases.append(("rust-crates-wrong", prob, rust_prompt + "    return numbers.len() > 100;\n}\n", Status.FAILED))
    # Rust/32's whole test module is inside /* ... */ upstream: no test runs, which is no pass
    rust32 = humaneval_x("rust", "Rust/32")
    prompt32 = "\nfn main(){ \n } \n" + rust32["prompt"] + rust32["declaration"]
    prob32 = problem("rust/Rust/32", "rust", prompt32, rust32["test"])
    cases.append(("rust-commented-out-tests-no-result", prob32, prompt32 + rust32["canonical_solution"], Status.NO_RESULT))
    java = humaneval_x("java", "Java/0")
    prob = problem("java/Java/0", "java", java["prompt"], java["test"])  # its tests hold `public class Main`
    cases.append(("java-public-main-correct", prob, java["prompt"] + java["canonical_solution"], Status.PASSED))
    return cases


def _cpp_cases():
    row = multipl_e("cpp")
    prob = problem("cpp/strlen", "cpp", row["prompt"], row["tests"])
    mbcpp = mbxp("mbcpp_release_v1.2.jsonl", "MBCPP/3")  # its tests' main takes (argc, argv)
    argv_main = problem("cpp/MBCPP/3", "cpp", mbcpp["prompt"], mbcpp["test"])
    md5 = humaneval_x("cpp", "CPP/162")  # includes <openssl/md5.h>: links libcrypto
    md5_problem = problem("cpp/CPP/162", "cpp", md5["prompt"], md5["test"])
    return [("cpp-openssl-md5-correct", md5_problem, md5["prompt"] + md5["canonical_solution"], Status.PASSED),
            ("cpp-openssl-md5-wrong", md5_problem, md5["prompt"] + '    return "None";\n}\n', Status.FAILED),
            ("cpp-pch-correct", prob, row["prompt"] + "    return string.size();\n", Status.PASSED),
            ("cpp-pch-wrong", prob, row["prompt"] + "    return 1;\n", Status.FAILED),
            ("cpp-mbxp-main-with-arguments", argv_main, mbcpp["prompt"] + mbcpp["canonical_solution"], Status.PASSED)]


CASES = _strlen_cases() + _kotlin_cases() + _mbxp_csharp_cases() + _humaneval_x_cases() + _cpp_cases()


@pytest.fixture(scope="module")
def outcome():
    missing = sorted({case[1].language for case in CASES if not languages.get(case[1].language).available()})
    if missing and AS_ROOT:
        pytest.fail(f"toolchains missing after scripts/test-setup.sh: {missing}")
    chosen = [c for c in CASES if c[1].language not in missing]
    problems = {c[1].task_id: c[1] for c in chosen}
    samples = [Sample(c[1].task_id, i, i, c[2]) for i, c in enumerate(chosen)]
    with LocalExecutor(workers=2) as executor:
        results = {e.index: e for e in executor.execute(samples, problems, {t: LIMITS for t in problems})}
        level = executor.level
    return {"level": level, "by_name": {c[0]: results[i] for i, c in enumerate(chosen)}, "missing": missing}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_compiled_language_gets_the_verdict_its_program_deserves(case, outcome):
    name, prob, _, expected = case
    if name not in outcome["by_name"]:
        pytest.skip(f"{prob.language}'s toolchain is not installed here (nl2code toolchains install {prob.language})")
    execution = outcome["by_name"][name]
    assert execution.status is expected, (name, execution.status, execution.error, execution.stderr_tail[-800:])
    assert execution.isolation == outcome["level"]


def test_the_compile_stage_runs_in_the_sandbox_with_the_isolation_in_force(outcome):
    if AS_ROOT:
        assert "uid" in outcome["level"] and "landlock" in outcome["level"] and "seccomp" in outcome["level"]


def test_a_compile_error_names_the_compilers_message(outcome):
    for name, text in (("java-syntax", "error"), ("rust-syntax", "error"), ("go-syntax", "missing ','")):
        if name in outcome["by_name"]:
            assert text in outcome["by_name"][name].error, outcome["by_name"][name].error


def test_every_compiled_language_is_registered_with_its_packages():
    for name, package in (("java", "libjavatuples-java"), ("go", "golang-github-stretchr-testify-dev"), ("csharp", "mono-mcs"),
                          ("d", "ldc"), ("rust", "rustc"), ("scala", "scala"), ("kotlin", "kotlin"), ("cpp", "libboost-dev")):
        assert package in languages.get(name).packages["apt"], name
    assert languages.get("cs") is languages.get("c#") is languages.get("csharp")
    assert languages.get("kt").name == "kotlin" and languages.get("rs").name == "rust" and languages.get("dlang").name == "d"


# -- C++ precompiled headers -------------------------------------------------------------------

def test_the_preamble_is_the_leading_include_lines_only():
    assert cpp_module.preamble("#include<assert.h>\n#include<bits/stdc++.h>\n// Return\nlong f();\n#include <map>\n") == (
        "<assert.h>", "<bits/stdc++.h>")
    assert cpp_module.preamble("\n#include <bits/stdc++.h>\nusing namespace std;\n") == ("<bits/stdc++.h>",)
    assert cpp_module.preamble("/* doc */\n#include<vector>\n") == ()  # a comment first: nothing precompiled
    assert cpp_module.preamble('#include "local.h"\n#include <vector>\n') == ()


@pytest.mark.skipif(not languages.get("cpp").available(), reason="g++ is not installed")
def test_a_precompiled_header_is_used_by_gxx_with_the_flags_of_every_compile(tmp_path):
    gxx = languages.get("cpp").executable("g++")
    header = cpp_module.precompiled(gxx, ("<assert.h>", "<bits/stdc++.h>"))
    assert header and os.path.exists(header + ".gch")
    assert not os.access(header + ".gch", os.W_OK) or AS_ROOT  # read-only to everyone but its owner
    assert oct(os.stat(header + ".gch").st_mode & 0o777) == "0o644"
    # nl2code's own fixed program, compiled here with the same flags; -H lists the headers used,
    # "!" marks a precompiled header that was valid and used
    (tmp_path / "hello.cpp").write_text("#include<assert.h>\n#include<bits/stdc++.h>\nint main() { std::vector<int> v{1}; assert(v.size() == 1); }\n")
    result = subprocess.run([gxx, *cpp_module.FLAGS, "-include", header, "-H", "-o", str(tmp_path / "hello"), str(tmp_path / "hello.cpp")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"! {header}.gch" in result.stderr
    spec = languages.get("cpp").spec(problem("cpp/x", "cpp", "", multipl_e("cpp")["tests"]),
                                     multipl_e("cpp")["prompt"] + "return 0; }\n", LIMITS, "m")
    assert spec.stages[0].argv[spec.stages[0].argv.index("-include") + 1] == header


def test_a_program_that_includes_openssl_links_libcrypto_and_libssl_after_its_source():
    assert cpp_module.libraries("#include<stdio.h>\n#include <openssl/md5.h>\nint main(){}\n") == ("-lcrypto", "-lssl")
    assert cpp_module.libraries('#  include "openssl/sha.h"\n') == ("-lcrypto", "-lssl")
    assert cpp_module.libraries("#include<string>\n// openssl/md5.h is not included\n") == ()
    spec = languages.get("cpp").spec(problem("cpp/x", "cpp", "", "int main(){}\n"), "#include <openssl/md5.h>\n", LIMITS, "m")
    argv = spec.stages[0].argv
    assert argv[-3:] == ("main.cpp", "-lcrypto", "-lssl")


def test_a_light_or_unusual_preamble_is_not_precompiled():
    assert cpp_module.precompiled("g++", ("<stdio.h>",)) == ""
    assert cpp_module.precompiled("g++", ()) == ""


# -- JVM compilers' class-data archives ---------------------------------------------------------

@pytest.mark.skipif(not languages.get("java").available(), reason="javac is not installed")
def test_javac_runs_from_its_static_class_data_archive_with_the_flags_of_every_compile(tmp_path):
    from nl2code.execution.languages import jvm

    java = languages.get("java")
    spec = java.spec(problem("java/x", "java", "", multipl_e("java")["tests"]),
                     multipl_e("java")["prompt"] + "        return 0l;\n", LIMITS, "m")
    argv = spec.stages[0].argv
    archive = next(a.split("=", 1)[1] for a in argv if a.startswith("-J-XX:SharedArchiveFile="))
    assert archive == java.archive() and os.path.exists(archive)
    assert not os.access(archive, os.W_OK) or AS_ROOT
    # the compile's own heap: initial size within -Xmx, most of it young
    assert "-J-Xmx2048m" in argv and "-J-Xms256m" in argv and "-J-Xmn192m" in argv
    assert jvm.compiler_heap_flags(Limits(cpu_seconds=5, wall_seconds=30, memory_bytes=200 * 1024**2)) == ("-Xmx100m", "-Xms100m", "-Xmn75m")
    # the same compile here, logging where each class came from: a static archive holds the JDK's
    # classes and javac's, so nearly nothing is read from the module image
    for name, content in spec.files:
        (tmp_path / name).write_bytes(content)
    result = subprocess.run([argv[0], "-J-Xlog:class+load=info:stdout", "-J-Xshare:on", *argv[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = [line for line in result.stdout.splitlines() if "[class,load]" in line]
    shared = [line for line in loaded if "source: shared objects file" in line]
    assert any("com.sun.tools.javac.main.JavaCompiler " in line for line in shared)
    assert len(shared) > 0.9 * len(loaded), f"{len(shared)} of {len(loaded)} classes from the archive"
    assert not any("(top)" in line for line in shared)  # one static archive, no dynamic layer on top
