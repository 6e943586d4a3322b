"""``any_char_sql``, the guard of the per-row marks: every control character and the double
quote are found in ASCII text and in Chinese text, and nothing else is (ASCII text is looked into
for the ASCII ones only)."""
import duckdb
import pytest

from engine.sources.load import CONTROL, QUOTE, any_char_sql

CHARS = CONTROL + QUOTE


@pytest.fixture(scope="module")
def con():
    return duckdb.connect()


def holds(con, text: str | None) -> bool:
    return con.execute(f"SELECT {any_char_sql('$t::VARCHAR', CHARS)}", {"t": text}).fetchone()[0]


@pytest.mark.parametrize("char", list(dict.fromkeys(CHARS)))
def test_each_character_is_found_in_ascii_and_in_chinese_text(con, char):
    assert holds(con, f"ab{char}cd")
    assert holds(con, f"张{char}三")
    assert holds(con, char)


@pytest.mark.parametrize("text", ["", "abc 123", "张三", "“备注”——…", "\x01", "中\x01文"])
def test_text_without_them_is_clean(con, text):
    assert not holds(con, text)


def test_null_holds_nothing(con):
    assert not holds(con, None)


def test_dictionary_columns_are_those_whose_every_data_page_has_one(tmp_path, con):
    """A column whose writer fell back to plain pages lists the dictionary encoding all the same:
    the pages' statistics tell. Such a column is marked row by row, as one without a dictionary."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from engine.sources.tabular import dictionary_columns
    n = 5000
    table = pa.table({"many": [f"ID{i:012d}" for i in range(n)], "few": [f"v{i % 7}" for i in range(n)],
                      "none": [f"n{i % 7}" for i in range(n)]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, use_dictionary=["many", "few"], dictionary_pagesize_limit=1024, row_group_size=2000)
    encodings = {name: enc for name, enc in con.execute(
        "SELECT path_in_schema, any_value(encodings) FROM parquet_metadata(?) GROUP BY 1", [str(path)]).fetchall()}
    assert "DICTIONARY" in encodings["many"]  # named, though most of its pages are plain
    assert dictionary_columns(con, path) == {"few"}
