"""Lower the engine's DuckDB SQL to PostgreSQL with the same meaning — or refuse.

Pushdown runs a table's checks inside the warehouse, so only the failing rows travel. sqlglot
parses the DuckDB SQL; only an allow-list of constructs is lowered, each to an equivalent on
every value (tests/sources/test_warehouse.py compares both engines on a corpus of tricky
values); anything else raises ``NotPushable`` naming it, and the table is streamed into DuckDB
instead. Where DuckDB's lenient parsing cannot be matched value by value (``TRY_CAST(' 1e5' AS
DECIMAL)``, ``try_strptime('2024063', '%Y%m%d')``), the lowered SQL accepts the canonical forms
exactly and raises an error carrying ``MARKER`` on any other value that DuckDB might read; the
runner then streams that table instead (see engine/sources/warehouse.py).

A warehouse whose SQLAlchemy dialect has no ``Dialect`` registered (MySQL/MariaDB) is always
streamed.
"""
from __future__ import annotations

from sqlglot import exp

from .base import Dialect, Untranslatable
from .regex import PORTABLE

MARKER = "jianhe-not-pushable"


class NotPushable(Untranslatable):
    """The SQL uses something PostgreSQL cannot run with the same meaning (the table is streamed)."""


# node types that may appear in the engine's SQL and are lowered as they are or by a fix below
ALLOWED = (
    exp.Alias, exp.And, exp.Or, exp.Not, exp.Paren, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is,
    exp.In, exp.Between, exp.Like, exp.Add, exp.Sub, exp.Neg, exp.Abs, exp.Case, exp.If, exp.Coalesce, exp.Cast,
    exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null,
    exp.Star, exp.Length, exp.Left, exp.Right, exp.Repeat, exp.ConcatWs, exp.DPipe, exp.Chr, exp.Substring,
    exp.StartsWith, exp.RegexpFullMatch, exp.RegexpLike, exp.Anonymous, exp.Select, exp.From, exp.Where, exp.Join,
    exp.Subquery, exp.Exists, exp.Table, exp.TableAlias, exp.Window, exp.Count, exp.Sum, exp.Min, exp.Max,
    exp.AnyValue, exp.IgnoreNulls, exp.GroupConcat, exp.Distinct, exp.Order, exp.Ordered, exp.Group, exp.Having,
    exp.Tuple, exp.ArrayFilter, exp.Lambda, exp.Split,
)
COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.EQ, exp.NEQ)
LIST_NODES = (exp.ArrayFilter, exp.Lambda, exp.Split)  # only inside the one list pattern a fix rewrites
CASTS_TO = {exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.BIGINT, exp.DataType.Type.INT,
            exp.DataType.Type.DECIMAL, exp.DataType.Type.BOOLEAN}
ANONYMOUS = {"strlen", "try_strptime"}
DECIMAL_38_10 = exp.DataType.build("DECIMAL(38, 10)")


def _kind_of_type(dtype: exp.DataType) -> str:
    if dtype.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT):
        return "text"
    if dtype.this == exp.DataType.Type.DECIMAL:
        return "decimal"
    if dtype.this == exp.DataType.Type.DATE:
        return "date"
    if dtype.this == exp.DataType.Type.BOOLEAN:
        return "bool"
    return "int"


def kind(node: exp.Expression) -> str:
    """What a DuckDB expression yields: text | int | decimal | date | bool (engine columns are text)."""
    if isinstance(node, (exp.Paren, exp.Window)):
        return kind(node.this)
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else ("decimal" if "." in node.this or "e" in node.this.lower() else "int")
    if isinstance(node, exp.Column):
        return _column_kind(node)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        if isinstance(node, exp.TryCast) and _is_strptime(node.this):
            return "date"
        return _kind_of_type(node.to)
    if isinstance(node, exp.Anonymous):
        return "int" if node.name.lower() == "strlen" else "date"
    if isinstance(node, (exp.Length, exp.Count)):
        return "int"
    if isinstance(node, (exp.Sum, exp.Abs, exp.Neg, exp.Min, exp.Max)):
        return kind(node.this)
    if isinstance(node, (exp.Add, exp.Sub, exp.Coalesce)):
        kinds = {kind(a) for a in ([node.this, node.expression] if not isinstance(node, exp.Coalesce)
                                   else [node.this, *node.expressions]) if not isinstance(a, exp.Null)}
        return "decimal" if "decimal" in kinds else "date" if "date" in kinds else "int" if kinds == {"int"} else (
            "text" if kinds == {"text"} else "mixed")
    if isinstance(node, exp.Case):
        return kind(node.args["ifs"][0].args["true"]) if node.args.get("ifs") else "text"
    if isinstance(node, (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.Exists)):
        return "bool"
    return "text"


