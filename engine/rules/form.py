"""form: equations between the lines of a worksheet, checked in every value column (表内核对).

A worksheet (e.g. 现金流覆盖率测算表, or a 1104 form) is stored one row per line: ``line_field``
holds the line number (行次 such as ``3.1``), ``columns`` are the value fields, and ``group_by``
names the fields that identify one worksheet (e.g. the platform and the date). ``equation``
relates cells by line, ``[3] = [3.1] + [3.2] + [3.3] + [3.4]`` or ``[4] = [3] / [1] * 100``, and
holds in each column separately; ``=`` allows ``tolerance`` (default 0.01), ``<=``/``>=`` too.
A line that is missing (or an empty cell) counts as 0 (``missing: zero``, the default), or the
equation is skipped for that column (``missing: skip``). ``condition`` (same cell syntax) limits
the equation to the columns where it holds, e.g. ``[1] <> 0`` before a division by line 1.

One finding per worksheet and column that fails, at the row of the equation's first line.
"""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..expr import compile_expression
from ..dialects.quoting import sql_quote
from .aggregate import NUMBER, number_field, number_text, pseudo_table
from .base import CompileContext, Rule, RuleError, RuleKind, filled

CELL = re.compile(r"\[\s*([^\[\]]+?)\s*\]")
OPERATORS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


class Form(RuleKind):
    name = "form"
    scope = "set"
    category = "数值比较"
    needs_field = False
    params_schema = {
        "line_field": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "group_by": {"type": "array", "items": {"type": "string"}},
        "equation": {"type": "string", "minLength": 3},
        "condition": {"type": "string", "minLength": 3},
        "tolerance": {"type": "number", "minimum": 0},
        "missing": {"enum": ["zero", "skip"]},
    }
    required_params = ("line_field", "columns", "equation")

    @staticmethod
    def _lines(rule: Rule) -> list[str]:
        """Every line the equation and condition name, in order of first use."""
        seen: list[str] = []
        for text in (rule.params["equation"], rule.params.get("condition", "")):
            for label in CELL.findall(text):
                if label not in seen:
                    seen.append(label)
        return seen

    @staticmethod
    def _as_names(text: str, lines: list[str]) -> str:
        return CELL.sub(lambda m: f"l{lines.index(m.group(1))}", text)

    def _sides(self, rule: Rule, lines: list[str]) -> tuple[str, str, str]:
        """(left, operator, right) of the equation, each side as expression text over l0, l1 …"""
        text = self._as_names(rule.params["equation"], lines)
        try:
            tree = sqlglot.parse_one(text, read="duckdb")
        except (ParseError, TokenError) as exc:
            raise RuleError(f"equation does not parse: {str(exc).splitlines()[0]}") from None
        op = OPERATORS.get(type(tree))
        if op is None:
            raise RuleError("equation must be one comparison, e.g. '[3] = [3.1] + [3.2]'")
        return tree.this.sql("duckdb"), op, tree.expression.sql("duckdb")

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        lines = self._lines(rule)
        if not CELL.search(p["equation"]):
            raise RuleError("equation names no line: write cells as [3.1]")
        left, op, right = self._sides(rule, lines)
        cells = pseudo_table(ctx.table.code, ctx.table.name, [number_field(f"l{i}", i) for i in range(len(lines))])
        lhs, rhs = compile_expression(left, cells).sql, compile_expression(right, cells).sql
        tol = float(p.get("tolerance", 0.01))
        holds = {"=": f"abs({lhs} - {rhs}) <= {tol}", "<=": f"{lhs} <= {rhs} + {tol}", ">=": f"{lhs} >= {rhs} - {tol}"
                 }.get(op, f"{lhs} {op} {rhs}")
        if p.get("condition"):
            holds = f"NOT coalesce({compile_expression(self._as_names(p['condition'], lines), cells).sql}, FALSE) OR ({holds})"
        line_col = ctx.column(p["line_field"])
        group_cols = [ctx.column(g) for g in p.get("group_by", [])]
        value_cols = [ctx.column(c) for c in p["columns"]]
        anchor = CELL.search(p["equation"]).group(1)
        label = f"trim({line_col})"
        selects = group_cols + ["min({'f': _file, 'l': _line}) AS _first",
                                f"min({{'f': _file, 'l': _line}}) FILTER (WHERE {label} = {sql_quote(anchor)}) AS _anchor"]
        for c, col in enumerate(value_cols):
            for i, line in enumerate(lines):
                selects.append(f"max(TRY_CAST({col} AS {NUMBER})) FILTER (WHERE {label} = {sql_quote(line)}) AS _c{c}_l{i}")
        where = " AND ".join([ctx.when_sql(rule), filled(line_col)] + [filled(g) for g in group_cols])
        grouped = (f"SELECT {', '.join(selects)} FROM {ctx.relation(ctx.table.code)} WHERE {where}"
                   + (f" GROUP BY {', '.join(group_cols)}" if group_cols else ""))
        key_parts = [f"coalesce({g}, '')" for g in group_cols]
        missing = p.get("missing", "zero")
        parts = []
        for c, col_ref in enumerate(p["columns"]):
            code = ctx.field(col_ref).code
            cells_sql = ", ".join((f"coalesce(_c{c}_l{i}, 0)" if missing == "zero" else f"_c{c}_l{i}") + f" AS l{i}"
                                  for i in range(len(lines)))
            key = f"concat_ws('|', {', '.join(key_parts + [sql_quote(code)])})"
            value = (f"{sql_quote(code + ': ')} || coalesce({number_text(lhs)}, '∅') || {sql_quote(' ' + op + ' ')} "
                     f"|| coalesce({number_text(rhs)}, '∅') || {sql_quote(' (' + p['equation'] + ')')}")
            parts.append(f"SELECT coalesce(_anchor, _first).f AS _file, coalesce(_anchor, _first).l AS _line, "
                         f"{key} AS _key, {value} AS _value FROM (SELECT *, {cells_sql} FROM _form) "
                         f"WHERE NOT coalesce({holds}, TRUE)")
        return f"WITH _form AS ({grouped}) " + " UNION ALL ".join(parts)

    def messages(self, rule, ctx):
        eq = rule.params["equation"]
        cols = "、".join(ctx.field(c).name for c in rule.params["columns"])
        return (f"{ctx.table.name}各列（{cols}）应满足：{eq}",
                f"{ctx.table.code}: every column ({', '.join(ctx.field(c).code for c in rule.params['columns'])}) must satisfy {eq}")

