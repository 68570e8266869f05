"""Trusted test-harness code that benchmarks put in a problem's test prelude when the sample's code
is bound as text (`Problem.source_as_text`): the sandboxed child runs it, on the sample's code, as
the benchmark's own harness would. It holds no expected value: those stay in the driver."""

from __future__ import annotations


def exec_source(transform: str = "") -> str:
    """Run the sample's code as the module (after `transform`, an expression of `__source__`)."""
    source = transform or "__source__"
    return f"exec(compile({source}, '<sample>', 'exec'), globals())\n"
