"""The working-day calendar: package years, calendar files, N-working-day arithmetic, gaps.

Arithmetic is compared with a brute-force loop over chinese_calendar itself, and the SQL
ordinal table with both; the domain reference's deadline vectors are checked as published.
"""
from __future__ import annotations

import random
import textwrap
from datetime import date, timedelta

import duckdb
import pytest

from engine.errors import RuleFileError
from engine.workdays import (CalendarGap, WorkCalendar, describe_years, install_calendar, load_calendar_file,
                             package_years)

cc = pytest.importorskip("chinese_calendar")

DOMAIN_VECTORS = [("2025-09-26", 15, "2025-10-23"), ("2025-12-31", 10, "2026-01-15"), ("2026-02-06", 10, "2026-02-27"),
                  ("2026-02-06", 15, "2026-03-05"), ("2026-04-30", 15, "2026-05-25"), ("2026-09-30", 10, "2026-10-20")]


def brute_force(start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        n -= cc.is_workday(d)
    return d


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_package_years_are_probed_not_assumed():
    years = package_years()
    assert years == tuple(range(years[0], years[-1] + 1))
    assert {2024, 2025} <= set(years)
    with pytest.raises(NotImplementedError):
        cc.is_workday(date(years[-1] + 1, 6, 1))
    with pytest.raises(NotImplementedError):
        cc.is_workday(date(years[0] - 1, 6, 1))


def test_known_2024_2025_facts(cal):
    for made_up in ("2024-02-04", "2024-02-18", "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08", "2025-09-28"):
        d = date.fromisoformat(made_up)
        assert d.weekday() >= 5 and cal.is_workday(d), made_up
    for day in range(1, 8):
        assert not cal.is_workday(date(2024, 10, day))
    assert cal.is_workday(date(2024, 10, 8))
    assert not cal.is_workday(date(2024, 10, 19))  # an ordinary Saturday


@pytest.mark.parametrize("start, n, expected", DOMAIN_VECTORS)
def test_domain_deadline_vectors(cal, start, n, expected):
    assert cal.add_workdays(date.fromisoformat(start), n) == date.fromisoformat(expected)


@pytest.mark.slow
def test_add_workdays_matches_brute_force(cal):
    rng = random.Random(11)
    years = package_years()
    first, last = date(years[0], 1, 1), date(years[-1], 11, 1)
    for _ in range(2000):
        start = first + timedelta(days=rng.randrange((last - first).days))
        n = rng.randrange(0, 45)
        assert cal.add_workdays(start, n) == brute_force(start, n), (start, n)


def test_sql_ordinals_match_the_package(cal):
    con = duckdb.connect()
    install_calendar(con)
    rows = con.execute("SELECT d, n, workday, seg FROM _jh_workdays ORDER BY d").fetchall()
    years = package_years()
    assert rows[0][0] == date(years[0], 1, 1) and rows[-1][0] == date(years[-1], 12, 31)
    count = 0
    for d, n, workday, seg in rows:
        assert workday is cc.is_workday(d), d
        count += workday
        assert (n, seg) == (count, 0), d
    rng = random.Random(5)
    cases = [(date(2005, 1, 1) + timedelta(days=rng.randrange(7000)), rng.randrange(1, 30)) for _ in range(500)]
    got = con.execute(
        "SELECT w.d FROM (SELECT unnest(?) AS s, unnest(?) AS k, generate_subscripts(?, 1) AS i) q "
        "JOIN _jh_workdays b ON b.d = q.s JOIN _jh_workdays w ON w.seg = b.seg AND w.workday AND w.n = b.n + q.k "
        "ORDER BY q.i", [[c[0] for c in cases], [c[1] for c in cases], [c[0] for c in cases]]).fetchall()
    assert [g[0] for g in got] == [brute_force(s, k) for s, k in cases]
    con.close()


def _write(tmp_path, text: str, name: str = "calendar.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_calendar_file_for_an_unknown_year(tmp_path):
    year = package_years()[-1] + 1
    path = _write(tmp_path, f"""\
        year: {year}
        source: State Council notice for {year}
        holidays:
          - {year}-01-01
          - "{year}0210..{year}0216"
          - {year}-10-01..{year}-10-07
        workdays: [{year}-10-10]
        """)
    cal = WorkCalendar([path])
    assert cal.covers(year) and not WorkCalendar().covers(year)
    assert not cal.is_workday(date(year, 1, 1)) and not cal.is_workday(date(year, 2, 12))
    sat = date(year, 10, 10)
    assert cal.is_workday(sat) == True  # noqa: E712 - the make-up day counts
    # arithmetic crosses the year boundary into the file's year
    last_known = date(year - 1, 12, 31)
    expected, d, n = last_known, 0, 10
    while n:
        expected += timedelta(days=1)
        n -= cal.is_workday(expected)
    assert cal.add_workdays(last_known, 10) == expected
    assert [s for s in cal.spans() if s[1] == year] == [(package_years()[0], year)]
    con = duckdb.connect()
    install_calendar(con, [path])
    assert con.execute("SELECT max(d), count(DISTINCT seg) FROM _jh_workdays").fetchall()[0] == (date(year, 12, 31), 1)
    con.close()


def test_unknown_year_is_an_error_not_a_guess(cal):
    last = package_years()[-1]
    with pytest.raises(CalendarGap) as info:
        cal.add_workdays(date(last, 12, 20), 15)
    assert info.value.year == last + 1
    assert f"does not cover {last + 1}" in str(info.value) and "calendar file" in str(info.value)
    with pytest.raises(CalendarGap):
        cal.is_workday(date(last + 3, 1, 1))


def test_a_gap_between_years_is_a_gap(tmp_path):
    year = package_years()[-1] + 2
    cal = WorkCalendar([_write(tmp_path, f"year: {year}\nholidays: [{year}-01-01]\n")])
    assert len(cal.spans()) == 2
    with pytest.raises(CalendarGap) as info:
        cal.add_workdays(date(year - 2, 12, 30), 5)
    assert info.value.year == year - 1
    assert cal.add_workdays(date(year, 1, 1), 1) == next(
        d for d in (date(year, 1, 2) + timedelta(days=i) for i in range(7)) if d.weekday() < 5)
    con = duckdb.connect()
    install_calendar(con, [tmp_path / "calendar.yaml"])
    spans = con.execute("SELECT seg, first_day, last_day FROM _jh_workday_spans ORDER BY seg").fetchall()
    assert [s[2] for s in spans] == [date(year - 2, 12, 31), date(year, 12, 31)]
    con.close()


def test_a_file_year_replaces_the_package_year(tmp_path):
    path = _write(tmp_path, "year: 2024\nholidays: [2024-10-08]\nworkdays: []\n")
    cal = WorkCalendar([path])
    assert not cal.is_workday(date(2024, 10, 8))
    assert cal.is_workday(date(2024, 10, 1))  # the file says nothing about it: an ordinary Tuesday
    assert not cal.is_workday(date(2024, 2, 4))  # the package's make-up Sunday is gone too


def test_several_years_in_one_file(tmp_path):
    y = package_years()[-1]
    path = _write(tmp_path, f"- year: {y + 1}\n  holidays: [{y + 1}-01-01]\n- year: {y + 2}\n  holidays: []\n")
    assert [c.year for c in load_calendar_file(path)] == [y + 1, y + 2]


@pytest.mark.parametrize("text, line, words", [
    ("year: 2027\nholidays: [2027-13-01]\n", 2, "'2027-13-01' is not a"),
    ("year: 2027\nholidays:\n  - 2027-01-01\n  - 2028-01-01\n", 4, "is not in 2027"),
    ("year: 2027\nworkdays:\n  - 2027-02-03\n", 3, "is a weekday"),
    ("year: 2027\nholidays: [2027-02-06]\nworkdays: [2027-02-06]\n", 3, "both as a holiday and as a working day"),
    ("year: 2027\nholiday: [2027-01-01]\n", 2, "unknown key 'holiday'"),
    ("year: twenty\n", 1, "'year' must be a year"),
    ("year: 2027\nholidays: 2027-01-01\n", 2, "must be a list of dates"),
    ("year: 2027\nholidays: [2027-01-09..2027-01-02]\n", 2, "ends before it starts"),
    ("- year: 2027\n- year: 2027\n", 2, "given twice"),
    ("just text\n", None, "a calendar is a mapping"),
])
def test_calendar_file_errors_name_file_and_line(tmp_path, text, line, words):
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_calendar_file(path)
    assert words in info.value.message
    assert info.value.location.file == str(path)
    if line:
        assert info.value.location.line == line


def test_missing_file(tmp_path):
    with pytest.raises(RuleFileError, match="calendar file not found"):
        WorkCalendar([tmp_path / "nope.yaml"])


def test_describe_years():
    assert describe_years([2004, 2005, 2006, 2028]) == "2004–2006, 2028"
    assert describe_years([]) == "no year"


def test_every_package_day_agrees_with_the_package_asked_day_by_day(cal):
    for year in package_years():
        d = date(year, 1, 1)
        while d.year == year:
            assert cal.is_workday(d) == cc.is_workday(d), d
            d += timedelta(days=1)