def _column_kind(node: exp.Column) -> str:
    """Columns of the loaded tables are text (``_line`` a number); a column of an aliased
    subquery has the kind of that subquery's projection."""
    if node.name == "_line":
        return "int"
    if not node.table:
        return "text"
    select = node.find_ancestor(exp.Select)
    while select is not None:
        for source in [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]:
            sub = source.this if source is not None else None
            if isinstance(sub, exp.Subquery) and sub.alias == node.table and isinstance(sub.this, exp.Select):
                for projection in sub.this.expressions:
                    if projection.alias_or_name == node.name:
                        return kind(projection.unalias())
        select = select.find_ancestor(exp.Select)
    return "text"


# --- templates --------------------------------------------------------------------------------

# DuckDB's TRY_CAST(x AS DECIMAL(38, 10)) on the forms PostgreSQL reads identically: sign, at most
# 28 integer and 10 decimal digits (no rounding), no blanks, exponents or '_' separators
PG_DECIMAL = (
    "CASE WHEN __x ~ '^[-+]?([0-9]{1,28}([.][0-9]{0,10})?|[.][0-9]{1,10})$' THEN CAST(__x AS DECIMAL(38, 10)) "
    f"WHEN __x ~ '[0-9]' AND __x ~ '^[[:space:]0-9eE+._-]+$' THEN CAST(__x || ' {MARKER}' AS DECIMAL(38, 10)) END")
# DuckDB's try_strptime(x, '%Y%m%d') on exactly eight digits: a real proleptic Gregorian date
# (year 0000 is 1 BC, a leap year); blanks around the digits or a one-digit day raise MARKER
PG_YEAR = "CAST(substr(__x, 1, 4) AS INT)"
PG_MONTH = "substr(__x, 5, 2) COLLATE \"C\""
PG_DAY = "substr(__x, 7, 2) COLLATE \"C\""
PG_LAST_DAY = (f"CASE {PG_MONTH} WHEN '02' THEN CASE WHEN mod({PG_YEAR}, 4) = 0 AND (mod({PG_YEAR}, 100) <> 0 "
               f"OR mod({PG_YEAR}, 400) = 0) THEN '29' ELSE '28' END WHEN '04' THEN '30' WHEN '06' THEN '30' "
               "WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END")
PG_DATE = (
    f"CASE WHEN __x ~ '^[0-9]{{8}}$' THEN CASE WHEN {PG_MONTH} BETWEEN '01' AND '12' AND {PG_DAY} >= '01' "
    f"AND {PG_DAY} <= ({PG_LAST_DAY}) THEN make_date(CASE WHEN {PG_YEAR} = 0 THEN -1 ELSE {PG_YEAR} END, "
    f"CAST(substr(__x, 5, 2) AS INT), CAST(substr(__x, 7, 2) AS INT)) END "
    f"WHEN __x ~ '[0-9]' AND __x ~ '^[[:space:]0-9]+$' THEN CAST(__x || ' {MARKER}' AS DATE) END")
# DuckDB splits '' into [''] and NULL into NULL; string_to_array gives {} and NULL
PG_ANY_IN_LIST = ("CASE WHEN __list IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM unnest(CASE WHEN __list = '' "
                  "THEN ARRAY[''] ELSE string_to_array(__list, __sep) END) AS _u(_x) WHERE __test) END")


