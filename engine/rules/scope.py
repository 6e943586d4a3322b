"""scope: records must belong in this submission (报送范围), judged against the previous 采集日期.

``mode: terminal`` (状态类 tables): a record whose status ``field`` is terminal (e.g. 结清, 核销)
and whose ``date_field`` (e.g. 终结日期) lies before the previous 采集日期 was due last time and
must not be reported again. ``mode: window`` (明细类 tables): ``date_field`` must fall in
(previous 采集日期, 采集日期]. Both need ``--previous-date``; without it the rule is not run.
"""
from ..formats import DATE_DEFAULT
from ..dialects.quoting import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled

COLLECTION_DATE = "coalesce(_file_date, \"CJRQ\")"


def _date(sql: str) -> str:
    return f"TRY_CAST(TRY_STRPTIME({sql}, '%Y%m%d') AS DATE)"


class Scope(RuleKind):
    name = "scope"
    gx_unsupported = "needs the previous collection date (--previous-date)"
    category = "其他"
    needs_params = ("previous_date",)
    params_schema = {
        "mode": {"enum": ["terminal", "window"]},
        "terminal": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "date_field": {"type": "string"},
    }
    required_params = ("mode", "date_field")
    needs_field = False

    def check(self, rule: Rule, ctx: CompileContext) -> None:
        if rule.params["mode"] == "terminal" and (not rule.field or "terminal" not in rule.params):
            raise RuleError("scope mode 'terminal' needs 'field' (the status) and 'terminal' (its end states)")
        ctx.field(rule.params["date_field"])
        if rule.field:
            ctx.field(rule.field)
        super().check(rule, ctx.with_params(previous_date=ctx.params.get("previous_date", "19000101")))

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        previous = _date(sql_quote(ctx.params["previous_date"]))
        date_col = ctx.column(p["date_field"])
        day = _date(date_col)
        guard = f"{filled(date_col)} AND {date_col} <> '{DATE_DEFAULT}'"
        if p["mode"] == "terminal":
            states = ", ".join(sql_quote(v) for v in p["terminal"])
            return f"({ctx.column(rule.field)} IN ({states}) AND {guard} AND {day} < {previous})"
        return f"({guard} AND ({day} <= {previous} OR {day} > {_date(COLLECTION_DATE)}))"

    def evidence(self, rule: Rule, ctx: CompileContext) -> str:
        refs = ([rule.field] if rule.field else []) + [rule.params["date_field"]]
        return ctx.values(refs)

    def messages(self, rule, ctx):
        p = rule.params
        d = ctx.field(p["date_field"])
        if p["mode"] == "terminal":
            f = ctx.field(rule.field)
            states = "、".join(p["terminal"])
            return (f"{ctx.table.name}：{f.name}为{states}且{d.name}早于上期采集日期的记录不应再报送",
                    f"{ctx.table.code}: records with {f.code} in ({', '.join(p['terminal'])}) ended before the previous "
                    f"collection date must not be reported again")
        return (f"{ctx.table.name}.{d.name}应在上期采集日期（不含）与本期采集日期（含）之间",
                f"{ctx.table.code}.{d.code} must fall after the previous and on or before this collection date")
