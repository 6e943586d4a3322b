"""reference: a non-empty value must exist in at least one of several tables/columns (关联校验).

``targets: [{table: GRJCXXB, fields: [KHTYBH]}, {table: DGKHXXB, fields: [KHTYBH]}]``;
each target may carry its own ``when`` (a condition on the *source* row choosing the target).
"""
from ..expr import compile_expression
from ..spec import TableSpec
from .base import CompileContext, Rule, RuleError, RuleKind, filled


class Reference(RuleKind):
    name = "reference"
    gx_unsupported = "cross-table (the value must exist in another table)"
    scope = "set"
    category = "关联"
    needs_field = False
    params_schema = {
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "targets": {
            "type": "array", "minItems": 1,
            "items": {"type": "object", "additionalProperties": False, "required": ["table", "fields"],
                      "properties": {"table": {"type": "string"},
                                     "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                     "when": {"type": "string"}}},
        },
    }
    required_params = ("targets",)

    def _fields(self, rule: Rule) -> list[str]:
        fields = rule.params.get("fields") or ([rule.field] if rule.field else [])
        if not fields:
            raise RuleError("reference rule needs 'field' or 'fields'")
        return fields

    def _targets(self, rule: Rule, ctx: CompileContext):
        for target in rule.params["targets"]:
            spec = ctx.catalog.table(target["table"])
            if spec is None:
                raise RuleError(f"reference to unknown table '{target['table']}'")
            if len(target["fields"]) != len(self._fields(rule)):
                raise RuleError(f"reference to {spec.code}: {len(target['fields'])} target fields for "
                                f"{len(self._fields(rule))} source fields")
            yield spec, [ctx.field(f, spec).code for f in target["fields"]], target.get("when")

    def tables_needed(self, rule: Rule) -> set[str]:
        return {rule.table} | {t["table"] for t in rule.params["targets"]}

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        src = [ctx.column(f) for f in self._fields(rule)]
        targets = list(self._targets(rule, ctx))
        select = f"SELECT _file, _line, {ctx.key_sql()} AS _key, {ctx.values(self._fields(rule))} AS _value"
        rows = " AND ".join([ctx.when_sql(rule)] + [filled(c) for c in src])
        if not any(when for _, _, when in targets):
            # every target applies to every row: anti-joins (hash tables on the targets' keys; a
            # correlated subquery would first copy the rows it is asked about)
            anti = " ".join(f"ANTI JOIN {ctx.relation(spec.code)} _t{n} ON "
                            + " AND ".join(f"_t{n}.{ctx.column(c, spec)} = s.{s}" for c, s in zip(cols, src))
                            for n, (spec, cols, _) in enumerate(targets))
            return f"{select} FROM {ctx.relation(ctx.table.code)} s {anti} WHERE {rows}"
        active, found = [], []
        for spec, cols, when in targets:
            match = " AND ".join(f"t.{ctx.column(c, spec)} = s.{s}" for c, s in zip(cols, src))
            applies = f"coalesce({compile_expression(when, ctx.table).sql}, FALSE)" if when else "TRUE"
            active.append(applies)
            found.append(f"({applies} AND EXISTS (SELECT 1 FROM {ctx.relation(spec.code)} t WHERE {match}))")
        # fails when some target applies to the row and none of the applicable targets holds the value
        where = " AND ".join([rows, f"({' OR '.join(active)})", f"NOT ({' OR '.join(found)})"])
        return f"{select} FROM {ctx.relation(ctx.table.code)} s WHERE {where}"

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return [{**clean, **{k: "NOSUCH" for k in rule.params["fields"]}}]

    def messages(self, rule, ctx):
        names = "+".join(ctx.field(f).name for f in self._fields(rule))
        codes = "+".join(ctx.field(f).code for f in self._fields(rule))
        targets = list(self._targets(rule, ctx))
        zh = "或".join(f"{s.name}.{'+'.join(s.field(c).name for c in cols)}" for s, cols, _ in targets)
        en = " or ".join(f"{s.code}.{'+'.join(cols)}" for s, cols, _ in targets)
        return (f"{ctx.table.name}.{names}非空时，必须在{zh}中存在",
                f"{ctx.table.code}.{codes}, when filled, must exist in {en}")
