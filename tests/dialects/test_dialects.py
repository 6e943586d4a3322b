"""The dialect shape: a registry by name, one children-first walker, fixes keyed by node type,
one cached translation per text. What each dialect's fixes mean on real values is tested
against the engines themselves (tests/sources/test_warehouse.py for PostgreSQL,
tests/backends/test_spark.py for Spark)."""
from __future__ import annotations

import pytest
from sqlglot import exp, parse_one

from engine.dialects import dialect_for
from engine.dialects.base import Dialect, Untranslatable, walk
from engine.dialects.postgres import MARKER, NotPushable, Postgres
from engine.dialects.spark import Spark, glob_regex, to_spark


def test_the_registry_knows_postgres_and_spark_and_streams_mysql():
    assert isinstance(dialect_for("postgresql"), Postgres)
    assert isinstance(dialect_for("spark"), Spark)
    assert dialect_for("mysql") is None  # MariaDB/MySQL: no faithful lowering, the table is streamed


def test_the_walker_visits_children_first():
    seen: list[str] = []

    def record(node: exp.Expression) -> exp.Expression:
        seen.append(type(node).__name__)
        return node
    walk(parse_one("a + b * c"), record)
    assert seen == ["Identifier", "Column", "Identifier", "Column", "Identifier", "Column", "Mul", "Add"]


def test_a_fix_is_found_by_the_nodes_type_or_its_nearest_base():
    class Probe(Dialect, name="Probe", write="duckdb"):
        fixes = {exp.Cast: lambda d, n: exp.Literal.string("cast")}

    class TryProbe(Probe):
        fixes = {**Probe.fixes, exp.TryCast: lambda d, n: exp.Literal.string("try")}
    assert Probe().expression("CAST(a AS INT) || TRY_CAST(a AS INT)") == "'cast' || 'cast'"  # TryCast is a Cast
    assert TryProbe().expression("CAST(a AS INT) || TRY_CAST(a AS INT)") == "'cast' || 'try'"
    assert Probe().expression("a + 1") == "a + 1"  # no fix: as it is


def test_postgres_lowers_what_means_the_same():
    pg = dialect_for("postgresql")
    assert pg.expression("strlen(a) > 3") == "OCTET_LENGTH(a) > 3"
    assert pg.expression("regexp_full_match(a, '\\d{3}')") == "a ~ '^(?:[0-9]{3})\\Z'"
    assert pg.expression("a < b") == 'a COLLATE "C" < b'  # DuckDB orders text by bytes
    assert pg.expression("any_value(a)") == "MIN(a)"
    assert MARKER in pg.expression("TRY_CAST(a AS DECIMAL(38, 10)) > 0")


@pytest.mark.parametrize("dialect, sql, reason", [
    ("postgresql", "foo(a)", "function foo() has no PostgreSQL lowering"),
    ("postgresql", "regexp_full_match(a, '\\w')",
     "regular expression '\\\\w': \\w (word characters differ by engine) is not portable"),
    ("postgresql", "regexp_full_match(a, b)", "a regular expression must be a constant string"),
    ("postgresql", "a LIKE 'x\\%'", "LIKE pattern with a backslash"),
    ("postgresql", "a < 1", "comparison of text with int"),
    ("postgresql", "a +", "cannot parse: "),
    ("spark", "foo(a)", "function foo() has no Spark equivalent here"),
    ("spark", "regexp_full_match(a, '\\C')", "regular expression '\\C': \\C (any byte) has no Java equivalent"),
    ("spark", "regexp_full_match(a, b)", "a regular expression must be a constant string on Spark"),
    ("spark", "try_strptime(a, '%d.%m.%Y')", "TRY_STRPTIME(a, '%d.%m.%Y'): only the format '%Y%m%d' runs on Spark"),
    ("spark", "a +", "the SQL does not parse: "),
])
def test_a_dialect_refuses_naming_the_reason(dialect, sql, reason):
    target = dialect_for(dialect)
    with pytest.raises(target.error) as info:
        target.expression(sql)
    assert str(info.value).startswith(reason)
    assert isinstance(info.value, Untranslatable)


def test_a_refusal_is_remembered_like_a_translation():
    pg = Postgres()
    with pytest.raises(NotPushable) as first:
        pg.expression("foo(a)")
    with pytest.raises(NotPushable) as second:
        pg.expression("foo(a)")
    assert first.value is second.value
    assert pg.query("SELECT strlen(a) FROM t") is pg.query("SELECT strlen(a) FROM t")


def test_spark_translates_what_means_the_same():
    assert to_spark("SELECT strlen(a) FROM t") == "SELECT OCTET_LENGTH(a) FROM t"
    assert to_spark("SELECT regexp_full_match(a, '\\d$') FROM t") == "SELECT a RLIKE '(?d)^(?:\\\\d\\\\z)\\\\z' FROM t"
    assert to_spark("SELECT a LIKE 'x\\%' FROM t") == "SELECT a LIKE 'x\\\\\\\\%' FROM t"
    assert to_spark("SELECT len(list_filter([1], lambda x: x > 0))") == "SELECT SIZE(FILTER(ARRAY(1), x -> x > 0))"
    assert "TRY_TO_TIMESTAMP" in to_spark("SELECT try_strptime(a, '%Y%m%d') FROM t")


def test_deep_sql_is_translated_not_crashed():
    """Unrolled check sums nest deep (LEI: 20 levels of CASE); Python's default limit is not enough."""
    deep = "a"
    for _ in range(150):
        deep = f"CASE WHEN strlen(a) > 1 THEN {deep} ELSE 'z' END"
    assert to_spark(f"SELECT {deep} FROM t").count("OCTET_LENGTH") == 150


@pytest.mark.parametrize("glob, regex", [("x*", "(?s)^(?:x.*)\\z"), ("a?[!b]", "(?s)^(?:a.[^b])\\z"),
                                         ("a.b", "(?s)^(?:a\\.b)\\z")])
def test_glob_as_java_regex(glob, regex):
    assert glob_regex(glob) == regex
