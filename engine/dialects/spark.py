"""The compiled DuckDB SQL of a plan in Spark SQL with the same results.

sqlglot does the bulk (lambdas, ``list_filter`` → ``filter``, ``unnest`` → ``explode``, struct
literals, quoting). What it cannot know is where the two engines *mean* different things; each
such spot is one fix, keyed by node type:

- ``strlen`` (UTF-8 bytes) → ``octet_length``; the identifier macros (``jh_*``) are inlined;
- ``try_strptime(x, '%Y%m%d')``: DuckDB trims ASCII blanks and reads a 1- or 2-digit day;
  Spark's parser is stricter, so the value is checked and normalised before ``try_to_timestamp``;
- ``TRY_CAST(x AS DECIMAL)``: Java also reads full-width and other Unicode digits, DuckDB does
  not; DuckDB reads a '_' between two digits, Java does not;
- ``regexp_full_match`` / ``regexp_matches`` (RE2) → ``regexp_like`` with a Java pattern of the
  same meaning (engine.dialects.regex), ``GLOB`` likewise;
- ``len(list)`` → ``size``; ``string_agg(DISTINCT x ORDER BY x)`` → ``array_join(array_sort(
  collect_set(x)))`` (runs on Spark 3.5 too); ``LIKE`` gets its backslashes escaped (DuckDB has
  no escape); ``x IN (SELECT … FROM _jh_…)`` → ``array_contains``.

Anything else sqlglot leaves as an unknown function raises ``SparkUnsupported`` naming it, so a
rule is reported not run on Spark rather than run with a different meaning.
"""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .base import DIALECTS, Dialect, Untranslatable, walk
from .regex import JAVA

BLANKS = "[ \\t\\n\\x0b\\f\\r]*"  # what DuckDB's strptime skips around a number (C isspace)
DATE_TEXT = f"^{BLANKS}[0-9]{{7,8}}{BLANKS}\\z"
DIGITS = "translate(__x, __blanks, '')"
DAY = f"lpad(substr({DIGITS}, 7), 2, '0')"
# year 0000 (1 BC, valid in DuckDB) is outside Spark's DATE range: it reads as 0001-01-01, still
# valid and before every real date; its month and day are checked against leap year 0004
DATE_SQL = (f"CASE WHEN regexp_like(__x, __date_text) THEN CASE WHEN substr({DIGITS}, 1, 4) <> '0000' "
            f"THEN CAST(try_to_timestamp(concat(substr({DIGITS}, 1, 6), {DAY}), 'yyyyMMdd') AS DATE) "
            f"WHEN try_to_timestamp(concat('0004', substr({DIGITS}, 5, 2), {DAY}), 'yyyyMMdd') IS NOT NULL "
            f"THEN DATE'0001-01-01' END END")
# what Java's BigDecimal reads but DuckDB refuses: non-ASCII (e.g. full-width) digits, and
# control characters that Spark trims (DuckDB trims only blanks)
NOT_DUCKDB_NUMBER = "[^\\x00-\\x7f]|[\\x00-\\x08\\x0e-\\x1f\\x7f]"
DECIMAL_SQL = ("CASE WHEN regexp_like(__x, __not_number) THEN NULL "
               "WHEN contains(__x, '_') THEN TRY_CAST(regexp_replace(__x, __underscore, '') AS __t) "
               "ELSE TRY_CAST(__x AS __t) END")
UNDERSCORE = "(?<=[0-9])_(?=[0-9])"  # DuckDB reads 1_000 as 1000
RENAMED = {"strlen": "octet_length"}
ARRAYS = (exp.ArrayFilter, exp.Array, exp.Split)


class SparkUnsupported(Untranslatable):
    """The DuckDB SQL uses something with no faithful Spark SQL equivalent."""


_MACROS: dict[str, tuple[tuple[str, ...], exp.Expression]] = {}
_LOADED: list[bool] = []  # set once the building of _MACROS has begun


