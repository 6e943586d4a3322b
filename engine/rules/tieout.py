"""tieout: a column must equal the sum (or count) of matching rows of another table, within a tolerance.

Each row of ``table`` is checked: ``field`` against ``sum``/``count`` over ``from.table`` rows whose
``from.keys`` equal this row's ``keys`` (0 when there are none). Example: a loan's balance in the
IOU table equals the sum of its ledger balances.
"""
from ..expr import compile_expression
from .base import CompileContext, Rule, RuleError, RuleKind, filled


class TieOut(RuleKind):
    name = "tieout"
    gx_unsupported = "cross-table (sum or count of another table's rows)"
    scope = "set"
    category = "数值比较"
    params_schema = {
        "keys": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "from": {"type": "object", "additionalProperties": False, "required": ["table", "keys"],
                 "properties": {"table": {"type": "string"},
                                "keys": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                "sum": {"type": "string"}, "count": {"type": "boolean"},
                                "when": {"type": "string"}}},
        "tolerance": {"type": "number", "minimum": 0},
    }
    required_params = ("keys", "from")

    def tables_needed(self, rule: Rule) -> set[str]:
        return {rule.table, rule.params["from"]["table"]}

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        p, src = rule.params, rule.params["from"]
        other = ctx.catalog.table(src["table"])
        if other is None:
            raise RuleError(f"tie-out from unknown table '{src['table']}'")
        if len(p["keys"]) != len(src["keys"]):
            raise RuleError("tie-out 'keys' and 'from.keys' must have the same length")
        if ("sum" in src) == bool(src.get("count")):
            raise RuleError("tie-out 'from' needs exactly one of 'sum' (a field) or 'count: true'")
        agg = f"sum(TRY_CAST({ctx.column(src['sum'], other)} AS DECIMAL(38, 10)))" if "sum" in src else "count(*)"
        okeys = [ctx.column(k, other) for k in src["keys"]]
        where_other = compile_expression(src["when"], other).sql if src.get("when") else "TRUE"
        keys = [ctx.column(k) for k in p["keys"]]
        join = " AND ".join(f"a._g{i} = s.{k}" for i, k in enumerate(keys))
        own = f"TRY_CAST(s.{ctx.column(rule.field)} AS DECIMAL(38, 10))"
        tol = float(p.get("tolerance", 0))
        group = ", ".join(f"{k} AS _g{i}" for i, k in enumerate(okeys))
        return (f"SELECT s._file, s._line, {ctx.key_sql()} AS _key, "
                f"coalesce(CAST({own} AS VARCHAR), '') || ' ≠ ' || CAST(coalesce(a._total, 0) AS VARCHAR) AS _value "
                f"FROM {ctx.relation(ctx.table.code)} s LEFT JOIN (SELECT {group}, {agg} AS _total "
                f"FROM {ctx.relation(other.code)} WHERE {where_other} GROUP BY ALL) a ON {join} "
                f"WHERE {ctx.when_sql(rule)} AND {' AND '.join(filled('s.' + k) for k in keys)} "
                f"AND {own} IS NOT NULL AND abs({own} - coalesce(a._total, 0)) > {tol}")

    def messages(self, rule, ctx):
        src = rule.params["from"]
        other = ctx.catalog.table(src["table"])
        f = ctx.field(rule.field)
        what_zh = f"{other.name}.{other.field(src['sum']).name}之和" if "sum" in src else f"{other.name}记录数"
        what_en = f"sum of {other.code}.{other.field(src['sum']).code}" if "sum" in src else f"row count of {other.code}"
        return (f"{ctx.table.name}.{f.name}应等于{what_zh}", f"{ctx.table.code}.{f.code} must equal the {what_en}")
