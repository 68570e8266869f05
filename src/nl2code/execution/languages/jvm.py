"""Java, Scala and Kotlin: compiled by their compilers on the JVM, run on the JVM, both inside the
sandbox.

A JVM reserves far more virtual memory than it uses and starts a dozen threads: these stages run
without an address-space rlimit (memory is capped by the sandbox's cgroup) and with room for
threads; the heap is bounded with -Xmx at half the memory limit, which also holds where no cgroup
caps memory (unprivileged runs). The compilers are started with `java` directly (not
Debian's shell wrappers) with flags that cut their start-up: the serial collector, the client JIT
alone with one compiler thread, a young generation sized so that a compile needs few collections,
no perf-data file in /tmp, and a class-data archive of the compiler's own classes made once per
toolchain version (`_artifacts`): for javac a static archive (the JDK's classes and javac's,
with their archived heap objects), for scalac and kotlinc a dynamic one on top of the JDK's
(their classes come from class loaders a static archive cannot hold). The program itself runs
with the JVM's default JIT.

The tests' `main` is not changed: a small launcher class calls it and prints the end marker after
it returns, so a program that exits early with status 0 is not a pass.
"""

from __future__ import annotations

import glob
import os
import shutil
import re
from functools import cache
from pathlib import Path

from nl2code.execution.languages import Language, Stage, _version
from nl2code.execution.languages import _artifacts
from nl2code.records import Limits, Problem

JAVATUPLES = "/usr/share/java/javatuples.jar"  # libjavatuples-java: MultiPL-E's Java prompts import org.javatuples
SCALA_LIB = "/usr/share/scala-2.11/lib"
KOTLIN_LIB = "/usr/share/kotlin/kotlinc/lib"
KOTLIN_STDLIB = "/usr/share/java/kotlin-stdlib.jar"

# start-up flags for the compilers' JVMs (they never run a sample's code)
COMPILER_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:-UsePerfData", "-Xss8m", "-Xshare:auto")
# the program's JVM: the default JIT (tests may compute), a single-threaded collector, no perf file
PROGRAM_JVM = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto")

