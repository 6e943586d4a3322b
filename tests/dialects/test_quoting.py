"""engine.dialects.quoting: a name or a text, whatever it holds, is one identifier or one literal
in every dialect the engine writes (DuckDB here; the warehouse and Spark tests run the rest)."""
from __future__ import annotations

import duckdb
import pytest

from engine.dialects.quoting import quote_ident, sql_quote

NASTY = ["it's", "名称", "''", "a'; DROP TABLE t; --", "\\'", "x\ny", '"', ""]


def test_sql_quote_doubles_the_quote():
    assert sql_quote("it's") == "'it''s'"
    assert sql_quote("名称") == "'名称'"


def test_quote_ident_doubles_the_quote():
    assert quote_ident('名"称') == '"名""称"'


@pytest.mark.parametrize("text", NASTY)
def test_a_literal_reads_back_as_the_text(text):
    assert duckdb.connect().execute(f"SELECT {sql_quote(text)}").fetchone()[0] == text


@pytest.mark.parametrize("name", [n for n in NASTY if n])
def test_an_identifier_names_exactly_one_column(name):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t (k VARCHAR, {quote_ident(name)} VARCHAR)")
    con.execute("INSERT INTO t VALUES ('a', 'b')")
    assert con.execute(f"SELECT {quote_ident(name)} FROM t").fetchone()[0] == "b"
    assert [d[0] for d in con.description] == [name]
