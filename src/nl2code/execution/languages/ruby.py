"""Ruby. MultiPL-E's tests are a Test::Unit case that test-unit runs when the interpreter exits;
a marker printed after the test code would run before them. So where test-unit is loaded, the
appended code turns its autorun off, runs the tests itself, prints the marker only when they all
passed and exits 1 otherwise (the status MultiPL-E reads). mxeval's tests raise."""

from __future__ import annotations

from nl2code.execution.languages._interpreted import Interpreted

_RUN_AND_MARK = """if defined?(Test::Unit::AutoRunner)
  Test::Unit::AutoRunner.need_auto_run = false
  nl2code_passed = Test::Unit::AutoRunner.run
  $stdout.write("\\n{marker}\\n") if nl2code_passed
  $stdout.flush
  exit!(nl2code_passed ? 0 : 1)
else
  $stdout.write("\\n{marker}\\n")
end"""

LANGUAGE = Interpreted(
    name="ruby", title="Ruby", extension=".rb", toolchain=("ruby",), version_argv=("ruby", "--version"),
    aliases=("rb",), packages={"apt": ("ruby",)}, run_argv=("ruby",), marker_template=_RUN_AND_MARK,
)
