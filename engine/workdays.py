"""The PRC working-day calendar (工作日): statutory holidays and make-up working days (调休).

Years come from the ``chinese-calendar`` package — which years it knows is probed through its
own API, never assumed — plus calendar files for the years it does not know yet (the State
Council publishes each year's arrangement around November) or to correct a year it has wrong::

    year: 2027
    holidays: [2027-01-01, 2027-02-06..2027-02-12, ...]   # days off (weekends may be listed too)
    workdays: [2027-02-14, ...]                           # weekend days that are worked

A file may also hold a list of such mappings. A year in a file replaces the package's data for
that year. Arithmetic that reaches a year nobody covers raises :class:`CalendarGap` — a deadline
past the known calendar is never guessed.

For SQL, :func:`install_calendar` puts ``_jh_workdays(d, n, workday, seg)`` on a connection: one
row per covered day, ``n`` = working days from the start of the day's covered span up to and
including ``d``, ``seg`` = the span (a run of consecutive covered years). The N-th working day
after ``d`` is then the working day whose ``n`` is ``n(d) + N`` in the same span — a join, exact.
``_jh_workday_spans(seg, first_day, last_day)`` says where each span ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .errors import Location, RuleFileError
from .localtables import Columns, create_table
from .yamlio import LocDict, LocList, load_yaml

PROBE_YEARS = range(1949, date.today().year + 30)


class CalendarGap(ValueError):
    """The calendar does not cover a year that a computation needs."""

    def __init__(self, year: int, known: list[int]):
        self.year = year
        super().__init__(f"the working-day calendar does not cover {year} (known: {describe_years(known)}); "
                         f"give a calendar file with 'year: {year}'")


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: frozenset[date]  # days off that would otherwise be worked (and any listed weekend day)
    workdays: frozenset[date]  # weekend days that are worked (调休)
    source: str

    def is_workday(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


def _days(year: int):
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


def package_version() -> str:
    try:
        return metadata.version("chinese-calendar")
    except metadata.PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=1)
def package_years() -> tuple[int, ...]:
    """The years chinese-calendar has data for, found by asking it (it refuses other years)."""
    try:
        import chinese_calendar
    except ImportError:
        return ()
    known = []
    for year in PROBE_YEARS:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        known.append(year)
    return tuple(known)


@lru_cache(maxsize=None)
def package_year(year: int) -> YearCalendar:
    import chinese_calendar

    # is_workday's own rule over its tables: asking it day by day checks the year's range each time
    holidays, extra = chinese_calendar.holidays, chinese_calendar.workdays
    days = list(_days(year))
    worked = {d for d in days if d in extra or (d.weekday() <= 4 and d not in holidays)}
    return YearCalendar(year, frozenset(d for d in days if d.weekday() < 5 and d not in worked),
                        frozenset(d for d in days if d.weekday() >= 5 and d in worked),
                        f"chinese-calendar {package_version()}")


# ---------------------------------------------------------------- calendar files

_RANGE = re.compile(r"^\s*(\S+?)\s*\.\.\s*(\S+)\s*$")


def _parse_day(value, where: Location) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pattern, text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise RuleFileError(f"'{value}' is not a date (YYYY-MM-DD, YYYYMMDD or a range A..B)", where)


def _parse_days(items, path: Path, doc: LocDict, key: str) -> list[tuple[date, int]]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise RuleFileError(f"'{key}' must be a list of dates", Location(str(path), doc.line_of(key), key=key))
    lines = getattr(items, "item_lines", [doc.line_of(key)] * len(items))
    out = []
    for item, line in zip(items, lines):
        where = Location(str(path), line, key=key)
        m = _RANGE.match(item) if isinstance(item, str) else None
        if m:
            first, last = _parse_day(m[1], where), _parse_day(m[2], where)
            if last < first:
                raise RuleFileError(f"range '{item}' ends before it starts", where)
            out += [(first + timedelta(days=i), line) for i in range((last - first).days + 1)]
        else:
            out.append((_parse_day(item, where), line))
    return out


def _year_from_doc(doc, path: Path) -> YearCalendar:
    if not isinstance(doc, LocDict):
        raise RuleFileError("a calendar is a mapping with 'year', 'holidays' and 'workdays'",
                            Location(str(path), getattr(doc, "line", None)))
    unknown = sorted(set(doc) - {"year", "holidays", "workdays", "source", "note"})
    if unknown:
        raise RuleFileError(f"unknown key '{unknown[0]}' in a calendar (allowed: year, holidays, workdays, source, note)",
                            Location(str(path), doc.line_of(unknown[0]), key=unknown[0]))
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
        raise RuleFileError("'year' must be a year such as 2027", Location(str(path), doc.line_of("year"), key="year"))
    holidays = _parse_days(doc.get("holidays"), path, doc, "holidays")
    workdays = _parse_days(doc.get("workdays"), path, doc, "workdays")
    for key, days in (("holidays", holidays), ("workdays", workdays)):
        for d, line in days:
            if d.year != year:
                raise RuleFileError(f"{d.isoformat()} is not in {year}", Location(str(path), line, key=key))
    for d, line in workdays:
        if d.weekday() < 5:
            raise RuleFileError(f"{d.isoformat()} is a weekday; 'workdays' lists the weekend days that are worked",
                                Location(str(path), line, key="workdays"))
    both = sorted({d for d, _ in holidays} & {d for d, _ in workdays})
    if both:
        line = next(line for d, line in workdays if d == both[0])
        raise RuleFileError(f"{both[0].isoformat()} is listed both as a holiday and as a working day",
                            Location(str(path), line, key="workdays"))
    return YearCalendar(year, frozenset(d for d, _ in holidays), frozenset(d for d, _ in workdays),
                        str(doc.get("source") or path.name))


def _bad_date(path: Path) -> tuple[int | None, str]:
    """(line, text) of the first impossible YYYY-MM-DD in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.finditer(r"(?<![0-9])(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])", line):
            try:
                date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return number, m[0]
    return None, "a value"


