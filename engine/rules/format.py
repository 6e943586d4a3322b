"""format: the text of a non-empty field must match its format code (C..n, D20.2, YYYYMMDD …)."""
from ..formats import parse_format, violation_sql
from .base import CompileContext, Rule, RuleError, RuleKind, filled

CATEGORY_BY_KIND = {"date": "日期格式", "yearmonth": "日期格式", "time": "日期格式", "char": "长度"}


def format_category(fmt) -> str:
    """Dates and times are 日期格式, text widths 长度, numbers 其他."""
    return CATEGORY_BY_KIND.get(fmt.kind, "其他")


class Format(RuleKind):
    name = "format"
    category = "长度"
    params_schema = {"format": {"type": "string"}}

    def _format(self, rule: Rule, ctx: CompileContext):
        code = rule.params.get("format")
        if code is None:
            return ctx.field(rule.field).format
        try:
            return parse_format(code)
        except ValueError as exc:
            raise RuleError(str(exc)) from None

    def default_category(self, rule: Rule, ctx: CompileContext) -> str:
        return format_category(self._format(rule, ctx))

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        return f"({filled(col)} AND {violation_sql(self._format(rule, ctx), col)})"

    def messages(self, rule, ctx):
        f, fmt = ctx.field(rule.field), self._format(rule, ctx)
        return (f"{ctx.table.name}.{f.name}非空时必须符合格式{fmt.code}",
                f"{ctx.table.code}.{f.code}, when filled, must be {fmt.describe()} (format {fmt.code})")
