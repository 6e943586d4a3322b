"""graph: checks over edge records such as an ownership chain (股权穿透), by recursive SQL.

``edges`` names the edge table's ``from`` (the holder) and ``to`` (the entity held) fields, an
optional ``partition`` (fields that keep separate graphs apart, e.g. the reporting institution
and date) and an optional ``when``. Three checks:

- ``check: cycle`` — flags every edge row that lies on a cycle (A holds B holds … holds A).
- ``check: terminal`` — every chain must end well: an edge row whose holder is held by no one
  (the top of its chain) fails unless ``terminal`` (an expression on that row, e.g.
  ``持有人类型 IN ('自然人', '国有机构', '上市公司')``) holds.
- ``check: reach`` — each row of the rule's table (e.g. every 主要股东) names a start node in
  ``field``; walking up the edges from it (to its holders, their holders …) must reach an edge
  row, where the node is the holder, on which ``target`` holds (e.g. 是否实际控制人 = '是').
  ``partition`` lists the rule table's fields that match ``edges.partition``.

Recursion uses UNION (set semantics), so it ends on any graph, cycles included.
"""
from __future__ import annotations

from ..expr import compile_expression
from ..spec import TableSpec
from .base import CompileContext, Rule, RuleError, RuleKind, filled

EDGES_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["from", "to"],
    "properties": {"table": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
                   "partition": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                   "when": {"type": "string", "minLength": 1}},
}