def _macros(d: Dialect) -> dict[str, tuple[tuple[str, ...], exp.Expression]]:
    """The identifier macros (engine.identifiers, ``jh_*``) as Spark-ready bodies over their
    parameters: Spark has no SQL macros, so each call is replaced by its body. Built in the
    module's order (helpers first), so a body's calls of earlier macros are inlined too."""
    if _LOADED:
        return _MACROS
    _LOADED.append(True)
    try:
        from ..identifiers import _null_safe, macro_sql
    except ImportError:
        return _MACROS
    for name, (params, body) in macro_sql().items():
        tree = sqlglot.parse_one(_null_safe(params, body), read="duckdb")
        _MACROS[name.lower()] = (tuple(p.strip() for p in params.split(",")), walk(tree, d.fix))
    return _MACROS


def inline_macro(d: Dialect, node: exp.Anonymous) -> exp.Expression | None:
    macro = _macros(d).get(node.name.lower())
    if macro is None:
        return None
    params, body = macro
    if len(params) != len(node.expressions):
        raise SparkUnsupported(f"{node.name}() takes {len(params)} argument(s)")
    args = dict(zip(params, node.expressions))

    def put(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column) and not n.table and n.name in args:
            return exp.Paren(this=args[n.name].copy())
        return n
    return exp.Paren(this=body.copy().transform(put))


# --- the fixes, by node type --------------------------------------------------------------------

def fix_helper_in(d: Dialect, node: exp.In) -> exp.Expression:
    """``x IN (SELECT … FROM _jh_list)`` sits inside the fused scan's projection, where Spark
    allows no IN subquery: it becomes ``array_contains((SELECT collect_set(…)), x)``, the small
    helper list computed once."""
    query = node.args.get("query")
    if query is None or not any(t.name.lower().startswith("_jh_") for t in query.find_all(exp.Table)):
        return node
    inner = query.this if isinstance(query, exp.Subquery) else query
    listed = exp.select(exp.Anonymous(this="collect_set", expressions=[exp.column("_v")])).from_(
        exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier("_u"),
                                                             columns=[exp.to_identifier("_v")])))
    return exp.Anonymous(this="array_contains", expressions=[exp.Subquery(this=listed), node.this])


def fix_anonymous(d: Dialect, node: exp.Anonymous) -> exp.Expression:
    """DuckDB functions sqlglot passes through by name, and the identifier macros."""
    name = node.name.lower()
    inlined = inline_macro(d, node)
    if inlined is not None:
        return inlined
    if name in RENAMED:
        return exp.Anonymous(this=RENAMED[name], expressions=node.expressions)
    if name == "try_strptime":
        if len(node.expressions) != 2 or d.constant(node.expressions[1], "the strptime format") != "%Y%m%d":
            raise SparkUnsupported(f"{node.sql('duckdb')[:80]}: only the format '%Y%m%d' runs on Spark")
        return d.template(DATE_SQL, x=node.expressions[0], date_text=exp.Literal.string(DATE_TEXT),
                          blanks=exp.Literal.string(" \t\n\x0b\f\r"))
    raise SparkUnsupported(f"function {node.name}() has no Spark equivalent here")


def fix_decimal_cast(d: Dialect, node: exp.TryCast) -> exp.Expression:
    if node.to.is_type(exp.DataType.Type.DECIMAL) and not isinstance(node.this, exp.Literal):
        return d.template(DECIMAL_SQL.replace("__t", node.to.sql("spark")), x=node.this,
                          not_number=exp.Literal.string(NOT_DUCKDB_NUMBER), underscore=exp.Literal.string(UNDERSCORE))
    return node


def fix_regex(full: bool):
    def fix(d: Dialect, node: exp.Expression) -> exp.Expression:
        if not full and node.args.get("flag"):
            return node
        return exp.RegexpLike(this=node.this, expression=d.pattern(node, full, node.expression.sql("duckdb")))
    return fix


