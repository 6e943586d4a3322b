"""engine.formats: parsing format codes, their defaults and descriptions, and the violation SQL."""
import duckdb
import pytest

from engine.formats import FormatCode, parse_format, violation_sql
from engine.dialects.quoting import sql_quote


@pytest.mark.parametrize("code, kind, width, scale, fixed", [
    ("C8", "char", 8, None, True),
    ("C..100", "char", 100, None, False),
    ("C1", "char", 1, None, True),
    ("I", "int", None, None, False),
    ("I..4", "int", 4, None, False),
    ("D20.2", "decimal", 20, 2, False),
    ("D5", "decimal", 5, 0, False),
    ("D10.0", "decimal", 10, 0, False),
    ("F", "float", None, None, False),
    ("YYYYMMDD", "date", 8, None, True),
    ("YYYYMM", "yearmonth", 6, None, True),
    ("hhmmss", "time", 6, None, True),
    (" C..12 ", "char", 12, None, False),
])
def test_good_codes(code, kind, width, scale, fixed):
    fmt = parse_format(code)
    assert (fmt.kind, fmt.width, fmt.scale, fmt.fixed) == (kind, width, scale, fixed)
    assert fmt.code == code


@pytest.mark.parametrize("code", [
    "", "C", "C..", "C0", "C..0", "c8", "X8", "C8.2", "C...8", "I4", "I..", "D", "D20.", "D.2", "D2.2", "D2.5",
    "F8", "YYYY-MM-DD", "yyyymmdd", "YYYYMMDDhhmmss", "HHMMSS", "C-1",
])
def test_bad_codes_raise_with_the_code_in_the_message(code):
    with pytest.raises(ValueError) as info:
        parse_format(code)
    assert f"'{code}'" in str(info.value)


@pytest.mark.parametrize("code", ["C８", "I..٤", "D２0.2"])
def test_non_ascii_digits_are_rejected(code):
    # \d without re.ASCII would match full-width / Arabic-Indic digits and parse these as C8, I..4, D20.2
    with pytest.raises(ValueError) as info:
        parse_format(code)
    assert f"'{code}'" in str(info.value)


def test_defaults_and_numeric_flag():
    assert parse_format("YYYYMMDD").default == "99991231"
    assert parse_format("YYYYMM").default == "999912"
    assert parse_format("hhmmss").default == "000000"
    assert parse_format("D20.2").default == "0"
    assert parse_format("I..4").default == "0"
    assert parse_format("F").default == "0"
    assert parse_format("C..10").default is None
    assert [parse_format(c).is_numeric for c in ("I", "D20.2", "F", "C8", "YYYYMMDD")] == [True, True, True, False, False]


def test_describe():
    assert parse_format("C8").describe() == "exactly 8 UTF-8 bytes"
    assert parse_format("C..100").describe() == "at most 100 UTF-8 bytes"
    assert parse_format("I").describe() == "an integer without sign '+' or leading zeros"
    assert parse_format("I..4").describe() == "an integer without sign '+' or leading zeros, at most 4 digits"
    assert parse_format("D20.2").describe() == "a decimal of at most 20 characters and 2 decimals, no '+', no padding zeros"
    assert parse_format("D5").describe().startswith("a decimal of at most 5 characters and 0 decimals")
    assert parse_format("F").describe() == "a number"
    assert parse_format("YYYYMMDD").describe() == "a real date YYYYMMDD or 99991231"
    assert parse_format("YYYYMM").describe() == "a real month YYYYMM or 999912"
    assert "000000" in parse_format("hhmmss").describe()


def test_format_code_is_frozen_and_comparable():
    assert parse_format("C8") == FormatCode("C8", "char", 8, fixed=True)
    with pytest.raises(Exception):
        parse_format("C8").width = 9  # type: ignore[misc]


@pytest.mark.parametrize("code, value, bad", [
    ("C..12", "张三李四", False), ("C..12", "张三李四王", True), ("C3", "是", False), ("C3", "Y", True),
    ("I..4", "-5", False), ("I..4", "007", True), ("I", "+1", True),
    ("D20.2", "-0.5", False), ("D20.2", "1.", True), ("D20.2", "1,000.00", True),
    ("F", "1e3", False), ("F", "1.", True),
    ("YYYYMMDD", "20240229", False), ("YYYYMMDD", "20230229", True), ("YYYYMMDD", "99991231", False),
    ("YYYYMM", "999912", False), ("YYYYMM", "202413", True),
    ("hhmmss", "235959", False), ("hhmmss", "240000", True),
])
def test_violation_sql_runs_in_duckdb(code, value, bad):
    sql = violation_sql(parse_format(code), "v")
    con = duckdb.connect()
    try:
        assert con.execute(f"SELECT {sql} FROM (SELECT {sql_quote(value)} AS v)").fetchone()[0] is bad
    finally:
        con.close()