def _is_strptime(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime"


def annotate(tree: exp.Expression) -> None:
    """Record each comparison's operand kind before fixes replace the operands."""
    for node in tree.walk():
        if isinstance(node, COMPARISONS):
            node.meta["kinds"] = (kind(node.this), kind(node.expression if not isinstance(node, exp.Between)
                                                         else node.args["low"]))
        if isinstance(node, exp.Cast):
            node.meta["from"] = kind(node.this)


# --- the fixes, by node type --------------------------------------------------------------------

def _greater(d: Dialect, node: exp.GT) -> exp.Expression:
    if (isinstance(node.this, exp.Length) and isinstance(node.this.this, exp.ArrayFilter)
            and node.expression == exp.Literal.number(0)):
        return _any_in_list(d, node)
    return _comparison(d, node)


def _any_in_list(d: Dialect, node: exp.GT) -> exp.Expression:
    """``len(list_filter(string_split(x, ';'), lambda y: P(y))) > 0`` (multi-valued code lists)
    becomes ``EXISTS (SELECT 1 FROM unnest(string_to_array(x, ';')) AS _u(_x) WHERE P(_x))``
    (with DuckDB's answers for '' and NULL)."""
    array_filter = node.this.this
    split, lam = array_filter.this, array_filter.expression
    if not isinstance(split, exp.Split) or not isinstance(lam, exp.Lambda) or len(lam.expressions) != 1:
        raise NotPushable("list_filter over something else than string_split")
    var = lam.expressions[0].name

    def bind(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column) and not n.table and n.name == var:
            return exp.column("_x", table="_u")
        if isinstance(n, exp.Identifier) and n.name == var and not isinstance(n.parent, (exp.Column, exp.Lambda)):
            return exp.column("_x", table="_u")
        return n
    test = lam.this.copy().transform(bind)
    return d.template(PG_ANY_IN_LIST, list=split.this, sep=split.expression, test=test)


def _comparison(d: Dialect, node: exp.Expression) -> exp.Expression:
    left, right = node.meta.get("kinds", ("text", "text"))
    if left == "mixed" or right == "mixed" or ({left, right} > {"text"} and "text" in {left, right}
                                                and not isinstance(node, (exp.EQ, exp.NEQ))):
        raise NotPushable(f"comparison of {left} with {right}")
    if "text" in {left, right} and {left, right} != {"text"}:
        raise NotPushable(f"comparison of {left} with {right} (DuckDB casts implicitly)")
    if left == right == "text" and not isinstance(node, (exp.EQ, exp.NEQ)):
        # DuckDB orders text by bytes; PostgreSQL by the database collation unless told
        node.set("this", exp.Collate(this=node.this, expression=exp.to_identifier("C", quoted=True)))
    return node


def _anonymous(d: Dialect, node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    if name not in ANONYMOUS:
        raise NotPushable(f"function {node.name}() has no {d.name} lowering")
    if name == "strlen":  # UTF-8 bytes (the warehouse must store UTF-8, checked on connect)
        return exp.Anonymous(this="octet_length", expressions=node.expressions)
    return _date(d, node)


def _date(d: Dialect, node: exp.Anonymous) -> exp.Expression:
    args = node.expressions
    if len(args) != 2 or d.constant(args[1], "the strptime format") != "%Y%m%d":
        raise NotPushable("try_strptime() with a format other than %Y%m%d")
    if not isinstance(node.parent, (exp.TryCast, exp.Is)):
        raise NotPushable("try_strptime() used as a timestamp")
    out = d.template(PG_DATE, x=args[0])
    out.meta["date"] = True
    return out


def _try_cast(d: Dialect, node: exp.TryCast) -> exp.Expression:
    if isinstance(node.this, exp.Case) and node.this.meta.get("date"):
        if node.to.this != exp.DataType.Type.DATE:
            raise NotPushable("try_strptime() cast to something else than DATE")
        return node.this
    if node.to == DECIMAL_38_10:
        return d.template(PG_DECIMAL, x=node.this)
    raise NotPushable(f"TRY_CAST to {node.to.sql('duckdb')}")


def _cast(d: Dialect, node: exp.Cast) -> exp.Expression:
    if node.to.this not in CASTS_TO:
        raise NotPushable(f"CAST to {node.to.sql('duckdb')}")
    if node.to.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT) and node.meta.get("from") == "decimal":
        # DuckDB writes a DECIMAL(38, 10) with its ten decimals; make PostgreSQL do the same
        return exp.cast(exp.cast(node.this, DECIMAL_38_10), "VARCHAR")
    if node.to.this == exp.DataType.Type.DECIMAL and node.to != DECIMAL_38_10:
        raise NotPushable(f"CAST to {node.to.sql('duckdb')}")
    return node


def _regex(full: bool):
    def fix(d: Dialect, node: exp.Expression) -> exp.Expression:
        pattern = d.constant(node.expression, "a regular expression")
        return exp.RegexpLike(this=node.this, expression=d.pattern(node, full, repr(pattern)))
    return fix


def _any_value(d: Dialect, node: exp.AnyValue) -> exp.Expression:
    return exp.Min(this=node.this)  # any_value() is PostgreSQL 16+; min() is one of the values


def _ignore_nulls(d: Dialect, node: exp.IgnoreNulls) -> exp.Expression:
    return node.this if isinstance(node.this, exp.Min) else node  # aggregates skip NULLs anyway


def _subquery(d: Dialect, node: exp.Subquery) -> exp.Expression:
    if not node.alias and isinstance(node.parent, (exp.From, exp.Join)):
        # PostgreSQL before 16 wants every subquery in FROM named
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{id(node) % 100000}")))
    return node


def _group(d: Dialect, node: exp.Group) -> exp.Expression:
    if not node.args.get("all"):
        return node
    select = node.parent
    if not isinstance(select, exp.Select):
        raise NotPushable("GROUP BY ALL outside a SELECT")
    keys = [p.unalias().copy() for p in select.expressions if not p.find(exp.AggFunc)]
    if not keys:
        raise NotPushable("GROUP BY ALL without grouping columns")
    return exp.Group(expressions=keys)


def _like(d: Dialect, node: exp.Like) -> exp.Expression:
    if "\\" in d.constant(node.expression, "a LIKE pattern"):
        raise NotPushable("LIKE pattern with a backslash (DuckDB has no escape character)")
    return node


def _substring(d: Dialect, node: exp.Substring) -> exp.Expression:
    start = node.args.get("start")
    if not (isinstance(start, exp.Literal) and start.is_int and int(start.this) >= 1):
        raise NotPushable("substr() with a start that is not a positive constant")
    return node


class Postgres(Dialect, name="PostgreSQL", write="postgres", names=("postgresql",), error=NotPushable,
               regex=PORTABLE):
    """Push-down into PostgreSQL (the warehouse's SQLAlchemy dialect ``postgresql``)."""

    fixes = {exp.GT: _greater, **dict.fromkeys(COMPARISONS[1:], _comparison), exp.Anonymous: _anonymous,
             exp.TryCast: _try_cast, exp.Cast: _cast, exp.RegexpFullMatch: _regex(full=True),
             exp.RegexpLike: _regex(full=False), exp.AnyValue: _any_value, exp.IgnoreNulls: _ignore_nulls,
             exp.Subquery: _subquery, exp.Group: _group, exp.Like: _like, exp.Substring: _substring}

    def translate(self, tree: exp.Expression) -> exp.Expression:
        """Only the allowed constructs, operand kinds recorded before the fixes, no list left."""
        for node in tree.walk():
            if not isinstance(node, ALLOWED):
                raise NotPushable(f"{type(node).__name__} ({node.sql('duckdb')[:60]}) has no {self.name} lowering")
        annotate(tree)
        tree = super().translate(tree)
        left = next((n for n in tree.walk() if isinstance(n, LIST_NODES)), None)
        if left is not None:
            raise NotPushable(f"list expression ({left.sql('duckdb')[:60]}) has no {self.name} lowering")
        return tree


__all__ = ["MARKER", "NotPushable", "Postgres", "kind"]
