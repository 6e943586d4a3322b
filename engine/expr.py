"""Restricted boolean expressions for rules (`when` preconditions and `expression` checks).

An expression is parsed with sqlglot and only an allow-list of node types and functions
compiles; field names (code or Chinese name) are resolved against the table spec and quoted.
Anything else — subqueries, table functions, casts to arbitrary types, several statements —
is a rule-file error, so rule text can never read files, load extensions or change data.

Helper functions: num(x) decimal or NULL; ymd(x) date from YYYYMMDD or NULL; is_empty(x);
filled(x); is_default(x) (99991231 / 999912 / 000000 / 0 by the field's format);
bytes(x) UTF-8 length; chars(x) character length; is_resident_id(x), is_uscc(x), is_org_code(x),
is_lei(x), is_bank_card(x), is_division(x), is_currency(x), is_country(x), is_industry(x) — the
identifier checks of engine/identifiers.py (NULL for NULL, FALSE for anything malformed).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from .dialects.quoting import sql_quote
from .spec import TableSpec

ALLOWED_NODES: tuple[type, ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren,
    exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.In, exp.Is, exp.Between, exp.Like, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg,
    exp.Case, exp.If, exp.Coalesce, exp.Abs, exp.Round, exp.Upper, exp.Lower, exp.Trim,
    exp.Length, exp.Substring, exp.Left, exp.Right, exp.DPipe, exp.Tuple,
)
COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
MAX_LENGTH = 4000
# the arguments each allowed function may carry (sqlglot keeps surplus ones as hidden options)
FUNCTION_ARGS = {exp.Left: {"this", "expression"}, exp.Right: {"this", "expression"},
                 exp.Substring: {"this", "start", "length"}, exp.Length: {"this"}, exp.Round: {"this", "decimals"},
                 exp.Abs: {"this"}, exp.Upper: {"this"}, exp.Lower: {"this"}, exp.Trim: {"this"},
                 exp.Coalesce: {"this", "expressions"}}
BOOLEAN_CONTEXT = (exp.And, exp.Or, exp.Not)
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Abs, exp.Round)


class ExpressionError(ValueError):
    """The expression does not parse or uses something outside the allow-list."""


@dataclass(frozen=True)
class CompiledExpression:
    sql: str
    fields: tuple[str, ...]


def _parse(text: str) -> exp.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        statements = sqlglot.parse(text, read="duckdb")
    except (ParseError, TokenError) as exc:
        raise ExpressionError(f"expression does not parse: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ExpressionError("expression is nested too deeply") from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        raise ExpressionError("expression must be exactly one expression (no ';')")
    return statements[0]


def _check_nodes(tree: exp.Expression) -> None:
    for node in tree.walk():
        if node.comments:
            raise ExpressionError("comments are not allowed in a rule expression")
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name not in HELPER_SQL and name != "is_default":
                raise ExpressionError(f"function '{node.name}' is not allowed "
                                      f"(allowed helpers: {', '.join(sorted([*HELPER_SQL, 'is_default']))})")
            continue
        if not isinstance(node, ALLOWED_NODES):
            raise ExpressionError(f"'{node.sql('duckdb')[:60]}' is not allowed in a rule expression ({type(node).__name__})")
        if isinstance(node, exp.Column) and (node.table or node.args.get("db")):
            raise ExpressionError(f"qualified name '{node.sql()}' is not allowed; name a field of this table")
        missing = [k for k, required in node.arg_types.items() if required and node.args.get(k) is None]
        if missing and not isinstance(node, (exp.Column, exp.Identifier, exp.Literal)):
            raise ExpressionError(f"incomplete expression near '{node.sql('duckdb')[:60]}'")
        allowed_args = FUNCTION_ARGS.get(type(node))
        if allowed_args is not None:
            extra = sorted(k for k, v in node.args.items() if v not in (None, [], False) and k not in allowed_args)
            if extra:
                raise ExpressionError(f"too many arguments to {node.key}() in '{node.sql('duckdb')[:60]}'")
        _check_types(node)


def _check_types(node: exp.Expression) -> None:
    """Refuse what is sure to fail on real text values: a field used as a truth value, a field
    compared with TRUE/FALSE, and IN lists mixing numbers and strings."""
    if isinstance(node, BOOLEAN_CONTEXT):
        operands = [node.this] if isinstance(node, exp.Not) else [node.this, node.expression]
        if any(isinstance(o, (exp.Column, exp.Literal)) for o in operands):
            raise ExpressionError(f"'{node.sql('duckdb')[:60]}' uses a text field or value as a condition; compare it")
    if isinstance(node, (exp.If, exp.Case)):
        conditions = [node.this] if isinstance(node, exp.If) else [i.this for i in node.args.get("ifs") or []]
        if any(isinstance(c, (exp.Column, exp.Literal)) for c in conditions):
            raise ExpressionError("a CASE/IF condition must be a comparison, not a bare field or value")
    if isinstance(node, COMPARISONS) and any(isinstance(o, exp.Boolean) for o in (node.this, node.expression)):
        raise ExpressionError(f"'{node.sql('duckdb')[:60]}' compares with TRUE/FALSE; fields are text")
    if isinstance(node, exp.In):
        kinds = {"number" if _is_number(e) else "string" if isinstance(e, exp.Literal) else "other"
                 for e in node.expressions}
        if {"number", "string"} <= kinds:
            raise ExpressionError("an IN list must not mix numbers and strings")


def _field_column(node: exp.Column, table: TableSpec, used: list[str]) -> exp.Expression:
    name = node.name
    spec_field = table.field(name)
    if spec_field is None:
        raise ExpressionError(f"unknown field '{name}' in table {table.code}")
    if spec_field.code not in used:
        used.append(spec_field.code)
    return exp.column(spec_field.code, quoted=True)


HELPER_SQL = {
    "num": "TRY_CAST({0} AS DECIMAL(38, 10))",
    "ymd": "TRY_CAST(TRY_STRPTIME({0}, '%Y%m%d') AS DATE)",
    "is_empty": "({0} IS NULL OR {0} = '')",
    "filled": "({0} IS NOT NULL AND {0} <> '')",
    "bytes": "strlen({0})",
    "chars": "length({0})",
    # identifier checks: macros installed on every connection by engine.identifiers.install_macros
    "is_resident_id": "jh_is_resident_id({0})",
    "is_uscc": "jh_is_uscc({0})",
    "is_org_code": "jh_is_org_code({0})",
    "is_lei": "jh_is_lei({0})",
    "is_bank_card": "jh_is_bank_card({0})",
    "is_division": "jh_is_division({0})",
    "is_currency": "jh_is_currency({0})",
    "is_country": "jh_is_country({0})",
    "is_industry": "jh_is_industry({0})",
}


def _helper_sql(name: str, args: list[exp.Expression], table: TableSpec, raw_args: list[exp.Expression]) -> exp.Expression:
    if len(args) != 1:
        raise ExpressionError(f"{name}() takes exactly one argument")
    arg = args[0].sql("duckdb")
    if name in HELPER_SQL:
        return sqlglot.parse_one(HELPER_SQL[name].format(arg), read="duckdb")
    # is_default: the default depends on the field's format
    if not isinstance(raw_args[0], exp.Column):
        raise ExpressionError("is_default() takes a field name")
    fmt = table.field(raw_args[0].name).format
    if fmt.default is None:
        raise ExpressionError(f"field {raw_args[0].name} (format {fmt.code}) has no default value")
    sql = f"(TRY_CAST({arg} AS DECIMAL(38, 10)) = 0)" if fmt.is_numeric else f"({arg} = {sql_quote(fmt.default)})"
    return sqlglot.parse_one(sql, read="duckdb")


def _is_number(node: exp.Expression) -> bool:
    return (isinstance(node, exp.Literal) and not node.is_string) or (
        isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string)


def compile_expression(text: str, table: TableSpec) -> CompiledExpression:
    """Compile a rule expression to DuckDB SQL over the table's VARCHAR columns.

    A field compared with a number literal (or used in arithmetic, IN/BETWEEN with numbers, or
    compared with another numeric-format field) is read as a number (TRY_CAST), so ``ZQS > 0``
    means what it says on text columns.
    """
    tree = _parse(text)
    _check_nodes(tree)
    used: list[str] = []

    def is_numeric_field(node: exp.Expression) -> bool:
        f = table.field(node.name) if isinstance(node, exp.Column) else None
        return bool(f and f.format.is_numeric)

    def as_number(node: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="num", expressions=[node.copy()]) if isinstance(node, exp.Column) else node

    def numeric_operands(node: exp.Expression) -> exp.Expression:
        """Make text fields numeric where the expression treats them as numbers."""
        if isinstance(node, COMPARISONS):
            left, right = node.this, node.expression
            if _is_number(right) or is_numeric_field(left) and is_numeric_field(right):
                node.set("this", as_number(left))
            if _is_number(left) or is_numeric_field(left) and is_numeric_field(right):
                node.set("expression", as_number(right))
        elif isinstance(node, exp.In) and node.expressions and all(_is_number(e) for e in node.expressions):
            node.set("this", as_number(node.this))
        elif isinstance(node, exp.Between) and (_is_number(node.args.get("low")) or _is_number(node.args.get("high"))):
            node.set("this", as_number(node.this))
        elif isinstance(node, ARITHMETIC):
            for arg in ("this", "expression"):
                if node.args.get(arg) is not None:
                    node.set(arg, as_number(node.args[arg]))
        return node

    tree = tree.transform(numeric_operands)

    def resolve(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous):
            raw = [a.copy() for a in node.expressions]
            compiled = [a.transform(resolve) for a in node.expressions]
            return _helper_sql(node.name.lower(), compiled, table, raw)
        if isinstance(node, exp.Column):
            return _field_column(node, table, used)
        return node

    compiled = tree.transform(resolve)
    return CompiledExpression(f"({compiled.sql('duckdb')})", tuple(used))