def load_calendar_file(path: Path | str) -> list[YearCalendar]:
    """Parse a calendar file; errors name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(f"calendar file not found: {path}")
    try:
        doc = load_yaml(path)
    except ValueError as exc:  # YAML resolves 2027-13-01 to a date itself and fails without a line
        line, text = _bad_date(path)
        raise RuleFileError(f"'{text}' is not a date ({exc})", Location(str(path), line)) from None
    docs = list(doc) if isinstance(doc, LocList) else [doc]
    years = [_year_from_doc(d, path) for d in docs]
    seen: set[int] = set()
    for y, d in zip(years, docs):
        if y.year in seen:
            raise RuleFileError(f"year {y.year} is given twice", Location(str(path), d.line_of("year"), key="year"))
        seen.add(y.year)
    return years


def pack_calendar_file(pack_file: Path, meta: LocDict) -> Path | None:
    """The ``calendar:`` file of a pack.yaml, checked at load so errors name pack.yaml or the file's line."""
    if "calendar" not in meta:
        return None
    path = pack_file.parent / str(meta["calendar"])
    if not path.is_file():
        raise RuleFileError(f"calendar file not found: {path}",
                            Location(str(pack_file), meta.line_of("calendar"), key="calendar"))
    load_calendar_file(path)
    return path


# ---------------------------------------------------------------- the calendar

def describe_years(years: list[int]) -> str:
    """2004–2026, 2028 — runs of consecutive years."""
    if not years:
        return "no year"
    runs, start = [], years[0]
    for prev, cur in zip(years, years[1:] + [None]):
        if cur != prev + 1:
            runs.append(f"{start}–{prev}" if prev != start else str(start))
            start = cur
    return ", ".join(runs)


class WorkCalendar:
    """Working days over the package's years and any calendar files (files win per year)."""

    def __init__(self, files: list[Path | str] | tuple = ()):
        self.years: dict[int, YearCalendar] = {y: package_year(y) for y in package_years()}
        self.files = [str(f) for f in files]
        for f in files:
            for year in load_calendar_file(f):
                self.years[year.year] = year

    @property
    def known(self) -> list[int]:
        return sorted(self.years)

    def covers(self, year: int) -> bool:
        return year in self.years

    def year(self, year: int) -> YearCalendar:
        if year not in self.years:
            raise CalendarGap(year, self.known)
        return self.years[year]

    def is_workday(self, d: date) -> bool:
        return self.year(d.year).is_workday(d)

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after d (d itself is not counted); n >= 0, n = 0 gives d."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n:
            d += timedelta(days=1)
            n -= self.is_workday(d)
        return d

    def next_workday(self, d: date) -> date:
        """d when it is a working day, else the first working day after it."""
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def describe(self) -> str:
        sources = sorted({y.source for y in self.years.values()})
        return f"{describe_years(self.known)} ({'; '.join(sources)})"

    def spans(self) -> list[tuple[int, int]]:
        """Runs of consecutive covered years as (first, last)."""
        runs: list[tuple[int, int]] = []
        for y in self.known:
            if runs and runs[-1][1] == y - 1:
                runs[-1] = (runs[-1][0], y)
            else:
                runs.append((y, y))
        return runs

    def columns(self) -> tuple[Columns, Columns]:
        """The columns of ``_jh_workdays`` and ``_jh_workday_spans``."""
        days, counts, flags, segs, span_rows = [], [], [], [], []
        for seg, (first, last) in enumerate(self.spans()):
            n = 0
            for year in range(first, last + 1):
                cal = self.years[year]
                for d in _days(year):
                    worked = cal.is_workday(d)
                    n += worked
                    days.append(d)
                    counts.append(n)
                    flags.append(worked)
                    segs.append(seg)
            span_rows.append((seg, date(first, 1, 1), date(last, 12, 31)))
        return ({"d": ("DATE", days), "n": ("INTEGER", counts), "workday": ("BOOLEAN", flags),
                 "seg": ("INTEGER", segs)},
                {"seg": ("INTEGER", [s[0] for s in span_rows]), "first_day": ("DATE", [s[1] for s in span_rows]),
                 "last_day": ("DATE", [s[2] for s in span_rows])})


@lru_cache(maxsize=1)
def _package_columns() -> tuple[Columns, Columns]:
    return WorkCalendar().columns()


def install_calendar(con, files: list[Path | str] | tuple = ()) -> None:
    """Create ``_jh_workdays`` and ``_jh_workday_spans`` on a DuckDB connection (the package's
    years computed once per process)."""
    days, spans = WorkCalendar(files).columns() if files else _package_columns()
    create_table(con, "_jh_workdays", days)
    create_table(con, "_jh_workday_spans", spans)


__all__ = ["CalendarGap", "WorkCalendar", "YearCalendar", "describe_years", "install_calendar",
           "load_calendar_file", "package_years"]
