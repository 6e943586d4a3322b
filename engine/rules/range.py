"""range: a numeric field must lie within [min, max] (bounds optional, inclusive by default).

Values that are not numbers are left to the format rule; empty values to the required rule.
"""
from .base import CompileContext, Rule, RuleError, RuleKind


class Range(RuleKind):
    name = "range"
    category = "数值比较"
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

    def messages(self, rule, ctx):
        f, p = ctx.field(rule.field), rule.params
        lo = f"{'[' if p.get('min_inclusive', True) else '('}{p.get('min', '-∞')}"
        hi = f"{p.get('max', '+∞')}{']' if p.get('max_inclusive', True) else ')'}"
        return (f"{ctx.table.name}.{f.name}应在{lo}, {hi}范围内", f"{ctx.table.code}.{f.code} must be within {lo}, {hi}")
