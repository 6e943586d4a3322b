"""regex: a non-empty field must fully match a regular expression (RE2 syntax, as DuckDB)."""
from functools import lru_cache

import duckdb

from ..dialects.quoting import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled


class Regex(RuleKind):
    name = "regex"
    category = "其他"
    params_schema = {"pattern": {"type": "string", "minLength": 1}}
    required_params = ("pattern",)

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        pattern = rule.params["pattern"]
        problem = re2_problem(pattern)
        if problem:
            raise RuleError(f"invalid regular expression {pattern!r} (RE2 syntax, e.g. \\x{{4e00}} or \\p{{Han}}): {problem}")
        col = ctx.column(rule.field)
        return f"({filled(col)} AND NOT regexp_full_match({col}, {sql_quote(pattern)}))"

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return (f"{ctx.table.name}.{f.name}非空时必须符合模式 {rule.params['pattern']}",
                f"{ctx.table.code}.{f.code}, when filled, must match {rule.params['pattern']}")


@lru_cache(maxsize=None)
def re2_problem(pattern: str) -> str | None:
    """Compile the pattern with DuckDB's own RE2, the engine that will run it; None when fine."""
    try:
        duckdb.connect().execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    return None
