"""compare: field <op> other field or constant, compared as number, date or text.

Rows where either side is empty (or, for dates, the default 99991231, unless
``skip_default: false``) or cannot be read as the type are skipped: other rules judge those.
"""
from decimal import Decimal, InvalidOperation

from ..formats import DATE_DEFAULT
from ..dialects.quoting import sql_quote
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind, filled
from .expect import Expectation, column

OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "==": "=", "!=": "<>", "<>": "<>"}
OPS_ZH = {"<": "小于", "<=": "小于等于", ">": "大于", ">=": "大于等于", "=": "等于", "==": "等于", "!=": "不等于", "<>": "不等于"}


class Compare(RuleKind):
    name = "compare"
    category = "数值比较"
    params_schema = {
        "op": {"enum": sorted(OPS)},
        "other": {"type": "string"},
        "value": {"type": ["string", "number"]},
        "type": {"enum": ["number", "date", "text"]},
        "skip_default": {"type": "boolean"},
    }
    required_params = ("op",)

    def _typed(self, sql: str, kind: str) -> str:
        if kind == "number":
            return f"TRY_CAST({sql} AS DECIMAL(38, 10))"
        if kind == "date":
            return f"TRY_CAST(TRY_STRPTIME({sql}, '%Y%m%d') AS DATE)"
        return sql

    def _kind(self, rule: Rule, ctx: CompileContext) -> str:
        if "type" in rule.params:
            return rule.params["type"]
        fmt = ctx.field(rule.field).format
        return "number" if fmt.is_numeric else "date" if fmt.kind == "date" else "text"

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        if ("other" in p) == ("value" in p):
            raise RuleError("compare rule needs exactly one of 'other' (a field) or 'value' (a constant)")
        kind = self._kind(rule, ctx)
        left_col = ctx.column(rule.field)
        guards = [filled(left_col)]
        if "other" in p:
            right_col = ctx.column(p["other"])
            guards.append(filled(right_col))
            right = self._typed(right_col, kind)
            cols = [left_col, right_col]
        else:
            right = self._typed(sql_quote(str(p["value"])), kind)
            if kind == "number":
                try:
                    Decimal(str(p["value"]))
                except InvalidOperation:
                    raise RuleError(f"compare value '{p['value']}' is not a number") from None
                right = f"CAST({sql_quote(str(p['value']))} AS DECIMAL(38, 10))"
            cols = [left_col]
        if kind == "date" and p.get("skip_default", True):
            guards += [f"{c} <> '{DATE_DEFAULT}'" for c in cols]
        left = self._typed(left_col, kind)
        return f"({' AND '.join(guards)} AND NOT coalesce({left} {OPS[p['op']]} {right}, TRUE))"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        """Two text fields as a GX column pair; numbers, dates and constants are not expressible."""
        p = rule.params
        kind = self._kind(rule, ctx)
        if kind != "text":
            raise NotExpressible(f"compares as {kind}s, skipping values that are not; GX compares typed values")
        if "other" not in p:
            raise NotExpressible("compare with a constant has no GX expectation on text")
        a, b = column(rule, ctx), column(rule, ctx, p["other"])
        op = p["op"]
        missing = {"ignore_row_if": "either_value_is_missing"}
        if op in ("=", "=="):
            return [("expect_column_pair_values_to_be_equal", {"column_A": a, "column_B": b, **missing})]
        if op in (">", ">="):
            return [("expect_column_pair_values_a_to_be_greater_than_b",
                     {"column_A": a, "column_B": b, "or_equal": op == ">=", **missing})]
        if op in ("<", "<="):
            return [("expect_column_pair_values_a_to_be_greater_than_b",
                     {"column_A": b, "column_B": a, "or_equal": op == "<=", **missing})]
        raise NotExpressible(f"operator {op} has no GX column-pair expectation")

    def evidence(self, rule: Rule, ctx: CompileContext) -> str:
        refs = [rule.field] + ([rule.params["other"]] if "other" in rule.params else [])
        return ctx.values(refs)

    def messages(self, rule, ctx):
        p, f = rule.params, ctx.field(rule.field)
        if "other" in p:
            o = ctx.field(p["other"])
            zh_right, en_right = o.name, o.code
        else:
            zh_right = en_right = str(p["value"])
        return (f"{ctx.table.name}.{f.name}应{OPS_ZH[p['op']]}{zh_right}",
                f"{ctx.table.code}.{f.code} must be {p['op']} {en_right}")
