"""aggregate: rows grouped by key fields must satisfy an expression over aggregates (汇总校验).

Rows of ``table`` (those passing ``when``, with every ``group_by`` field filled) are grouped;
named ``measures`` are computed per group (``sum``/``min``/``max``/``avg`` of a number,
``count``, ``count_distinct`` of a value, each with its own optional ``when``); ``join`` brings
values from other tables — fields of the matching row (the first one, in file order, should the
key repeat), or measures over the matching rows (a count or sum over none is 0) —
keyed on group fields, where a date key may be shifted to a period end (``period:
previous_quarter_end`` is the as-of lookup of 上季末资本净额). ``expect`` is a restricted
expression over group fields, measures and joined values; a group fails when it is FALSE
(NULL — e.g. no matching row to join — passes, as for every expression rule)::

    kind: aggregate
    group_by: [JRXKZH, JDMRQ, GLFBH]
    measures: {net: {sum: 授信净额}}
    join:
      - table: JGJCXX
        keys: [JRXKZH, {field: JDMRQ, period: previous_quarter_end}]
        to: [JRXKZH, QMRQ]
        fields: {nc: ZBJE}
    expect: "net <= ${rp_single_limit_pct} / 100 * nc"

``report: group`` (default) gives one finding per failing group, at its first row, with the
group key and every measure as evidence; ``report: rows`` flags every row of a failing group.

``per_row: true`` (instead of ``group_by``/``measures``) checks each row on its own against values
joined from other tables — a lookup: ``expect`` may use every field of the row, join keys may be
any field, and the finding is the row itself, e.g. a transaction against the 资本净额 as of the end
of the quarter before it was signed.
"""
from __future__ import annotations

import re

from ..expr import compile_expression
from ..formats import parse_format
from ..dialects.quoting import quote_ident, sql_quote
from ..spec import Field, TableSpec
from .base import CompileContext, Rule, RuleError, RuleKind, filled, mask_sql

MEASURE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
NUMERIC_AGGREGATES = ("sum", "min", "max", "avg")
AGGREGATES = NUMERIC_AGGREGATES + ("count", "count_distinct")
NUMBER = "DECIMAL(38, 10)"

PERIODS = {
    "quarter_end": "last_day(date_trunc('quarter', {d}) + INTERVAL 2 MONTH)",
    "previous_quarter_end": "(date_trunc('quarter', {d}) - INTERVAL 1 DAY)",
    "month_end": "last_day({d})",
    "previous_month_end": "(date_trunc('month', {d}) - INTERVAL 1 DAY)",
    "year_end": "make_date(year({d}), 12, 31)",
    "previous_year_end": "make_date(year({d}) - 1, 12, 31)",
}

MEASURE_SCHEMA = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {**{a: {"type": "string", "minLength": 1} for a in NUMERIC_AGGREGATES},
                   "count": {"const": True}, "count_distinct": {"type": "string", "minLength": 1},
                   "when": {"type": "string", "minLength": 1}},
}
MEASURES_SCHEMA = {"type": "object", "propertyNames": {"pattern": MEASURE_NAME.pattern},
                   "additionalProperties": MEASURE_SCHEMA}
KEY_SCHEMA = {"oneOf": [{"type": "string"},
                        {"type": "object", "additionalProperties": False, "required": ["field", "period"],
                         "properties": {"field": {"type": "string"}, "period": {"enum": list(PERIODS)}}}]}
JOIN_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["table", "keys", "to"],
    "properties": {
        "table": {"type": "string"},
        "keys": {"type": "array", "items": KEY_SCHEMA, "minItems": 1},
        "to": {"type": "array", "items": KEY_SCHEMA, "minItems": 1},
        "fields": {"oneOf": [{"type": "array", "items": {"type": "string"}, "minItems": 1},
                             {"type": "object", "propertyNames": {"pattern": MEASURE_NAME.pattern},
                              "additionalProperties": {"type": "string"}, "minProperties": 1}]},
        "measures": MEASURES_SCHEMA,
        "when": {"type": "string", "minLength": 1},
    },
}
NUMBER_FORMAT = parse_format("F")


