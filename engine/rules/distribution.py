"""distribution: a field must not hold the same value on every row ("不允许所有数据都为相同值").

A table-level finding (no single record is at fault); it reports the repeated value.
Tables with fewer than ``min_rows`` (default 2) filled rows are not judged.
"""
from .base import CompileContext, Rule, RuleKind, filled


class Distribution(RuleKind):
    name = "distribution"
    gx_unsupported = "table-level (no single record fails; GX reports no unexpected count)"
    scope = "set"
    category = "其他"
    table_level = True
    params_schema = {"min_rows": {"type": "integer", "minimum": 2}}

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        min_rows = int(rule.params.get("min_rows", 2))
        return (f"SELECT string_agg(DISTINCT _file, ',' ORDER BY _file) AS _file, NULL::BIGINT AS _line, NULL::VARCHAR AS _key, "
                f"'all ' || count(*) || ' rows = ' || any_value({ctx.value(rule.field)}) AS _value "
                f"FROM {ctx.relation(ctx.table.code)} WHERE {ctx.when_sql(rule)} AND {filled(col)} "
                f"HAVING count(*) >= {min_rows} AND count(DISTINCT {col}) = 1")

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return f"{ctx.table.name}.{f.name}不允许所有数据都为相同值", f"{ctx.table.code}.{f.code} must not be the same on all rows"
