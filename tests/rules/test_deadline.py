"""deadline rule kind through the real engine: working days, calendar days, months, quarter ends,
calendar files (pack and --calendar), years the calendar does not cover, run parameters."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import yaml

from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.workdays import package_years
from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, run_rules, write_east, write_pack, write_spec

cc = pytest.importorskip("chinese_calendar")
LAST = package_years()[-1]  # the last year chinese-calendar knows
ymd = "{:%Y%m%d}".format


def wd_rule(rid: str, n: int, extra: str = "") -> str:
    return f"  - {{id: {rid}, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: {n}, unit: working_days{extra}}}\n"


def brute_force(start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        n -= cc.is_workday(d)
    return d


def test_domain_vectors_on_time_and_one_day_late(tmp_path):
    vectors = [("20250926", 15, "20251023"), ("20251231", 10, "20260115"), ("20260206", 10, "20260227"),
               ("20260206", 15, "20260305"), ("20260430", 15, "20260525"), ("20260930", 10, "20261020")]
    vectors = [v for v in vectors if int(v[2][:4]) <= LAST]
    rules = "rules:\n" + wd_rule("W10", 10) + wd_rule("W15", 15)
    rows = []
    for start, _, due in vectors:
        late = ymd(date(int(due[:4]), int(due[4:6]), int(due[6:])) + timedelta(days=1))
        rows += [{"ID": str(len(rows) + 1), "KSRQ": start, "JSRQ": due}, {"ID": str(len(rows) + 2), "KSRQ": start, "JSRQ": late}]
    result = run_rules(tmp_path, rules, rows)
    for rid, n in (("W10", 10), ("W15", 15)):
        expected = sorted({i + 1 for i, r in enumerate(rows) if r["JSRQ"] > ymd(brute_force(
            date(int(r["KSRQ"][:4]), int(r["KSRQ"][4:6]), int(r["KSRQ"][6:])), n))})
        assert failing_lines(result, rid) == expected
    samples = {s.line: s.value for s in rule_result(result, "W15").samples}
    assert samples[2] == "JSRQ=20251024; KSRQ=20250926; 截止日期/deadline=20251023"


def test_random_rows_match_brute_force(tmp_path):
    """600 rows, three periods; events up to the last known year, so some deadlines are unknown."""
    rng = random.Random(2024)
    rows, starts = [], []
    first = date(LAST - 3, 1, 1)
    for i in range(600):
        start = first + timedelta(days=rng.randrange((date(LAST, 12, 31) - first).days))
        guess = start + timedelta(days=rng.randrange(0, 30))
        rows.append({"ID": str(i + 1), "KSRQ": ymd(start), "JSRQ": ymd(guess)})
        starts.append((start, guess))
    rules = "rules:\n" + wd_rule("N1", 1) + wd_rule("N10", 10) + wd_rule("N15", 15)
    result = run_rules(tmp_path, rules, rows)
    last_covered = date(LAST, 12, 31)
    for rid, n in (("N1", 1), ("N10", 10), ("N15", 15)):
        late, unknown = [], []
        for line, (start, done) in enumerate(starts, 1):
            try:
                due = brute_force(start, n)
            except NotImplementedError:
                if done > last_covered:
                    unknown.append(line)
                continue
            if done > due:
                late.append(line)
        assert failing_lines(result, rid) == sorted(late + unknown), rid
        values = {s.line: s.value for s in rule_result(result, rid).samples}
        assert all(f"does not cover {LAST + 1}" in values[line] for line in unknown)
        assert all("截止日期/deadline=" in values[line] for line in late)
        assert late, rid


def test_unknown_year_is_reported_until_a_calendar_covers_it(tmp_path):
    rules = "rules:\n" + wd_rule("W", 15)
    rows = [{"ID": "1", "KSRQ": f"{LAST}1220", "JSRQ": f"{LAST + 1}0125"},   # deadline in the unknown year
            {"ID": "2", "KSRQ": f"{LAST}1220", "JSRQ": f"{LAST}1230"},       # done before the calendar ends: on time
            {"ID": "3", "KSRQ": f"{LAST + 1}0301", "JSRQ": f"{LAST + 1}0302"},  # event in the unknown year
            {"ID": "4", "KSRQ": f"{LAST + 1}0301", "JSRQ": f"{LAST + 1}0301"}]  # same day: never late
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "W") == [1, 3]
    values = {s.line: s.value for s in rule_result(result, "W").samples}
    assert values[1].endswith(f"工作日历未覆盖{LAST + 1}年 (deadline unknown: the working-day calendar does not cover {LAST + 1})")

    # the same pack and data with a calendar for the next year: judged
    y = LAST + 1
    calendar = tmp_path / "cal.yaml"
    calendar.write_text(f"year: {y}\nholidays: [{y}-01-01..{y}-01-03]\nworkdays: []\n", encoding="utf-8")
    pack = load_pack(tmp_path / "rulesets" / "demo")
    judged = validate_submission(tmp_path / "batch", pack, sample_limit=100, calendar=calendar)
    cal_due = _due_with_file(date(LAST, 12, 20), 15, {date(y, 1, 1), date(y, 1, 2), date(y, 1, 3)})
    assert failing_lines(judged, "W") == ([1] if date(y, 1, 25) > cal_due else [])
    assert judged.options["calendar"] == [str(calendar)]


def _due_with_file(start: date, n: int, holidays: set) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        worked = cc.is_workday(d) if d.year <= LAST else (d.weekday() < 5 and d not in holidays)
        n -= worked
    return d


def test_pack_calendar_option(tmp_path):
    y = LAST + 1
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, "rules:\n" + wd_rule("W", 3))
    (pack_dir / "calendar.yaml").write_text(f"year: {y}\nholidays: [{y}-01-01..{y}-01-07]\n", encoding="utf-8")
    meta = yaml.safe_load((pack_dir / "pack.yaml").read_text(encoding="utf-8"))
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump({**meta, "calendar": "calendar.yaml"}), encoding="utf-8")
    pack = load_pack(pack_dir)  # the calendar file is not read as a rule file
    due = _due_with_file(date(y, 1, 1), 3, {date(y, 1, d) for d in range(1, 8)})
    rows = [{"ID": "1", "KSRQ": f"{y}0101", "JSRQ": ymd(due)},
            {"ID": "2", "KSRQ": f"{y}0101", "JSRQ": ymd(due + timedelta(days=1))}]
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, rows)
    result = validate_submission(tmp_path / "batch", pack, sample_limit=100)
    assert failing_lines(result, "W") == [2]
    values = [s.value for s in rule_result(result, "W").samples]
    assert not any("does not cover" in v for v in values)

    (pack_dir / "calendar.yaml").write_text(f"year: {y}\nworkdays: [{y}-01-05]\n", encoding="utf-8")
    if date(y, 1, 5).weekday() < 5:
        with pytest.raises(RuleFileError, match="is a weekday") as info:
            load_pack(pack_dir)
        assert info.value.location.file.endswith("calendar.yaml") and info.value.location.line == 2
    (pack_dir / "calendar.yaml").unlink()
    with pytest.raises(RuleFileError, match="calendar file not found") as info:
        load_pack(pack_dir)
    assert info.value.location.file.endswith("pack.yaml") and info.value.location.key == "calendar"


def test_quarter_end_plus_calendar_days(tmp_path):
    rules = ("rules:\n  - {id: Q, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 30, unit: days, "
             "end_of: quarter}\n")
    cases = [("20251105", "20260130", False), ("20251231", "20260131", True),  # domain: Q4-2025 → 2026-01-30
             ("20260101", "20260430", False), ("20260331", "20260501", True),  # Q1-2026 → 04-30
             ("20260415", "20260730", False), ("20260701", "20261030", False),
             ("20260701", "20261031", True)]
    rows = [{"ID": str(i), "KSRQ": s, "JSRQ": d} for i, (s, d, _) in enumerate(cases, 1)]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "Q") == [i for i, (_, _, late) in enumerate(cases, 1) if late]


def test_calendar_day_period_ending_on_a_day_off_extends(tmp_path):
    rules = ("rules:\n"
             "  - {id: D, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 30, unit: days}\n"
             "  - {id: S, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 30, unit: days, "
             "extend_to_workday: false}\n"
             "  - {id: M, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 1, unit: months}\n"
             "  - {id: E, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 5, unit: working_days, "
             "end_of: month}\n")
    rows = [{"ID": "1", "KSRQ": "20240901", "JSRQ": "20241008"},  # +30 = 10-01 (国庆) → 10-08
            {"ID": "2", "KSRQ": "20240901", "JSRQ": "20241009"},
            {"ID": "3", "KSRQ": "20240131", "JSRQ": "20240229"},  # +1 month = 02-29 (Thu)
            {"ID": "4", "KSRQ": "20240131", "JSRQ": "20240301"},
            {"ID": "5", "KSRQ": "20240915", "JSRQ": "20241012"},  # month end 09-30, 5 WD: 10-08, 09, 10, 11, 12 (Sat, 调休)
            {"ID": "6", "KSRQ": "20240915", "JSRQ": "20241014"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "D") == [2]
    assert failing_lines(result, "S") == [1, 2]
    assert failing_lines(result, "M") == [2, 4]  # 09-01 + 1 month = 10-01 (国庆) → 10-08
    assert failing_lines(result, "E") == [3, 4, 6]  # 01-31 + 5 WD = 02-07
    assert rule_result(result, "D").message_zh == \
        "DEMO表.结束日期应在开始日期后30日内（最后一日为休假日的，顺延至其后第一个工作日）"
    assert rule_result(result, "E").message_en == \
        "DEMO.JSRQ must be no later than 5 working days after the end of the month of DEMO.KSRQ"


def test_empty_unparsable_and_default_dates_are_skipped(tmp_path):
    rows = [{"ID": "1", "KSRQ": "", "JSRQ": "20240101"}, {"ID": "2", "KSRQ": "20240101", "JSRQ": ""},
            {"ID": "3", "KSRQ": "2024-01-01", "JSRQ": "20250101"}, {"ID": "4", "KSRQ": "20240101", "JSRQ": "99991231"},
            {"ID": "5", "KSRQ": "99991231", "JSRQ": "20240101"}, {"ID": "6", "KSRQ": "20240230", "JSRQ": "20250101"},
            {"ID": "7", "KSRQ": "20240101", "JSRQ": "20250101"}]
    result = run_rules(tmp_path, "rules:\n" + wd_rule("W", 5), rows)
    assert failing_lines(result, "W") == [7]


def test_when_applies(tmp_path):
    rows = [{"ID": "1", "LX": "甲类", "KSRQ": "20240101", "JSRQ": "20250101"},
            {"ID": "2", "LX": "乙类", "KSRQ": "20240101", "JSRQ": "20250101"}]
    result = run_rules(tmp_path, "rules:\n" + wd_rule("W", 5, ", when: \"LX = '甲类'\""), rows)
    assert failing_lines(result, "W") == [1]


def test_after_a_run_parameter(tmp_path):
    rules = ("rules:\n  - {id: P, table: DEMO, kind: deadline, field: JSRQ, after_param: previous_date, within: 3, "
             "unit: working_days}\n")
    rows = [{"ID": "1", "JSRQ": "20241008"}, {"ID": "2", "JSRQ": "20241009"}]
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, rules))
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, rows)
    result = validate_submission(tmp_path / "batch", pack, sample_limit=100, previous_date="20240927")
    assert failing_lines(result, "P") == [2]  # 09-29 (Sun, 调休), 09-30, 10-08
    assert rule_result(result, "P").samples[0].value == "JSRQ=20241009; previous_date=20240927; 截止日期/deadline=20241008"
    missing = validate_submission(tmp_path / "batch", pack, sample_limit=100)
    p = rule_result(missing, "P")
    assert p.status == "not_run" and "previous_date" in p.note


@pytest.mark.parametrize("rule, words, line, key", [
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, after_param: previous_date, within: 3, "
     "unit: days}", "exactly one of 'after'", 2, None),
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, within: 3, unit: days}", "exactly one of 'after'", 2, None),
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: 3, unit: weeks}", "weeks", 2, "unit"),
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, after: NOPE, within: 3, unit: days}", "NOPE", 2, None),
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, within: -1, unit: days}", "-1", 2, "within"),
    ("{id: X, table: DEMO, kind: deadline, field: JSRQ, after: KSRQ, unit: days}", "needs 'within'", 2, None),
])
def test_load_errors_name_file_line_and_rule(tmp_path, rule, words, line, key):
    with pytest.raises(RuleFileError) as info:
        run_rules(tmp_path, f"rules:\n  - {rule}\n", [{"ID": "1"}])
    assert words in info.value.message
    loc = info.value.location
    assert loc.file.endswith("rules.yaml") and loc.line == line and loc.rule == "X"
    if key:
        assert loc.key == key


def test_cli_calendar_flag(tmp_path, capsys):
    y = LAST + 1
    write_spec(tmp_path)
    write_pack(tmp_path, "rules:\n" + wd_rule("W", 15))
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, [{"ID": "1", "KSRQ": f"{LAST}1220", "JSRQ": f"{y}0105"}])
    args = ["validate", str(tmp_path / "batch"), "--pack", str(tmp_path / "rulesets" / "demo"), "--quiet",
            "--report-dir", str(tmp_path / "out"), "--format", "json"]
    assert main(args) == 1  # unknown year: reported, the run fails closed
    calendar = tmp_path / "cal.yaml"
    calendar.write_text(f"year: {y}\nholidays: [{y}-01-01]\n", encoding="utf-8")
    assert main(args + ["--calendar", str(calendar)]) == 0
    calendar.write_text(f"year: {y}\nholidays: [{y}-13-01]\n", encoding="utf-8")
    capsys.readouterr()
    assert main(args + ["--calendar", str(calendar)]) == 2
    err = capsys.readouterr().err
    assert f"{calendar}:2" in err and f"'{y}-13-01' is not a" in err
