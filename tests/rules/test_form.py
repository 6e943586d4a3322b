"""form rule: equations between worksheet lines (行次), checked column by column."""
import pytest

from engine.errors import RuleFileError
from tests.helpers import failing_lines, rule_result, run_rules, write_pack, write_spec

F = lambda code, name, fmt="C..20", **kw: {"code": code, "name": name, "format": fmt, **kw}  # noqa: E731
TABLES = {"CS": [F("PT", "平台"), F("HC", "行次"), F("XM", "项目"), F("N1", "第一年", "D20.2"),
                 F("N2", "第二年", "D20.2"), F("CJRQ", "采集日期", "YYYYMMDD")]}
RULES = """
rules:
  - {id: SUM3, table: CS, kind: form, line_field: 行次, group_by: [平台], columns: [第一年, 第二年],
     equation: "[3] = [3.1] + [3.2] + [3.3] + [3.4]"}
  - {id: TIE, table: CS, kind: form, line_field: HC, group_by: [PT], columns: [N1, N2], equation: "[1.1] = [2.1]"}
  - {id: RATIO, table: CS, kind: form, line_field: HC, group_by: [PT], columns: [N1, N2], tolerance: 0.5,
     equation: "[4] = [3] / [1] * 100", condition: "[1] <> 0"}
  - {id: SKIP, table: CS, kind: form, line_field: HC, group_by: [PT], columns: [N1], missing: skip,
     equation: "[3] >= [3.4]"}
"""


def rows(pt, cells):
    return [{"PT": pt, "HC": hc, "N1": n1, "N2": n2} for hc, (n1, n2) in cells.items()]


def test_equations_hold_per_column_and_findings_point_at_the_first_line(tmp_path):
    data = rows("W1", {"1": ("200", "0"), "1.1": ("150", "0"), "2.1": ("150", "0"), "3": ("100", "30"),
                       "3.1": ("60", "10"), "3.2": ("40", "10"), "3.3": ("", "5"), "4": ("50", "0")})
    data += rows("W2", {"1": ("100", "100"), "1.1": ("80", "90"), "2.1": ("80", "91"), "3": ("120", "40"),
                        "3.1": ("100", "40"), "3.4": ("20", "0"), "4": ("120.3", "45")})
    result = run_rules(tmp_path, RULES, {"CS": data}, tables=TABLES)
    # W1 column 2: 30 ≠ 10 + 10 + 5 (3.4 missing counts as 0); W1 line 3 is row 4
    assert failing_lines(result, "SUM3") == [4]
    sample = rule_result(result, "SUM3").samples[0]
    assert (sample.key, sample.value) == ("W1|N2", "N2: 30 = 25 ([3] = [3.1] + [3.2] + [3.3] + [3.4])")
    assert failing_lines(result, "TIE") == [10]                  # W2 column 2: 90 ≠ 91, at W2's line 1.1
    # W2 column 2: 40 / 100 * 100 = 40 ≠ 45; W1 column 2: line 1 is 0, so the condition skips it
    assert failing_lines(result, "RATIO") == [15]
    assert rule_result(result, "RATIO").samples[0].key == "W2|N2"
    assert failing_lines(result, "SKIP") == []


def test_missing_anchor_line_reports_the_worksheets_first_row(tmp_path):
    data = rows("W3", {"3.1": ("5", "0"), "3.2": ("5", "0")})
    result = run_rules(tmp_path, RULES, {"CS": data}, tables=TABLES)
    assert failing_lines(result, "SUM3") == [1]                  # line 3 absent: 0 ≠ 10


@pytest.mark.parametrize("rule, message", [
    ("{id: X, table: CS, kind: form, line_field: HC, columns: [N1], equation: '[1] + [2]'}", "one comparison"),
    ("{id: X, table: CS, kind: form, line_field: HC, columns: [N1], equation: '1 = 1'}", "names no line"),
    ("{id: X, table: CS, kind: form, line_field: HC, columns: [NOPE], equation: '[1] = [2]'}", "unknown field 'NOPE'"),
    ("{id: X, table: CS, kind: form, line_field: HC, columns: [N1], equation: '[1] = (([2]'}", "does not parse"),
    ("{id: X, table: CS, kind: form, columns: [N1], equation: '[1] = [2]'}", "needs 'line_field'"),
])
def test_mistakes_are_rule_file_errors_with_file_and_line(tmp_path, rule, message):
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, f"rules:\n  - {rule}\n")
    from engine.ruleset import load_pack
    with pytest.raises(RuleFileError, match=message) as info:
        load_pack(pack_dir)
    assert info.value.location.file.endswith("rules.yaml") and info.value.location.line == 2