_PUBLIC_CLASS = re.compile(r"^\s*public\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_]\w*)", re.MULTILINE)
_TYPE = re.compile(r"\b(?:class|object|interface|enum)\s+([A-Za-z_]\w*)")
_JAVA_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?void\s+main\s*\(")
_SCALA_MAIN = re.compile(r"\bdef\s+main\s*\(")
_KOTLIN_MAIN = re.compile(r"^fun\s+main\s*\(\s*(\w*)", re.MULTILINE)

LAUNCHER = "Nl2codeMain"


def main_type(source: str, main: re.Pattern[str]) -> str | None:
    """The class (or Scala object) that declares `main`: the last type declared before it."""
    found = main.search(source)
    if found is None:
        return None
    names = _TYPE.findall(source[: found.start()])
    return names[-1] if names else None


def java() -> str:
    """The `java` launcher of the default JDK (a real binary, not a shell wrapper)."""
    return os.path.realpath("/usr/bin/java") if os.path.exists("/usr/bin/java") else "java"


def _classpath(*parts: str) -> str:
    return ":".join(p for p in parts if p)


@cache
def _compiler_archive(name: str, argv_prefix: tuple[str, ...], hello: tuple[str, str], flag_prefix: str, static: bool) -> str:
    """A class-data archive of a JVM compiler's own classes, made by compiling nl2code's fixed
    hello program once per JDK and compiler version; "" when it cannot be made.

    Static (`-Xshare:dump` from the classes the hello compile loaded): it replaces the JDK's base
    archive and also holds archived heap objects and resolved lambda forms, which a dynamic
    archive re-creates at every start (javac: 18% less CPU per compile measured, 0.40 s against
    0.49 s). Dynamic (`-XX:ArchiveClassesAtExit`, layered on the JDK's archive): for compilers
    whose classes a custom class loader loads (kotlinc's preloader), which a static dump skips."""
    version = _version((java(), "-version")) + "|" + "|".join(argv_prefix)

    def make(work: Path) -> None:
        (work / hello[0]).write_text(hello[1])
        archive = work / f"{name}.jsa"
        classes = work / "classes.lst"
        dump = f"-XX:DumpLoadedClassList={classes}" if static else f"-XX:ArchiveClassesAtExit={archive}"
        (work / "out").mkdir()
        _artifacts.run([argv_prefix[0], f"{flag_prefix}{dump}", *argv_prefix[1:], "-d", str(work / "out"), hello[0]], cwd=work)
        if static:
            _artifacts.run([java(), "-Xshare:dump", f"-XX:SharedClassListFile={classes}", f"-XX:SharedArchiveFile={archive}"], cwd=work)
            classes.unlink()
        shutil.rmtree(work / "out")
        (work / hello[0]).unlink()
        if not archive.exists():
            raise RuntimeError("the JVM wrote no archive")

    built = _artifacts.build(f"{name}-cds", version, "2-static" if static else "1", make)
    return str(built / f"{name}.jsa") if built else ""


def heap_flag(limits: Limits) -> str:
    """-Xmx at half the memory limit: the heap stays bounded where no memory cgroup caps the JVM
    (unprivileged runs: JVM stages have no address-space rlimit), and under a cgroup the rest is
    left to the JVM's own code, threads and metadata."""
    return f"-Xmx{_max_heap_mb(limits)}m"


def _max_heap_mb(limits: Limits) -> int:
    return max(64, limits.memory_bytes // 2 // 1024**2)


def compiler_heap_flags(limits: Limits) -> tuple[str, ...]:
    """-Xmx as for every JVM stage, and a compiler's initial heap of up to 256 MiB with three
    quarters of it young: a small compile then runs with one or two collections instead of a
    dozen while the heap grows (never above -Xmx, so a small memory limit still starts)."""
    initial = min(256, _max_heap_mb(limits))
    return (heap_flag(limits), f"-Xms{initial}m", f"-Xmn{initial * 3 // 4}m")


def javac() -> str:
    return os.path.realpath("/usr/bin/javac") if os.path.exists("/usr/bin/javac") else "javac"


class JvmLanguage(Language):
    """What the three JVM languages share: limits, the launcher, the run stage."""

    def run_classpath(self) -> str:
        return "."

    def launcher(self, source: str, main: str, marker: str) -> tuple[str, str]:
        raise NotImplementedError

    def compiler(self) -> tuple[str, ...]:
        """The compiler's command up to its own arguments (java, flags, class path, main class)."""
        raise NotImplementedError

    def compile_args(self, files: list[str]) -> tuple[str, ...]:
        return ("-d", ".", *files)

    def jvm_flag(self, flag: str) -> str:
        """`flag` for the compiler's JVM as the compiler's command takes it."""
        return flag

    static_archive = False

    def archive(self) -> str:
        return _compiler_archive(self.name, self.compiler(), self.hello(), self.jvm_flag(""), self.static_archive)

    def prepare(self) -> list[str]:
        """Build what samples share (the compiler's class-data archive) ahead of a run."""
        return [a for a in (self.archive(),) if a]

    def with_archive(self, argv: tuple[str, ...]) -> tuple[str, ...]:
        archive = self.archive()
        return (argv[0], self.jvm_flag(f"-XX:SharedArchiveFile={archive}"), *argv[1:]) if archive else argv

    def hello(self) -> tuple[str, str]:
        raise NotImplementedError

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str):  # noqa: ANN201 - ExecSpec
        from nl2code.execution.languages import ExecSpec

        source = self.source(problem, program, marker)
        main = main_type(source, self.main_pattern) or "Main"
        source_name = self.source_name(source)
        launcher_name, launcher = self.launcher(source, main, marker)
        files = ((source_name, source.encode()), (launcher_name, launcher.encode()))
        env = self.stage_env()
        compiler = self.with_archive(self.compiler())
        compile_limits = self.compile_limits(limits)
        compile_argv = (compiler[0], *map(self.jvm_flag, compiler_heap_flags(compile_limits)), *compiler[1:], *self.compile_args([source_name, launcher_name]))
        run_argv = (java(), heap_flag(self.run_limits(limits)), *PROGRAM_JVM, *self.run_flags(), "-cp", self.run_classpath(), LAUNCHER)
        stages = (
            Stage("compile", compile_argv, compile_limits, env, compile=True),
            Stage("run", run_argv, self.run_limits(limits), env),
        )
        return ExecSpec(files=files, stages=stages, marker=marker)

    def run_flags(self) -> tuple[str, ...]:
        return ()

    def source_name(self, source: str) -> str:
        return f"main{self.extension}"


class Java(JvmLanguage):
    main_pattern = _JAVA_MAIN
    static_archive = True  # javac's classes are the JDK's own modules'

    def source_name(self, source: str) -> str:
        public = _PUBLIC_CLASS.search(source)  # javac wants a public class in a file of its name
        return f"{public.group(1)}.java" if public else "Main.java"

    def compiler(self) -> tuple[str, ...]:
        return (javac(), *(f"-J{flag}" for flag in COMPILER_JVM), "-encoding", "UTF8", "-cp", JAVATUPLES)

    def jvm_flag(self, flag: str) -> str:
        return f"-J{flag}"

    def hello(self) -> tuple[str, str]:
        return ("Hello.java", "import java.util.*;\nclass Hello { public static void main(String[] a) { List<Integer> x = new ArrayList<>(); x.add(1); assert x.size() == 1; System.out.println(x); } }\n")

    def run_flags(self) -> tuple[str, ...]:
        return ("-ea",)  # the tests are Java `assert` statements

    def run_classpath(self) -> str:
        return _classpath(".", JAVATUPLES if os.path.exists(JAVATUPLES) else "")

    def launcher(self, source: str, main: str, marker: str) -> tuple[str, str]:
        return f"{LAUNCHER}.java", (
            f"public class {LAUNCHER} {{\n"
            f"    public static void main(String[] args) throws Throwable {{\n"
            f"        {main}.main(args);\n"
            f"        System.out.flush();\n"
            f"        System.out.print(\"\\n{marker}\\n\");\n"
            f"        System.out.flush();\n"
            f"    }}\n}}\n"
        )


class Scala(JvmLanguage):
    main_pattern = _SCALA_MAIN

    def compiler(self) -> tuple[str, ...]:
        jars = sorted(glob.glob(f"{SCALA_LIB}/*.jar"))
        return (java(), *COMPILER_JVM, "-cp", _classpath(*jars), f"-Dscala.home={os.path.dirname(SCALA_LIB)}", "-Dscala.usejavacp=true", "scala.tools.nsc.Main")

    def hello(self) -> tuple[str, str]:
        return ("hello.scala", "import scala.collection.mutable._\nobject Hello { def main(args: Array[String]) = { val b = ArrayBuffer(1L, 2L); assert(b.sum == 3L); println(b.mkString(\",\")) } }\n")

    def run_classpath(self) -> str:
        return _classpath(".", f"{SCALA_LIB}/scala-library.jar")

    def launcher(self, source: str, main: str, marker: str) -> tuple[str, str]:
        return f"{LAUNCHER}.scala", (
            f"object {LAUNCHER} {{\n"
            f"  def main(args: Array[String]): Unit = {{\n"
            f"    {main}.main(args)\n"
            f"    Console.out.flush()\n"
            f"    print(\"\\n{marker}\\n\")\n"
            f"    Console.out.flush()\n"
            f"  }}\n}}\n"
        )


class Kotlin(JvmLanguage):
    main_pattern = _KOTLIN_MAIN

    def compiler(self) -> tuple[str, ...]:
        return (
            java(), *COMPILER_JVM, "-cp", f"{KOTLIN_LIB}/kotlin-preloader.jar", "org.jetbrains.kotlin.preloading.Preloader",
            "-cp", f"{KOTLIN_LIB}/kotlin-compiler.jar", "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler", "-no-reflect",
            "-kotlin-home", os.path.dirname(KOTLIN_LIB),
        )

    def compile_args(self, files: list[str]) -> tuple[str, ...]:
        return ("-d", ".", *files)

    def version(self) -> str:
        # Debian's kotlinc script passes -noverify, which this JDK warns about before the version
        return _version((*self.compiler(), "-version"))

    def hello(self) -> tuple[str, str]:
        return ("hello.kt", "fun main() {\n    val x = mutableListOf(1, 2)\n    if (x.sum() != 3) throw Exception(\"no\")\n    println(x)\n}\n")

    def run_classpath(self) -> str:
        return _classpath(".", KOTLIN_STDLIB)

    def launcher(self, source: str, main: str, marker: str) -> tuple[str, str]:
        # the tests' main() is a top-level function of the same (default) package
        found = _KOTLIN_MAIN.search(source)
        call = "main(args)" if found and found.group(1) else "main()"
        return f"{LAUNCHER}.kt", (
            f"object {LAUNCHER} {{\n"
            f"    @JvmStatic fun main(args: Array<String>) {{\n"
            f"        {call}\n"
            f"        System.out.flush()\n"
            f"        print(\"\\n{marker}\\n\")\n"
            f"        System.out.flush()\n"
            f"    }}\n}}\n"
        )


_JDK = ("default-jdk-headless",)
_JVM = dict(processes=256, address_space=False, min_cpu_seconds=2.0, read_paths=(_artifacts.ensure_root(),))

LANGUAGES = (
    Java(
        name="java", title="Java", extension=".java", toolchain=("javac", "java"), version_argv=("javac", "-version"),
        packages={"apt": (*_JDK, "libjavatuples-java")}, **_JVM,
    ),
    Scala(
        name="scala", title="Scala", extension=".scala", toolchain=("java", "scalac"),
        version_argv=("scalac", "-version"), packages={"apt": (*_JDK, "scala")}, **_JVM,
    ),
    Kotlin(
        name="kotlin", title="Kotlin", extension=".kt", toolchain=("java", "kotlinc"),
        version_argv=("kotlinc", "-version"), aliases=("kt", "kts"), packages={"apt": (*_JDK, "kotlin")}, **_JVM,
    ),
)
