"""Field codes, Chinese field names and literals with quotes are quoted correctly all the way to DuckDB.

* engine.dialects.quoting.quote_ident makes any name — ``名"称``, ``a""b``, ``x"; DROP TABLE t; --`` —
  exactly one DuckDB column (checked by creating tables with such columns and selecting through it);
* a spec field whose Chinese *name* carries quotes (or SQL) can be named in ``when`` and
  ``expression`` rules with double-quoted identifier syntax ("名""称" = '1') and compiles to the
  right column;
* string literals with embedded single quotes ('张''三'), backslashes and comment markers keep
  their exact text and match the right rows — in expressions and in every other place rule
  parameters become SQL literals (code lists, compare values, regex patterns, forbidden chars).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from engine.errors import RuleFileError
from engine.expr import ExpressionError, compile_expression
from engine.rules import CompileContext
from engine.dialects.quoting import quote_ident
from engine.spec import load_catalog
from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, run_rules, write_spec

# Hypothesis caches (.hypothesis/) go to the temp folder, not the project: its pytest plugin writes
# them already during collection, so this has to happen at import time.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "jianhe-hypothesis")

NASTY_NAMES = [
    '名"称', 'a""b', 'x"; DROP TABLE t; --', '"', '""', '"""', "'", "名'称", "a b", "select", "FROM", "\\",
    "--", "/* x */", ";", "\u202e名称", "引\"号'混\\合", "x" * 1000, '"; ATTACH \'/tmp/x.db\' AS y; --', "MC",
]


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def tables(con) -> list[tuple]:
    return con.execute("SELECT database_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()


@pytest.mark.parametrize("name", NASTY_NAMES, ids=lambda n: repr(n[:24]))
def test_quote_ident_makes_exactly_one_column(con, name):
    con.execute(f"CREATE TABLE t (k VARCHAR, {quote_ident(name)} VARCHAR, z VARCHAR)")
    con.execute("INSERT INTO t VALUES ('k1', 'v1', 'z1'), ('k2', 'v2', 'z2')")
    assert [row[0] for row in con.execute("DESCRIBE t").fetchall()] == ["k", name, "z"]
    assert con.execute(f"SELECT {quote_ident(name)} FROM t ORDER BY k").fetchall() == [("v1",), ("v2",)]
    assert con.execute(f"SELECT count(*) FROM t WHERE {quote_ident(name)} = 'v2'").fetchone()[0] == 1
    assert tables(con) == [("memory", "t")]          # nothing dropped, nothing created


def test_quote_ident_columns_side_by_side(con):
    """All nasty names in one table: each select through quote_ident hits its own column."""
    names = [n for n in NASTY_NAMES if n.lower() not in ("mc",)]
    cols = ", ".join(f"{quote_ident(n)} VARCHAR" for n in names)
    con.execute(f"CREATE TABLE t ({cols})")
    con.execute(f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", [f"v{i}" for i in range(len(names))])
    for i, name in enumerate(names):
        assert con.execute(f"SELECT {quote_ident(name)} FROM t").fetchone()[0] == f"v{i}", name
    assert tables(con) == [("memory", "t")]


def test_quote_ident_as_relation_name(con):
    """CompileContext.relation quotes t_<CODE> the same way."""
    name = 't_"; DROP TABLE keep; --'
    con.execute("CREATE TABLE keep (a INT)")
    con.execute(f"CREATE TABLE {quote_ident(name)} (a INT)")
    assert sorted(t for _, t in tables(con)) == sorted(["keep", name])


@pytest.mark.slow
@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(min_size=1, max_size=30))
def test_quote_ident_round_trips_any_name(name):
    assume(name.strip().lower() not in ("k", "z"))  # DuckDB column names are case-insensitive
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"CREATE TABLE t (k VARCHAR, {quote_ident(name)} VARCHAR, z VARCHAR)")
        con.execute("INSERT INTO t VALUES ('k', 'v', 'z')")
        assert [row[0] for row in con.execute("DESCRIBE t").fetchall()] == ["k", name, "z"]
        assert con.execute(f"SELECT {quote_ident(name)} FROM t").fetchone() == ("v",)
        assert tables(con) == [("memory", "t")]
    finally:
        con.close()


