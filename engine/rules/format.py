"""format: the text of a non-empty field must match its format code (C..n, D20.2, YYYYMMDD …)."""
from ..formats import DATE_DEFAULT, YEARMONTH_DEFAULT, parse_format, violation_sql
from ..spec import Field, TableSpec
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind, filled, with_value
from .expect import Expectation, column, match_regex

CATEGORY_BY_KIND = {"date": "日期格式", "yearmonth": "日期格式", "time": "日期格式", "char": "长度"}
MD31 = "(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])"
MD30 = "(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
FEB = "02(?:0[1-9]|1[0-9]|2[0-8])"
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00|0000)"
FORMAT_REGEX = {  # the text each format code accepts, as formats.violation_sql judges it (GX export)
    "date": f"{DATE_DEFAULT}|[0-9]{{4}}(?:{MD31}|{MD30}|{FEB})|{LEAP_YEAR}0229",
    "yearmonth": f"{YEARMONTH_DEFAULT}|[1-9][0-9]{{3}}(?:0[1-9]|1[0-2])",
    "time": "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]",
    "float": r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?",
}


def broken_value(f: Field) -> str:
    """A value that breaks the field's format code."""
    fmt = f.format
    return {"date": "20231301", "yearmonth": "202313", "time": "246060", "int": "+1", "decimal": "1.2.3",
            "float": "abc"}.get(fmt.kind) or "X" * ((fmt.width or 1) + 1)


def format_category(fmt) -> str:
    """Dates and times are 日期格式, text widths 长度, numbers 其他."""
    return CATEGORY_BY_KIND.get(fmt.kind, "其他")


class Format(RuleKind):
    name = "format"
    category = "长度"
    fires_on = "filled"
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

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        """A regex of the text the format accepts; text widths count UTF-8 bytes, which GX cannot."""
        fmt = self._format(rule, ctx)
        col = column(rule, ctx)
        if fmt.kind == "char":
            raise NotExpressible(f"format {fmt.code} counts UTF-8 bytes; GX counts characters")
        if fmt.kind == "int":
            digits = f"{{0,{fmt.width - 1}}}" if fmt.width else "*"
            return match_regex(col, f"^-?(?:0|[1-9][0-9]{digits})\\Z")
        if fmt.kind == "decimal":
            frac = f"(?:\\.[0-9]{{1,{fmt.scale}}})?" if fmt.scale else ""
            # at most ``width`` characters (the text is ASCII once it matches, so bytes = characters)
            return match_regex(col, f"^(?=.{{1,{fmt.width}}}\\Z)-?(?:0|[1-9][0-9]*){frac}\\Z")
        return match_regex(col, f"^(?:{FORMAT_REGEX[fmt.kind]})\\Z")

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return with_value(rule, table, clean, broken_value(table.field(rule.field)))

    def messages(self, rule, ctx):
        f, fmt = ctx.field(rule.field), self._format(rule, ctx)
        return (f"{ctx.table.name}.{f.name}非空时必须符合格式{fmt.code}",
                f"{ctx.table.code}.{f.code}, when filled, must be {fmt.describe()} (format {fmt.code})")
