"""range rule: numeric bounds, inclusive by default; non-numbers and empty values are skipped."""
from tests.helpers import failing_lines, rule_result, run_rules

RULES = """
rules:
  - {id: G1, table: DEMO, kind: range, field: JE, min: 0}
  - {id: G2, table: DEMO, kind: range, field: JE, min: 0, max: 100}
  - {id: G3, table: DEMO, kind: range, field: 金额, min: 0, max: 100, min_inclusive: false, max_inclusive: false}
  - {id: G4, table: DEMO, kind: range, field: QS, max: 12}
  - {id: G5, table: DEMO, kind: range, field: JE, min: -0.5, max: 0.5}
"""

ROWS = [
    {"ID": "1", "JE": "0", "QS": "12"},
    {"ID": "2", "JE": "100", "QS": "13"},
    {"ID": "3", "JE": "-0.01", "QS": "-1"},
    {"ID": "4", "JE": "100.01", "QS": ""},
    {"ID": "5", "JE": "50.5", "QS": "abc"},
    {"ID": "6", "JE": "", "QS": "十二"},
    {"ID": "7", "JE": "abc", "QS": "0"},
    {"ID": "8", "JE": "-0.5", "QS": "1"},
    {"ID": "9", "JE": "0.50", "QS": "1"},
]


def test_range_bounds_inclusive_and_exclusive(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS)
    assert failing_lines(result, "G1") == [3, 8]
    assert failing_lines(result, "G2") == [3, 4, 8]
    assert failing_lines(result, "G3") == [1, 2, 3, 4, 8]
    assert failing_lines(result, "G4") == [2]
    assert failing_lines(result, "G5") == [2, 4, 5]
    assert [s.value for s in rule_result(result, "G2").samples] == ["-0.01", "100.01", "-0.5"]


def test_range_messages_show_interval(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS[:1])
    assert "[0, 100]" in rule_result(result, "G2").message_en
    assert "(0, 100)" in rule_result(result, "G3").message_en