def number_text(sql: str) -> str:
    """A number as short text for evidence: 123.4500000000 → 123.45, 100.0000 → 100."""
    text = f"CAST({sql} AS VARCHAR)"
    return f"CASE WHEN contains({text}, '.') AND NOT contains({text}, 'e') THEN rtrim(rtrim({text}, '0'), '.') ELSE {text} END"


def as_date(sql: str) -> str:
    return f"TRY_CAST(TRY_STRPTIME({sql}, '%Y%m%d') AS DATE)"


def pseudo_table(code: str, name: str, fields: list[Field]) -> TableSpec:
    """A table spec over computed columns, so the expression compiler can resolve their names."""
    return TableSpec(code=code, name=name, kind="状态类", fields=fields)


def number_field(name: str, position: int) -> Field:
    return Field(code=name, name=name, format=NUMBER_FORMAT, position=position)


def measure_sql(name: str, spec: dict, table: TableSpec) -> str:
    """One aggregate over the rows of ``table`` as SQL, named ``name``."""
    kinds = [a for a in AGGREGATES if a in spec]
    if len(kinds) != 1:
        raise RuleError(f"measure '{name}' needs exactly one of {', '.join(AGGREGATES)}")
    kind = kinds[0]
    where = f" FILTER (WHERE coalesce({compile_expression(spec['when'], table).sql}, FALSE))" if spec.get("when") else ""
    if kind == "count":
        body = "count(*)"
    elif kind == "count_distinct":
        value = compile_expression(spec[kind], table).sql
        body = f"count(DISTINCT nullif(CAST({value} AS VARCHAR), ''))"
    else:
        value = compile_expression(spec[kind], table).sql
        body = f"{kind}(TRY_CAST({value} AS {NUMBER}))"
    zero = "coalesce({}, 0)" if kind in ("count", "count_distinct", "sum") else "{}"
    return f"{zero.format(body + where)} AS {quote_ident(name)}"


def key_sql(key, table: TableSpec, ctx: CompileContext, alias: str = "") -> tuple[str, str]:
    """(SQL of a key value, field code): a plain field, or a date field shifted to a period end."""
    ref = key if isinstance(key, str) else key["field"]
    field = ctx.field(ref, table)
    col = f"{alias}{quote_ident(field.code)}"
    if isinstance(key, str):
        return col, field.code
    shifted = PERIODS[key["period"]].format(d=as_date(col))
    return f"strftime({shifted}, '%Y%m%d')", field.code


def _joined_column(alias: str, f: Field, zero: set[str]) -> str:
    """A joined value; a count or sum over no matching rows is 0, as over an empty set."""
    col = f"{alias}.{quote_ident(f.code)}"
    return f"coalesce({col}, 0) AS {quote_ident(f.code)}" if f.code in zero else col