def fix_group_concat(d: Dialect, node: exp.GroupConcat) -> exp.Expression:
    """string_agg(DISTINCT x, sep ORDER BY x) → array_join(array_sort(collect_set(x)), sep)."""
    sep = node.args.get("separator") or exp.Literal.string(",")
    inner = node.this
    order = None
    if isinstance(inner, exp.Order):
        order, inner = inner.expressions, inner.this
    if isinstance(inner, exp.Distinct) and len(inner.expressions) == 1:
        value = inner.expressions[0]
        if order and not (len(order) == 1 and order[0].this == value and not order[0].args.get("desc")):
            raise SparkUnsupported("string_agg(DISTINCT …) ordered by another expression")
        agg = exp.Anonymous(this="array_sort", expressions=[exp.Anonymous(this="collect_set", expressions=[value])])
    elif not order:
        agg = exp.Anonymous(this="collect_list", expressions=[inner])
    else:
        raise SparkUnsupported("ordered string_agg without DISTINCT")
    return exp.Anonymous(this="array_join", expressions=[agg, sep])


def glob_regex(pattern: str) -> str:
    """A DuckDB GLOB pattern (* ? [..] [!..]) as a Java regex matching the whole text."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            negated = body.startswith("!")
            body = body[1:] if negated else body
            out.append("[" + ("^" if negated else "") + "".join("\\" + ch if ch in "\\[]^&" else ch for ch in body) + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "(?s)^(?:" + "".join(out) + ")\\z"


def fix_glob(d: Dialect, node: exp.Glob) -> exp.Expression:
    pattern = glob_regex(d.constant(node.expression, "a GLOB pattern"))
    return exp.RegexpLike(this=node.this, expression=exp.Literal.string(pattern))


def fix_like(d: Dialect, node: exp.Like | exp.ILike) -> exp.Expression:
    """DuckDB's LIKE has no escape character; Spark's is '\\': a literal pattern gets its
    backslashes escaped, any other an escape character no text holds (0x01, the field separator)."""
    if isinstance(node.parent, exp.Escape):
        return node
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        node.set("expression", exp.Literal.string(pattern.this.replace("\\", "\\\\")))
        return node
    return exp.Escape(this=node, expression=exp.Literal.string("\x01"))


def is_list(node: exp.Expression | None) -> bool:
    """A list-valued expression: a list function, or a CASE with one (the fused scan's ``_hits``
    is ``CASE WHEN any rule fails THEN list_filter(…) END``)."""
    if isinstance(node, exp.Paren):
        return is_list(node.this)
    if isinstance(node, exp.Case):
        return any(is_list(i.args.get("true")) for i in node.args.get("ifs") or []) or is_list(node.args.get("default"))
    return isinstance(node, ARRAYS)


def _array_aliases(tree: exp.Expression) -> set[str]:
    return {a.alias for a in tree.find_all(exp.Alias) if is_list(a.this)}


def fix_list_length(tree: exp.Expression) -> exp.Expression:
    """DuckDB's len() also measures lists; Spark's length() is for text only."""
    arrays = _array_aliases(tree)

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Length) and (
                is_list(node.this) or isinstance(node.this, exp.Column) and node.this.name in arrays):
            return exp.ArraySize(this=node.this)
        return node
    return tree.transform(fix)


class Spark(Dialect, name="Spark", write="spark", names=("spark",), error=SparkUnsupported, regex=JAVA,
            parse_error="the SQL does not parse: {}", constant_error="{} must be a constant string on Spark"):
    """The Spark engine (engine/backends/spark/)."""

    fixes = {exp.Anonymous: fix_anonymous, exp.TryCast: fix_decimal_cast, exp.RegexpFullMatch: fix_regex(full=True),
             exp.RegexpLike: fix_regex(full=False), exp.GroupConcat: fix_group_concat, exp.Like: fix_like,
             exp.ILike: fix_like, exp.In: fix_helper_in, exp.Glob: fix_glob}

    def translate(self, tree: exp.Expression) -> exp.Expression:
        return super().translate(fix_list_length(tree))

    def generate(self, tree: exp.Expression) -> str:
        """Spark SQL, or the construct sqlglot cannot write for Spark."""
        try:
            return tree.sql(dialect=self.write, unsupported_level=sqlglot.ErrorLevel.RAISE)
        except SqlglotError as exc:
            raise SparkUnsupported(str(exc).splitlines()[0]) from None


def to_spark(sql: str) -> str:
    """Spark SQL with the meaning of the given DuckDB SQL; SparkUnsupported when there is none."""
    return DIALECTS["spark"].query(sql)


__all__ = ["Spark", "SparkUnsupported", "glob_regex", "to_spark"]
