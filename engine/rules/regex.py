"""regex: a non-empty field must fully match a regular expression (RE2 syntax, as DuckDB)."""
import re

from ..formats import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled


class Regex(RuleKind):
    name = "regex"
    category = "其他"
    params_schema = {"pattern": {"type": "string", "minLength": 1}}
    required_params = ("pattern",)

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        pattern = rule.params["pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleError(f"invalid regular expression {pattern!r}: {exc}") from None
        col = ctx.column(rule.field)
        return f"({filled(col)} AND NOT regexp_full_match({col}, {sql_quote(pattern)}))"

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return (f"{ctx.table.name}.{f.name}非空时必须符合模式 {rule.params['pattern']}",
                f"{ctx.table.code}.{f.code}, when filled, must match {rule.params['pattern']}")