class Aggregate(RuleKind):
    name = "aggregate"
    scope = "set"
    category = "数值比较"
    needs_field = False
    params_schema = {
        "group_by": {"type": "array", "items": {"type": "string"}},
        "measures": MEASURES_SCHEMA,
        "join": {"type": "array", "items": JOIN_SCHEMA, "minItems": 1},
        "expect": {"type": "string", "minLength": 1},
        "report": {"enum": ["group", "rows"]},
        "per_row": {"type": "boolean"},
    }
    required_params = ("expect",)

    def tables_needed(self, rule: Rule) -> set[str]:
        return {rule.table} | {j["table"] for j in rule.params.get("join", [])}

    # -- building blocks -------------------------------------------------------------------
    def _group_fields(self, rule: Rule, ctx: CompileContext) -> list[Field]:
        """The fields a group (or, per row, the row) offers to join keys and ``expect``."""
        if rule.params.get("per_row"):
            if rule.params.get("group_by") or rule.params.get("measures"):
                raise RuleError("a per_row rule takes no 'group_by' or 'measures': it sees every field of the row")
            if rule.params.get("report"):
                raise RuleError("a per_row rule reports each failing row: drop 'report'")
            return list(ctx.table.fields)
        return [ctx.field(ref) for ref in rule.params.get("group_by", [])]

    def _joins(self, rule: Rule, ctx: CompileContext, taken: set[str], zero: set[str]):
        """Per join: (alias, subquery SQL, ON condition, exposed fields); ``zero`` collects the
        measures that are 0 rather than NULL when no row matches."""
        group_codes = {f.code for f in self._group_fields(rule, ctx)}
        group_names = {f.name for f in self._group_fields(rule, ctx)}
        out = []
        for i, join in enumerate(rule.params.get("join", [])):
            other = ctx.catalog.table(join["table"])
            if other is None:
                raise RuleError(f"join to unknown table '{join['table']}'")
            if len(join["keys"]) != len(join["to"]):
                raise RuleError(f"join to {other.code}: 'keys' and 'to' must have the same length")
            if not join.get("fields") and not join.get("measures"):
                raise RuleError(f"join to {other.code} brings nothing: give 'fields' and/or 'measures'")
            alias = f"_j{i}"
            on, group = [], []
            for n, (mine, theirs) in enumerate(zip(join["keys"], join["to"])):
                own_sql, own_code = key_sql(mine, ctx.table, ctx, "_g.")
                if own_code not in group_codes:
                    raise RuleError(f"join key '{own_code}' must be one of the group_by fields (or use per_row)")
                their_sql, _ = key_sql(theirs, other, ctx)
                group.append(f"{their_sql} AS _k{n}")
                on.append(f"{alias}._k{n} = {own_sql}")
            exposed: list[Field] = []
            selects = list(group)
            fields = join.get("fields") or {}
            pairs = fields.items() if isinstance(fields, dict) else [(None, ref) for ref in fields]
            for name, ref in pairs:
                f = ctx.field(ref, other)
                code = name or f.code
                exposed.append(Field(code=code, name=code if name else f.name, format=f.format, position=0, pii=f.pii))
                # the value on the first matching row (file order): the row itself when the key is unique
                selects.append(f"arg_min(nullif({quote_ident(f.code)}, ''), {{'f': _file, 'l': _line}}) AS {quote_ident(code)}")
            for name, spec in (join.get("measures") or {}).items():
                exposed.append(number_field(name, 0))
                if any(k in spec for k in ("count", "count_distinct", "sum")):
                    zero.add(name)
                selects.append(measure_sql(name, spec, other))
            for f in exposed:
                if f.code in taken or f.code in group_codes or f.name in group_names:
                    raise RuleError(f"name '{f.code}' is used twice (rename it in 'fields' or 'measures')")
                taken.add(f.code)
            where = compile_expression(join["when"], other).sql if join.get("when") else "TRUE"
            sub = (f"SELECT {', '.join(selects)} FROM {ctx.relation(other.code)} "
                   f"WHERE coalesce({where}, FALSE) GROUP BY ALL")
            out.append((alias, sub, " AND ".join(on), exposed))
        return out

    def _groups_sql(self, rule: Rule, ctx: CompileContext) -> tuple[str, TableSpec, list[Field]]:
        """The grouped relation with joined values, its pseudo table and its evidence fields."""
        group_fields = self._group_fields(rule, ctx)
        measures = rule.params.get("measures") or {}
        if rule.params.get("per_row"):
            grouped = (f"SELECT *, {{'f': _file, 'l': _line}} AS _first, {ctx.key_sql()} AS _rowkey "
                       f"FROM {ctx.relation(ctx.table.code)} WHERE {ctx.when_sql(rule)}")
        else:
            cols = [quote_ident(f.code) for f in group_fields]
            selects = cols + ["min({'f': _file, 'l': _line}) AS _first"]
            selects += [measure_sql(name, spec, ctx.table) for name, spec in measures.items()]
            where = " AND ".join([ctx.when_sql(rule)] + [filled(c) for c in cols])
            grouped = (f"SELECT {', '.join(selects)} FROM {ctx.relation(ctx.table.code)} WHERE {where}"
                       + (f" GROUP BY {', '.join(cols)}" if cols else ""))
        measure_fields = [number_field(name, 0) for name in measures]
        zero: set[str] = set()
        joins = self._joins(rule, ctx, {f.code for f in measure_fields}, zero)
        joined = f"SELECT _g.*{''.join(', ' + _joined_column(a, f, zero) for a, _, _, fs in joins for f in fs)} FROM ({grouped}) _g"
        for alias, sub, on, _ in joins:
            joined += f" LEFT JOIN ({sub}) {alias} ON {on}"
        evidence = measure_fields + [f for *_, fs in joins for f in fs]
        pseudo = pseudo_table(ctx.table.code, ctx.table.name, group_fields + evidence)
        if rule.params.get("per_row"):  # show the row's own fields the check reads, then the joined values
            used = compile_expression(rule.params["expect"], pseudo).fields
            evidence = [f for f in group_fields if f.code in used] + evidence
        return joined, pseudo, evidence

    def _evidence_sql(self, evidence: list[Field], ctx: CompileContext) -> str:
        parts = []
        for f in evidence:
            col = quote_ident(f.code)
            shown = (mask_sql(f.pii, col) if f.pii and not ctx.show_pii
                     else number_text(col) if f.format is NUMBER_FORMAT else col)
            parts.append(f"{sql_quote(f.code + '=')} || coalesce({shown}, '∅')")
        return f"concat_ws('; ', {', '.join(parts)})" if parts else "NULL"

    def _group_key_sql(self, rule: Rule, ctx: CompileContext, prefix: str = "") -> str:
        fields = self._group_fields(rule, ctx)
        if not fields:
            return "NULL"
        shown = [mask_sql(f.pii, prefix + quote_ident(f.code)) if f.pii and not ctx.show_pii
                 else prefix + quote_ident(f.code) for f in fields]
        return f"concat_ws('|', {', '.join(f'coalesce({s}, {chr(39) * 2})' for s in shown)})"

    # -- the rule ----------------------------------------------------------------------------
    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        joined, pseudo, evidence = self._groups_sql(rule, ctx)
        expect = compile_expression(rule.params["expect"], pseudo).sql
        failing = f"SELECT * FROM ({joined}) WHERE NOT coalesce({expect}, TRUE)"
        value = self._evidence_sql(evidence, ctx)
        if rule.params.get("per_row"):
            return f"SELECT _first.f AS _file, _first.l AS _line, _rowkey AS _key, {value} AS _value FROM ({failing})"
        if rule.params.get("report", "group") == "group":
            return (f"SELECT _first.f AS _file, _first.l AS _line, {self._group_key_sql(rule, ctx)} AS _key, "
                    f"{value} AS _value FROM ({failing})")
        group_cols = [quote_ident(f.code) for f in self._group_fields(rule, ctx)]
        on = " AND ".join(f"t.{c} = _bad.{c}" for c in group_cols) or "TRUE"
        where = " AND ".join([ctx.when_sql(rule)] + [filled(c) for c in group_cols])
        rows = f"SELECT *, {ctx.key_sql()} AS _key FROM {ctx.relation(ctx.table.code)} WHERE {where}"
        return (f"SELECT t._file, t._line, t._key, _bad._value FROM ({rows}) t "
                f"JOIN (SELECT *, {value} AS _value FROM ({failing})) _bad ON {on}")

    def messages(self, rule, ctx):
        if rule.params.get("per_row"):
            expect = rule.params["expect"]
            return f"{ctx.table.name}每条记录应满足：{expect}", f"every {ctx.table.code} row must satisfy: {expect}"
        by_zh = "、".join(f.name for f in self._group_fields(rule, ctx)) or "全表"
        by_en = ", ".join(f.code for f in self._group_fields(rule, ctx)) or "the whole table"
        expect = rule.params["expect"]
        return (f"{ctx.table.name}按{by_zh}汇总应满足：{expect}", f"{ctx.table.code} grouped by {by_en} must satisfy: {expect}")
