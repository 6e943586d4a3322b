"""range: a numeric field must lie within [min, max] (bounds optional, inclusive by default).

Values that are not numbers are left to the format rule; empty values to the required rule.
"""
from decimal import Decimal

from ..spec import Catalog, TableSpec
from .base import CompileContext, Rule, RuleError, RuleKind


class Range(RuleKind):
    name = "range"
    gx_unsupported = "reads the text as a number and skips what is not one; GX compares typed values"
    category = "数值比较"
    fires_on = "filled"
    params_schema = {
        "min": {"type": "number"}, "max": {"type": "number"},
        "min_inclusive": {"type": "boolean"}, "max_inclusive": {"type": "boolean"},
    }

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        if "min" not in p and "max" not in p:
            raise RuleError("range rule needs 'min' and/or 'max'")
        num = f"TRY_CAST({ctx.column(rule.field)} AS DECIMAL(38, 10))"
        bad = []
        if "min" in p:
            bad.append(f"{num} {'<' if p.get('min_inclusive', True) else '<='} {p['min']}")
        if "max" in p:
            bad.append(f"{num} {'>' if p.get('max_inclusive', True) else '>='} {p['max']}")
        return f"({num} IS NOT NULL AND ({' OR '.join(bad)}))"

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        p = rule.params
        if "min" not in p or "max" not in p:
            return []
        lo, hi = Decimal(str(p["min"])), Decimal(str(p["max"]))
        if lo > hi:
            return [f"range can never be met: min {p['min']} > max {p['max']}"]
        if lo == hi and not (p.get("min_inclusive", True) and p.get("max_inclusive", True)):
            return [f"range ({p['min']}, {p['max']}) with an exclusive bound is empty"]
        return []

    def messages(self, rule, ctx):
        f, p = ctx.field(rule.field), rule.params
        lo = f"{'[' if p.get('min_inclusive', True) else '('}{p.get('min', '-∞')}"
        hi = f"{p.get('max', '+∞')}{']' if p.get('max_inclusive', True) else ')'}"
        return (f"{ctx.table.name}.{f.name}应在{lo}, {hi}范围内", f"{ctx.table.code}.{f.code} must be within {lo}, {hi}")