# ---- a spec whose Chinese field names carry quotes and SQL --------------------------------------
QUOTED_FIELDS = DEMO_FIELDS + [
    {"code": "YH", "name": '名"称', "format": "C..20"},
    {"code": "DY", "name": "单'引", "format": "C..20"},
    {"code": "ZR", "name": 'x"; DROP TABLE t_DEMO; --', "format": "C..20"},
    {"code": "FX", "name": "反\\斜", "format": "C..20"},
]


def dq(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def quoted_table(tmp_path_factory):
    return load_catalog(write_spec(tmp_path_factory.mktemp("spec"), {"DEMO": QUOTED_FIELDS})).tables["DEMO"]


@pytest.mark.parametrize("text, sql, fields", [
    ('"名""称" = \'1\'', '("YH" = \'1\')', ("YH",)),
    ("\"单'引\" = 'a'", '("DY" = \'a\')', ("DY",)),
    ('"x""; DROP TABLE t_DEMO; --" = \'y\'', '("ZR" = \'y\')', ("ZR",)),
    ('"反\\斜" = \'\\\'', '("FX" = \'\\\')', ("FX",)),
    ('"名""称" = "单\'引"', '("YH" = "DY")', ("YH", "DY")),
    ("名称 = '张''三'", '("MC" = \'张\'\'三\')', ("MC",)),
    ('"名称" = \'x\'', '("MC" = \'x\')', ("MC",)),
    ("'名称' = '名称'", "('名称' = '名称')", ()),          # single quotes: a string, not a field
])
def test_quoted_chinese_names_compile_to_the_right_column(quoted_table, text, sql, fields):
    compiled = compile_expression(text, quoted_table)
    assert compiled.sql == sql
    assert compiled.fields == fields


@pytest.mark.parametrize("text", [
    '名"称 = \'1\'',                 # the quote must be doubled inside a quoted name, or the name quoted
    '"名"称" = \'1\'',
    '"名""称"" = \'1\'',
    "\"单'引 = 'a'",
    '"x"; DROP TABLE t_DEMO; --" = \'y\'',
    '"名""称_" = \'1\'',             # close, but not a field
])
def test_badly_quoted_names_are_expression_errors(quoted_table, text):
    with pytest.raises(ExpressionError):
        compile_expression(text, quoted_table)


def test_compile_context_quotes_codes_and_relation(quoted_table, tmp_path):
    catalog = load_catalog(write_spec(tmp_path, {"DEMO": QUOTED_FIELDS}))
    ctx = CompileContext(catalog, catalog.tables["DEMO"])
    assert ctx.column('名"称') == '"YH"'
    assert ctx.column('x"; DROP TABLE t_DEMO; --') == '"ZR"'
    assert ctx.relation("DEMO") == '"t_DEMO"'


def test_when_on_a_quoted_chinese_name_selects_the_right_rows(tmp_path):
    rules = """
    rules:
      - id: W1
        table: DEMO
        kind: required
        field: MC
        when: '"名""称" = ''1'''
      - id: W2
        table: DEMO
        kind: required
        field: BBZ
        when: '"x""; DROP TABLE t_DEMO; --" = ''drop'' AND "单''引" <> ''跳过'''
    """
    rows = [
        {"ID": "1", "YH": "1", "MC": ""},                 # W1 fails
        {"ID": "2", "YH": "1", "MC": "张三"},
        {"ID": "3", "YH": "2", "MC": ""},
        {"ID": "4", "YH": '1"', "MC": ""},                # a quote in the data is just data
        {"ID": "5", "ZR": "drop", "DY": "x"},             # W2 fails
        {"ID": "6", "ZR": "drop", "DY": "跳过"},
        {"ID": "7", "ZR": "drop", "DY": "x", "BBZ": "有"},
    ]
    result = run_rules(tmp_path, rules, rows, tables={"DEMO": QUOTED_FIELDS})
    assert failing_lines(result, "W1") == [1]
    assert failing_lines(result, "W2") == [5]
    assert rule_result(result, "W1").when == '"名""称" = \'1\''


# ---- string literals with quotes, backslashes and comment markers --------------------------------
LITERAL_ROWS = [
    {"ID": "1", "MC": "张'三"},
    {"ID": "2", "MC": "张三"},
    {"ID": "3", "MC": "张''三"},
    {"ID": "4", "MC": "a\\"},
    {"ID": "5", "MC": "O'Brien"},
    {"ID": "6", "MC": "x' OR '1'='1"},
    {"ID": "7", "MC": "-- ;"},
]


@pytest.mark.parametrize("expr, lines", [
    ("MC <> '张''三'", [1]),                       # '' is one quote: only 张'三 matches
    ("MC <> '张''''三'", [3]),                     # '''' is two quotes
    ("MC <> 'a\\'", [4]),                          # a backslash is an ordinary character
    ("MC NOT IN ('张''三', 'O''Brien')", [1, 5]),
    ("NOT (MC LIKE '%''%')", [1, 3, 5, 6]),          # contains a quote
    ("MC <> 'x'' OR ''1''=''1'", [6]),             # an injection attempt inside a literal stays text
    ("MC <> '-- ;'", [7]),
    ("MC || '''' <> '张''三'''", [1]),
])
def test_string_literals_with_quotes_match_the_right_rows(tmp_path, expr, lines):
    rules = "rules:\n  - {id: L, table: DEMO, kind: expression, expr: %s}\n" % _yaml_str(expr)
    result = run_rules(tmp_path, rules, LITERAL_ROWS)
    assert failing_lines(result, "L") == lines


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_literals_in_rule_parameters_are_escaped(tmp_path):
    """Code lists, compare values, regex patterns and forbidden chars become SQL literals safely."""
    rules = """
    rules:
      - {id: CL, table: DEMO, kind: codelist, field: LX}
      - {id: CV, table: DEMO, kind: compare, field: BZ, op: '<>', value: "x' OR '1'='1", type: text}
      - {id: RX, table: DEMO, kind: regex, field: BBZ, pattern: "[^']*"}
      - {id: FC, table: DEMO, kind: forbidden_chars, field: ID, chars: "'\\\\"}
      - {id: ND, table: DEMO, kind: not_default, field: MC, default: "'; DROP TABLE t_DEMO; --"}
    """
    rows = [
        {"ID": "1", "LX": "甲'类", "BZ": "x' OR '1'='1", "BBZ": "ok", "MC": "'; DROP TABLE t_DEMO; --"},
        {"ID": "2", "LX": "甲类", "BZ": "CNY", "BBZ": "it's", "MC": "张三"},
        {"ID": "3'", "LX": "其他-'", "BZ": "USD", "BBZ": "", "MC": "李四"},
        {"ID": "4\\", "LX": "乙类"},
    ]
    codelists = {"类型": {"values": ["甲'类", "乙类"], "other": True}}
    result = run_rules(tmp_path, rules, rows, codelists=codelists)
    assert failing_lines(result, "CL") == [2]          # 甲类 is not in the list; 甲'类 and 其他-' are
    assert failing_lines(result, "CV") == [1]          # equal to the hostile constant → fails '<>'
    assert failing_lines(result, "RX") == [2]          # it's contains a quote
    assert failing_lines(result, "FC") == [3, 4]       # a quote / a backslash
    assert failing_lines(result, "ND") == [1]


# ---- codes cannot carry quotes at all -------------------------------------------------------------
@pytest.mark.parametrize("table_code, field_code", [("DEMO", 'M"C'), ("DEMO", "MC; --"), ('DE"MO', "MC"),
                                                    ("DEMO", "名称"), ("demo", "MC")])
def test_spec_rejects_codes_that_would_need_quoting(tmp_path, table_code, field_code):
    spec = tmp_path / "specs" / "demo"
    (spec / "tables").mkdir(parents=True)
    (spec / "tables" / "DEMO.yaml").write_text(
        f"table: {_yaml_str(table_code)}\nname: 示例\nkind: 状态类\nfields:\n"
        f"  - {{code: {_yaml_str(field_code)}, name: 名称, format: C..10}}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_catalog(spec)
    assert "does not match" in info.value.message
