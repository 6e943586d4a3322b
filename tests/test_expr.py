"""engine.expr: the allow-listed rule expression language compiled to DuckDB SQL."""
import duckdb
import pytest

from engine.expr import ExpressionError, compile_expression
from engine.formats import parse_format
from engine.spec import Field, TableSpec, load_catalog
from tests.helpers import write_spec


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return load_catalog(write_spec(tmp_path_factory.mktemp("spec"))).tables["DEMO"]


@pytest.mark.parametrize("text, fields", [
    ("QS > 10", ("QS",)),
    ("期数 > 10", ("QS",)),
    ("num(JE) >= num(余额)", ("JE", "YE")),
    ("ymd(JSRQ) >= ymd(开始日期)", ("JSRQ", "KSRQ")),
    ("is_empty(MC) OR filled(名称)", ("MC",)),
    ("NOT is_default(KSRQ)", ("KSRQ",)),
    ("is_default(金额)", ("JE",)),
    ("bytes(MC) <= 12 AND chars(MC) <= 4", ("MC",)),
    ("LX IN ('甲类', '乙类')", ("LX",)),
    ("CASE WHEN LX = '甲类' THEN num(JE) > 0 ELSE TRUE END", ("LX", "JE")),
    ("MC LIKE '张%' AND BZ IS NOT NULL", ("MC", "BZ")),
    ("upper(trim(BZ)) = 'CNY' OR lower(BZ) = 'usd'", ("BZ",)),
    ("substring(MC, 1, 1) <> '测' AND left(ID, 2) <> '00' AND right(ID, 1) <> 'X'", ("MC", "ID")),
    ("coalesce(MC, BBZ, '') <> ''", ("MC", "BBZ")),
    ("abs(num(JE)) < 100 AND round(num(YE), 1) = 1.5", ("JE", "YE")),
    ("num(JE) + num(YE) * 2 - 1 > num(QS) / 2 AND num(QS) % 2 = 0", ("JE", "YE", "QS")),
    ("MC || BZ <> ''", ("MC", "BZ")),
    ('"MC" = \'1\'', ("MC",)),
    ("num(QS) BETWEEN 1 AND 12", ("QS",)),
    ("IF(filled(MC), TRUE, FALSE)", ("MC",)),
    ("TRUE", ()),
    ("'a' = 'a'", ()),
    ("MC = 'a'' OR 1=1 --'", ("MC",)),      # quotes and dashes inside a string literal stay in the literal
])
def test_allowed_expressions_compile_and_name_fields(table, text, fields):
    compiled = compile_expression(text, table)
    assert compiled.fields == fields
    assert compiled.sql.startswith("(") and compiled.sql.endswith(")")


def test_number_literal_makes_the_comparison_numeric(table):
    sql = compile_expression("QS > 10", table).sql
    assert 'TRY_CAST("QS" AS DECIMAL(38, 10)) > 10' in sql
    assert 'TRY_CAST("QS" AS DECIMAL' in compile_expression("-5 < 期数", table).sql
    assert "TRY_CAST" not in compile_expression("QS > '10'", table).sql     # string literal: text compare


def test_helpers_compile_to_the_documented_sql(table):
    assert compile_expression("num(JE) = 0", table).sql == '(TRY_CAST("JE" AS DECIMAL(38, 10)) = 0)'
    assert "TRY_STRPTIME" in compile_expression("ymd(KSRQ) IS NULL", table).sql
    assert "'99991231'" in compile_expression("is_default(KSRQ)", table).sql
    assert "'999912'" in compile_expression("is_default(NY)", table).sql
    assert "'000000'" in compile_expression("is_default(SJ)", table).sql
    assert "= 0" in compile_expression("is_default(QS)", table).sql
    assert "STRLEN" in compile_expression("bytes(MC) > 1", table).sql.upper()
    assert "LENGTH" in compile_expression("chars(MC) > 1", table).sql.upper()


def _eval(sql: str, **row) -> object:
    con = duckdb.connect()
    try:
        cols = ", ".join(f"CAST({'NULL' if v is None else repr(v)} AS VARCHAR) AS \"{k}\"" for k, v in row.items())
        return con.execute(f"SELECT {sql} FROM (SELECT {cols})").fetchone()[0]
    finally:
        con.close()


