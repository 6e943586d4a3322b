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
