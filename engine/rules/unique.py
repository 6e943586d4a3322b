"""unique: rows must not repeat a (composite) key; with ``maps_to``, each key value maps to one value.

``fields: [XDJJH, CJRQ]`` flags every row whose key occurs more than once (唯一性校验).
``fields: [KHTYBH]`` + ``maps_to: [ZJLB, ZJHM]`` flags rows of keys carrying more than one
distinct mapped value ("A对应B应该唯一"). Rows with an empty key field are skipped.
"""
from ..spec import TableSpec
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind, filled
from .expect import Expectation, column


class Unique(RuleKind):
    name = "unique"
    scope = "set"
    category = "唯一性"
    needs_field = False
    params_schema = {
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "maps_to": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    }
    required_params = ("fields",)

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        keys = [ctx.column(f) for f in rule.params["fields"]]
        partition = ", ".join(keys)
        where = " AND ".join([ctx.when_sql(rule)] + [filled(k) for k in keys])
        if "maps_to" in rule.params:
            target = ctx.values(rule.params["maps_to"])
            # NULL (an empty CSV/Parquet cell) and '' are the same "empty" value
            raw = f"concat_ws(chr(1), {', '.join(f'coalesce({ctx.column(f)}, {chr(39) * 2})' for f in rule.params['maps_to'])})"
            test = f"min({raw}) <> max({raw})"
            evidence = f"{ctx.values(rule.params['fields'])} || ' → ' || coalesce({target}, '')"
        else:
            test = "count(*) > 1"
            evidence = ctx.values(rule.params["fields"])
        if not keys:
            raise RuleError("unique rule needs 'fields'")
        # the offending keys first (one aggregate over the key columns only), then their rows:
        # key and evidence are built for failing rows alone, and the aggregate spills if it must
        rel = ctx.relation(ctx.table.code)
        bad = ", ".join(f"{k} AS _k{i}" for i, k in enumerate(keys))
        on = " AND ".join(f"_s.{k} = _d._k{i}" for i, k in enumerate(keys))
        return (f"SELECT _file, _line, {ctx.key_sql()} AS _key, {evidence} AS _value FROM {rel} _s SEMI JOIN "
                f"(SELECT {bad} FROM {rel} WHERE {where} GROUP BY {partition} HAVING {test}) _d ON {on} WHERE {where}")

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        if "maps_to" in rule.params:
            raise NotExpressible("'A maps to one B' has no GX expectation")
        columns = [column(rule, ctx, f) for f in rule.params["fields"]]
        if len(columns) == 1:
            return [("expect_column_values_to_be_unique", {"column": columns[0]})]
        return [("expect_compound_columns_to_be_unique",
                 {"column_list": columns, "ignore_row_if": "any_value_is_missing"})]

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        """Two rows sharing a key unlike the clean row's (CJRQ kept: every row has the same)."""
        dup = {**clean, **{k: f"DUP{clean[k]}"[: table.field(k).format.width or 60]
                           for k in rule.params["fields"] if k != "CJRQ"}}
        return [dup, dict(dup)]

    def messages(self, rule, ctx):
        names = "+".join(ctx.field(f).name for f in rule.params["fields"])
        codes = "+".join(ctx.field(f).code for f in rule.params["fields"])
        if "maps_to" in rule.params:
            to_names = "+".join(ctx.field(f).name for f in rule.params["maps_to"])
            to_codes = "+".join(ctx.field(f).code for f in rule.params["maps_to"])
            return (f"{ctx.table.name}.{names}对应{to_names}应该唯一",
                    f"each {ctx.table.code}.{codes} must map to one {to_codes}")
        return f"{ctx.table.name}.{names}应唯一", f"{ctx.table.code}.{codes} must be unique"