class Graph(RuleKind):
    name = "graph"
    scope = "set"
    category = "关联"
    needs_field = False
    params_schema = {
        "check": {"enum": ["cycle", "terminal", "reach"]},
        "edges": EDGES_SCHEMA,
        "terminal": {"type": "string", "minLength": 1},
        "target": {"type": "string", "minLength": 1},
        "partition": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    }
    required_params = ("check", "edges")

    def tables_needed(self, rule: Rule) -> set[str]:
        return {rule.table, rule.params["edges"].get("table", rule.table)}

    def _edge_table(self, rule: Rule, ctx: CompileContext) -> TableSpec:
        ref = rule.params["edges"].get("table", rule.table)
        table = ctx.catalog.table(ref)
        if table is None:
            raise RuleError(f"edges in unknown table '{ref}'")
        if rule.params["check"] != "reach" and table.code != ctx.table.code:
            raise RuleError(f"check '{rule.params['check']}' runs on the edge table itself: put the rule on {table.code}")
        return table

    def _edges_sql(self, rule: Rule, ctx: CompileContext, extra: str = "") -> str:
        """The edge relation: _p0.. (partition), _u (holder), _v (held), plus ``extra`` columns."""
        e = rule.params["edges"]
        table = self._edge_table(rule, ctx)
        u, v = ctx.column(e["from"], table), ctx.column(e["to"], table)
        parts = [f"{ctx.column(p, table)} AS _p{i}" for i, p in enumerate(e.get("partition", []))]
        where = " AND ".join([filled(u), filled(v)] + (
            [f"coalesce({compile_expression(e['when'], table).sql}, FALSE)"] if e.get("when") else []))
        cols = ", ".join(parts + [f"{u} AS _u", f"{v} AS _v"] + ([extra] if extra else []))
        return f"SELECT {cols} FROM {ctx.relation(table.code)} WHERE {where}"

    def _partition(self, rule: Rule, alias_a: str, alias_b: str) -> str:
        n = len(rule.params["edges"].get("partition", []))
        return "".join(f" AND {alias_a}._p{i} = {alias_b}._p{i}" for i in range(n))

    def _own_filter(self, rule: Rule, ctx: CompileContext) -> str:
        """The edge rows as the rule itself sees them (its ``when`` and the edge ``when``)."""
        e = rule.params["edges"]
        conds = [ctx.when_sql(rule), filled(ctx.column(e["from"])), filled(ctx.column(e["to"]))]
        if e.get("when"):
            conds.append(f"coalesce({compile_expression(e['when'], ctx.table).sql}, FALSE)")
        return " AND ".join(conds)

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        check = rule.params["check"]
        self._edge_table(rule, ctx)
        if check == "terminal" and "terminal" not in rule.params:
            raise RuleError("graph check 'terminal' needs 'terminal' (what a chain may end in)")
        if check == "reach":
            if not rule.field or "target" not in rule.params:
                raise RuleError("graph check 'reach' needs 'field' (the start node) and 'target'")
            if len(rule.params.get("partition", [])) != len(rule.params["edges"].get("partition", [])):
                raise RuleError("graph 'partition' and 'edges.partition' must have the same length")
        return {"cycle": self._cycle_sql, "terminal": self._terminal_sql, "reach": self._reach_sql}[check](rule, ctx)

    def _cycle_sql(self, rule: Rule, ctx: CompileContext) -> str:
        e = rule.params["edges"]
        n = len(e.get("partition", []))
        p = "".join(f"_p{i}, " for i in range(n))
        up = (f"WITH RECURSIVE _e AS ({self._edges_sql(rule, ctx)}), "
              f"_up AS (SELECT {p}_v AS _start, _u AS _node FROM _e UNION "
              f"SELECT {''.join(f'_up._p{i}, ' for i in range(n))}_up._start, _e._u FROM _up JOIN _e "
              f"ON _e._v = _up._node{self._partition(rule, '_e', '_up')}) ")
        own_parts = [f"{ctx.column(x)} AS _p{i}" for i, x in enumerate(e.get("partition", []))]
        rows = (f"SELECT *, {', '.join(own_parts + [ctx.column(e['from']) + ' AS _u', ctx.column(e['to']) + ' AS _v'])} "
                f"FROM {ctx.relation(ctx.table.code)} WHERE {self._own_filter(rule, ctx)}")
        value = f"{ctx.value(e['from'])} || ' → ' || {ctx.value(e['to'])}"
        return (f"{up}SELECT s._file, s._line, {ctx.key_sql()} AS _key, {value} AS _value FROM ({rows}) s "
                f"WHERE EXISTS (SELECT 1 FROM _up WHERE _up._start = s._u AND _up._node = s._v"
                f"{self._partition(rule, '_up', 's')})")

    def _terminal_sql(self, rule: Rule, ctx: CompileContext) -> str:
        e = rule.params["edges"]
        compiled = compile_expression(rule.params["terminal"], ctx.table)
        own_parts = [f"{ctx.column(x)} AS _p{i}" for i, x in enumerate(e.get("partition", []))]
        rows = (f"SELECT *, {', '.join(own_parts + [ctx.column(e['from']) + ' AS _u'])} "
                f"FROM {ctx.relation(ctx.table.code)} WHERE {self._own_filter(rule, ctx)}")
        shown = [ctx.value(e["from"])] + ([ctx.values(list(compiled.fields))] if compiled.fields else [])
        value = " || ' ' || ".join(f"coalesce({s}, '')" for s in shown)
        return (f"WITH _e AS ({self._edges_sql(rule, ctx)}) "
                f"SELECT s._file, s._line, {ctx.key_sql()} AS _key, {value} AS _value FROM ({rows}) s "
                f"WHERE NOT EXISTS (SELECT 1 FROM _e WHERE _e._v = s._u{self._partition(rule, '_e', 's')}) "
                f"AND NOT coalesce({compiled.sql}, FALSE)")

    def _reach_sql(self, rule: Rule, ctx: CompileContext) -> str:
        edge_table = self._edge_table(rule, ctx)
        target = compile_expression(rule.params["target"], edge_table).sql
        parts = rule.params.get("partition", [])
        n = len(parts)
        start = ctx.column(rule.field)
        own_parts = [f"{ctx.column(x)} AS _p{i}" for i, x in enumerate(parts)]
        where = f"{ctx.when_sql(rule)} AND {filled(start)}"
        rows = f"SELECT *, {', '.join(own_parts + [start + ' AS _s'])} FROM {ctx.relation(ctx.table.code)} WHERE {where}"
        p = "".join(f"_p{i}, " for i in range(n))
        sql = (f"WITH RECURSIVE _e AS ({self._edges_sql(rule, ctx, f'coalesce({target}, FALSE) AS _hit')}), "
               f"_starts AS (SELECT DISTINCT {p}_s FROM ({rows})), "
               f"_r AS (SELECT {p}_s AS _start, _s AS _node FROM _starts UNION "
               f"SELECT {''.join(f'_r._p{i}, ' for i in range(n))}_r._start, _e._u FROM _r JOIN _e "
               f"ON _e._v = _r._node{self._partition(rule, '_e', '_r')}) ")
        return (f"{sql}SELECT s._file, s._line, {ctx.key_sql()} AS _key, {ctx.value(rule.field)} AS _value "
                f"FROM ({rows}) s WHERE NOT EXISTS (SELECT 1 FROM _r JOIN _e ON _e._u = _r._node"
                f"{self._partition(rule, '_e', '_r')} WHERE _e._hit AND _r._start = s._s{self._partition(rule, '_r', 's')})")

    def messages(self, rule, ctx):
        check = rule.params["check"]
        edge = self._edge_table(rule, ctx)
        if check == "cycle":
            return f"{ctx.table.name}的持有关系不得成环", f"{ctx.table.code}: holdings must not form a cycle"
        if check == "terminal":
            t = rule.params["terminal"]
            return (f"{ctx.table.name}中每条链条的最顶层持有人必须满足：{t}",
                    f"{ctx.table.code}: the holder at the top of every chain must satisfy: {t}")
        f = ctx.field(rule.field)
        t = rule.params["target"]
        return (f"{ctx.table.name}.{f.name}须能在{edge.name}中逐层穿透至满足“{t}”的主体",
                f"{ctx.table.code}.{f.code} must trace up through {edge.code} to a holder satisfying: {t}")
