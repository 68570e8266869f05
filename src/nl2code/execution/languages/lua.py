"""Lua. MultiPL-E's tests end with `os.exit(lu.LuaUnit.run())`, so nothing after them runs; a
prelude wraps luaunit's `LuaUnit.run` when the tests load luaunit, and prints the marker when it
returns 0 (all tests passed). Tests without luaunit get the marker after them."""

from __future__ import annotations

from dataclasses import dataclass

from nl2code.execution.languages._interpreted import Interpreted
from nl2code.records import Problem

_PRELUDE = """local nl2code_require = require
require = function(name, ...)
  local module = nl2code_require(name, ...)
  if name == "luaunit" and type(module) == "table" and not rawget(module, "nl2code_wrapped") then
    rawset(module, "nl2code_wrapped", true)
    local run = module.LuaUnit.run
    module.LuaUnit.run = function(...)
      local result = run(...)
      if result == 0 then io.stdout:write("\\n{marker}\\n"); io.stdout:flush() end
      return result
    end
  end
  return module
end
"""


@dataclass(frozen=True)
class Lua(Interpreted):
    def source(self, problem: Problem, program: str, marker: str) -> str:
        if "luaunit" in problem.test:
            return f"{_PRELUDE.replace('{marker}', marker)}{program}\n{problem.test}\n"
        return super().source(problem, program, marker)


LANGUAGE = Lua(
    name="lua", title="Lua", extension=".lua", toolchain=("lua5.3",), version_argv=("lua5.3", "-v"),
    packages={"apt": ("lua5.3", "lua-unit")}, run_argv=("lua5.3",), marker_template='io.stdout:write("\\n{marker}\\n")',
)
