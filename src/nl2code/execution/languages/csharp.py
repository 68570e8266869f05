"""C# on Mono: `mcs` compiles, `mono` runs, both inside the sandbox.

The tests are `Debug.Assert` calls (MultiPL-E, compiled with DEBUG defined) or exceptions (MBXP).
Mono's default assertion handler only prints and carries on, so nl2code's launcher installs a
trace listener that ends the program with status 1 at the first failed assertion, calls the
tests' `Main`, and prints the end marker after it returns.

MBXP's tests compare with KellermanSoftware.CompareNetObjects, a NuGet package that none of the
registries nl2code installs from carries: nl2code builds its own small stand-in
(`support/CompareNetObjects.cs`, see docs/languages.md) once per Mono version and passes it to
every compilation; the samples read it, never write it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from nl2code.execution.languages import ExecSpec, Language, Stage, _version
from nl2code.execution.languages import _artifacts
from nl2code.records import Limits, Problem

COMPARE_DLL = "KellermanSoftware.CompareNetObjects.dll"
REFERENCES = ("System.Numerics.dll",)

_LAUNCHER = """using System;
using System.Diagnostics;
using System.Reflection;

class Nl2codeAssertListener : TraceListener {
    public override void Write(string message) { }
    public override void WriteLine(string message) { }
    public override void Fail(string message) { Fail(message, null); }
    public override void Fail(string message, string detail) {
        Console.Out.Flush();
        Console.Error.WriteLine(("Debug.Assert failed " + message + " " + detail).Trim());
        Environment.Exit(1);
    }
}

static class Nl2codeMain {
    static void Main(string[] args) {
        Debug.Listeners.Clear();
        Debug.Listeners.Add(new Nl2codeAssertListener());
        MethodInfo tests = null;
        int found = 0;
        foreach (Type type in typeof(Nl2codeMain).Assembly.GetTypes()) {
            if (type == typeof(Nl2codeMain)) continue;
            MethodInfo main = type.GetMethod("Main", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
            if (main != null) { tests = main; found++; }
        }
        // as with the compiler's own choice of entry point: exactly one Main
        if (found != 1) { Console.Error.WriteLine("nl2code: the program has " + found + " Main methods, not one"); Environment.Exit(3); }
        try {
            tests.Invoke(null, tests.GetParameters().Length == 0 ? null : new object[] { args });
        } catch (TargetInvocationException e) {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        Console.Out.Flush();
        Console.Out.Write("\\n@MARKER@\\n");
        Console.Out.Flush();
    }
}
"""


@cache
def compare_dll(mcs: str) -> str:
    """The directory of nl2code's CompareNetObjects stand-in, built once per Mono version; ""
    when it cannot be built."""
    source = resources.files("nl2code.execution.languages").joinpath("support/CompareNetObjects.cs").read_text()

    def make(work: Path) -> None:
        (work / "CompareNetObjects.cs").write_text(source)
        _artifacts.run([mcs, "-target:library", "-optimize+", *(f"-r:{r}" for r in REFERENCES), f"-out:{COMPARE_DLL}", "CompareNetObjects.cs"], cwd=work)
        (work / "CompareNetObjects.cs").unlink()

    built = _artifacts.build("csharp-compare", _version(("mono", "--version")) + _version((mcs, "--version")), source, make)
    return str(built) if built else ""


class CSharp(Language):
    def prepare(self) -> list[str]:
        """Build the CompareNetObjects stand-in ahead of a run."""
        mcs = self.executable("mcs")
        return [d for d in (compare_dll(mcs),) if d] if mcs else []

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        mcs = self.executable("mcs") or "mcs"
        mono = self.executable("mono") or "mono"
        source = f"{program}\n{problem.test}\n"
        references = [f"-r:{r}" for r in REFERENCES]
        env = self.stage_env()
        compare = compare_dll(mcs) if "CompareNetObjects" in source else ""
        if compare and "CompareNetObjects" in source:
            references.append(f"-r:{compare}/{COMPARE_DLL}")
            env = env + (("MONO_PATH", compare),)
        launcher = _LAUNCHER.replace("@MARKER@", marker)
        files = (("main.cs", source.encode()), ("nl2code_main.cs", launcher.encode()))
        compile_argv = (mcs, "-d:DEBUG", *references, "-main:Nl2codeMain", "-out:main.exe", "main.cs", "nl2code_main.cs")
        stages = (
            Stage("compile", compile_argv, self.compile_limits(limits), env, compile=True),
            Stage("run", (mono, "main.exe"), self.run_limits(limits), env),
        )
        return ExecSpec(files=files, stages=stages, marker=marker)


LANGUAGE = CSharp(
    name="csharp",
    title="C#",
    extension=".cs",
    toolchain=("mcs", "mono"),
    version_argv=("mono", "--version"),
    aliases=("cs", "c#"),
    packages={"apt": ("mono-mcs", "mono-runtime", "libmono-system-core4.0-cil", "libmono-system-numerics4.0-cil")},
    read_paths=(_artifacts.ensure_root(),),
    processes=128,
    address_space=False,
    env=(("MONO_DISABLE_SHARED_AREA", "1"), ("MONO_ENV_OPTIONS", "")),
)