def test_compiled_sql_runs_on_text_columns(table):
    row = dict(ID="1", MC="张三李四", JE="9", YE="10", QS="11", KSRQ="99991231", JSRQ="20240229", BZ="", LX="甲类")
    assert _eval(compile_expression("QS > 10", table).sql, **row) is True
    assert _eval(compile_expression("num(JE) < num(YE)", table).sql, **row) is True
    assert _eval(compile_expression("JE < YE", table).sql, **row) is True           # two numeric-format fields: numbers
    assert _eval(compile_expression("MC < BZ", table).sql, **row) is False          # two text fields: text compare
    assert _eval(compile_expression("bytes(名称) = 12 AND chars(名称) = 4", table).sql, **row) is True
    assert _eval(compile_expression("is_default(KSRQ) AND NOT is_default(JSRQ)", table).sql, **row) is True
    assert _eval(compile_expression("is_empty(BZ) AND filled(LX)", table).sql, **row) is True
    assert _eval(compile_expression("ymd(JSRQ) > ymd(KSRQ)", table).sql, **row) is False
    assert _eval(compile_expression("num(MC) > 0", table).sql, **row) is None       # NULL: rules treat as pass
    assert _eval(compile_expression("is_empty(BBZ)", table).sql, **{**row, "BBZ": None}) is True


@pytest.mark.parametrize("text, match", [
    ("(SELECT 1) = 1", "not allowed"),
    ("MC IN (SELECT MC FROM t_DEMO)", "not allowed"),
    ("EXISTS (SELECT 1)", "not allowed"),
    ("read_csv('x') = MC", "not allowed"),
    ("read_parquet('x') IS NULL", "not allowed"),
    ("COPY t TO 'x'", "not allowed"),
    ("ATTACH 'x'", "not allowed"),
    ("1 = 1; DROP TABLE t", "exactly one expression"),
    ("MC = '1'; SELECT 1", "exactly one expression"),
    ("; DROP TABLE t", "not allowed"),
    ("foo(MC) = 1", "function 'foo' is not allowed"),
    ("getenv('HOME') = MC", "not allowed"),
    ("strlen(MC) > 1", "function 'strlen' is not allowed"),
    ("regexp_matches(MC, 'a')", "not allowed"),
    ("t.MC = '1'", "qualified name"),
    ('"t"."MC" = \'1\'', "qualified name"),
    ("main.t.MC = 1", "qualified name"),
    ("nope = 1", "unknown field 'nope'"),
    ("MC = \"x\"", "unknown field 'x'"),                       # double quotes name a field, not a string
    ("QS::INT > 1", "not allowed"),
    ("CAST(QS AS INT) > 1", "not allowed"),
    ("INSTALL httpfs", "not allowed"),
    ("LOAD httpfs", "not allowed"),
    ("PRAGMA version", "not allowed"),
    ("SET threads = 1", "not allowed"),
    ("CALL pragma_version()", "not allowed"),
    ("current_date > ymd(KSRQ)", "not allowed"),
    ("MC = ?", "not allowed"),
    ("MC = $1", "not allowed"),
    ("[1, 2] = MC", "not allowed"),
    ("'名\"称' = MC AND \"名\"\"称\" = '1'", "unknown field"),    # quote inside an identifier: no escape
    ('"名""称" = \'1\'', "unknown field"),
    ("名称\" = '1'", "does not parse"),
    ("num() > 1", "exactly one argument"),
    ("num(JE, YE) > 1", "exactly one argument"),
    ("is_default(MC)", "no default"),
    ("is_default(num(JE))", "takes a field name"),
    ("QS > 1 AND", "does not parse"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_hostile_or_invalid_expressions_raise(table, text, match):
    with pytest.raises(ExpressionError, match=match):
        compile_expression(text, table)


def test_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)


def test_line_and_block_comments_are_refused(table):
    for text in ("MC = '1' -- ) OR TRUE", "MC = '1' /* x */", "MC = '1' -- */ OR TRUE OR /*"):
        with pytest.raises(ExpressionError, match="comments"):
            compile_expression(text, table)

def test_comment_trick_is_rejected(table):
    with pytest.raises(ExpressionError):
        compile_expression("1=1 -- ", table)


def test_works_with_a_table_built_in_code():
    spec = TableSpec("T", "测试表", "状态类", [
        Field("ZJHM", "证件号码", parse_format("C..18"), 1),
        Field("KHRQ", "开户日期", parse_format("YYYYMMDD"), 2),
    ])
    compiled = compile_expression("filled(证件号码) AND ymd(开户日期) IS NOT NULL AND NOT is_default(KHRQ)", spec)
    assert compiled.fields == ("ZJHM", "KHRQ")
    assert '"ZJHM"' in compiled.sql and '"KHRQ"' in compiled.sql
    with pytest.raises(ExpressionError, match="unknown field 'MC' in table T"):
        compile_expression("MC = '1'", spec)
