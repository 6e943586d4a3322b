"""deadline: a thing must be done (``field``, YYYYMMDD) within a period after an event.

The event date is another field (``after``) or a run parameter (``after_param``). The period is
``within`` N ``unit`` (working_days | days | months), counted from the event date or, with
``end_of: quarter|month``, from the end of its quarter/month ("季度结束后30日内"). The event day
itself is not counted. A calendar-day or month period whose last day is not a working day ends on
the next working day (民法典 art. 203) unless ``extend_to_workday: false``.

Working days come from ``_jh_workdays`` (engine/workdays.py): the deadline is found by ordinal
lookup, one join. A row whose deadline falls in a year the calendar does not cover is not
guessed and not passed: it is reported under the rule with the value "…calendar does not cover
2027", so the run fails closed until a calendar file for that year is given. Rows with an empty,
unparsable or default (99991231) date are skipped.
"""
from ..formats import DATE_DEFAULT
from ..dialects.quoting import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled

UNITS = {"working_days": ("个工作日", "working days"), "days": ("日", "calendar days"), "months": ("个月", "months")}
ANCHORS = {"quarter": ("所在季度末", "the end of the quarter of"), "month": ("所在月末", "the end of the month of")}


def _date(sql: str) -> str:
    return f"TRY_CAST(TRY_STRPTIME({sql}, '%Y%m%d') AS DATE)"


def _usable(col: str) -> str:
    return f"{filled(col)} AND {col} <> '{DATE_DEFAULT}'"


class Deadline(RuleKind):
    name = "deadline"
    scope = "set"
    category = "其他"
    params_schema = {
        "after": {"type": "string"},
        "after_param": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "within": {"type": "integer", "minimum": 0},
        "unit": {"enum": list(UNITS)},
        "end_of": {"enum": list(ANCHORS)},
        "extend_to_workday": {"type": "boolean"},
    }
    required_params = ("within", "unit")

    def check(self, rule: Rule, ctx: CompileContext) -> None:
        p = rule.params
        if ("after" in p) == ("after_param" in p):
            raise RuleError("deadline needs exactly one of 'after' (the event date field) or 'after_param'")
        if "after" in p:
            ctx.field(p["after"])
        super().check(rule, ctx)

    def _start(self, rule: Rule, ctx: CompileContext) -> tuple[str, str]:
        """(SQL of the event date, guard that it is usable)."""
        p = rule.params
        if "after" in p:
            col = ctx.column(p["after"])
            start, guard = _date(col), _usable(col)
        elif p["after_param"] in ctx.params:
            start, guard = _date(sql_quote(str(ctx.params[p["after_param"]]))), "TRUE"
        else:  # no value for this run: the rule is reported not run with this reason
            reason = f"needs the run parameter '{p['after_param']}', not given"
            start, guard = f"CAST(error({sql_quote(reason)}) AS DATE)", "TRUE"
        anchor = p.get("end_of")
        if anchor == "month":
            start = f"last_day({start})"
        elif anchor == "quarter":
            start = f"last_day(CAST(date_trunc('quarter', {start}) + INTERVAL 2 MONTH AS DATE))"
        return start, guard

    def _evidence(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        if "after" in p:
            return ctx.values([rule.field, p["after"]])
        done = sql_quote(ctx.field(rule.field).code + "=")
        given = sql_quote(f"; {p['after_param']}={ctx.params.get(p['after_param'], '')}")
        return f"{done} || coalesce({ctx.value(rule.field)}, '') || {given}"

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        n, unit = int(p["within"]), p["unit"]
        col = ctx.column(rule.field)
        start, guard = self._start(rule, ctx)
        if unit == "working_days":
            base, step = start, str(n)
        else:
            base = f"CAST({start} + INTERVAL {n} {'DAY' if unit == 'days' else 'MONTH'} AS DATE)"
            step = "CASE WHEN b.workday THEN 0 ELSE 1 END"
        src = (f"SELECT _file, _line, {ctx.key_sql()} AS _key, {self._evidence(rule, ctx)} AS _ev, "
               f"{_date(col)} AS _done, {base} AS _base FROM {ctx.relation(ctx.table.code)} "
               f"WHERE {ctx.when_sql(rule)} AND {_usable(col)} AND {guard}")
        fmt = "strftime({}, '%Y%m%d')"
        if unit != "working_days" and p.get("extend_to_workday") is False:
            return (f"SELECT _file, _line, _key, _ev || '; 截止日期/deadline=' || {fmt.format('_base')} AS _value "
                    f"FROM ({src}) WHERE _done IS NOT NULL AND _base IS NOT NULL AND _done > _base")
        due = "greatest(w.d, s._base)"
        gap_year = "CAST(CASE WHEN b.seg IS NULL THEN year(s._base) ELSE year(sp.last_day) + 1 END AS VARCHAR)"
        return (
            f"SELECT s._file AS _file, s._line AS _line, s._key AS _key, CASE WHEN w.d IS NULL THEN "
            f"s._ev || '; 截止日期无法确定：工作日历未覆盖' || {gap_year} || '年 (deadline unknown: the working-day "
            f"calendar does not cover ' || {gap_year} || ')' "
            f"ELSE s._ev || '; 截止日期/deadline=' || {fmt.format(due)} END AS _value "
            f"FROM ({src}) s "
            f"LEFT JOIN _jh_workdays b ON b.d = s._base "
            f"LEFT JOIN _jh_workdays w ON w.seg = b.seg AND w.workday AND w.n = b.n + {step} "
            f"LEFT JOIN _jh_workdays dn ON dn.d = s._done AND dn.seg = b.seg "
            f"LEFT JOIN _jh_workday_spans sp ON sp.seg = b.seg "
            f"WHERE s._done IS NOT NULL AND s._base IS NOT NULL AND CASE WHEN w.d IS NOT NULL THEN s._done > {due} "
            f"ELSE s._done > s._base AND dn.d IS NULL END")

    def messages(self, rule: Rule, ctx: CompileContext) -> tuple[str, str]:
        p = rule.params
        f = ctx.field(rule.field)
        if "after" in p:
            a = ctx.field(p["after"])
            event_zh, event_en = a.name, f"{ctx.table.code}.{a.code}"
        else:
            event_zh, event_en = f"运行参数{p['after_param']}", f"the run parameter {p['after_param']}"
        anchor_zh, anchor_en = ANCHORS.get(p.get("end_of"), ("", ""))
        unit_zh, unit_en = UNITS[p["unit"]]
        extend = p["unit"] != "working_days" and p.get("extend_to_workday") is not False
        zh = (f"{ctx.table.name}.{f.name}应在{event_zh}{anchor_zh}后{p['within']}{unit_zh}内"
              + ("（最后一日为休假日的，顺延至其后第一个工作日）" if extend else ""))
        en = (f"{ctx.table.code}.{f.code} must be no later than {p['within']} {unit_en} after "
              f"{anchor_en + ' ' if anchor_en else ''}{event_en}"
              + (" (a last day that is not a working day moves to the next working day)" if extend else ""))
        return zh, en
