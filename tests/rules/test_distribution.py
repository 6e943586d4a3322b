"""distribution rule: a field must not hold the same value on every row (a table-level finding)."""
from tests.helpers import failing_lines, rule_result, run_rules

RULES = """
rules:
  - {id: D1, table: DEMO, kind: distribution, field: LX}
  - {id: D2, table: DEMO, kind: distribution, field: 名称}
  - {id: D3, table: DEMO, kind: distribution, field: BZ, min_rows: 4}
  - {id: D4, table: DEMO, kind: distribution, field: JE, when: "LX = '甲类'"}
"""


def test_all_same_gives_one_table_level_finding(tmp_path):
    rows = [{"ID": "1", "LX": "甲类", "MC": "张三", "BZ": "CNY", "JE": "1"},
            {"ID": "2", "LX": "甲类", "MC": "", "BZ": "CNY", "JE": "1"},        # empty values are not counted
            {"ID": "3", "LX": "甲类", "MC": "张三", "BZ": "CNY", "JE": "2"}]
    result = run_rules(tmp_path, RULES, rows)
    d1 = rule_result(result, "D1")
    assert failing_lines(result, "D1") == [None]
    assert d1.failed == 1
    assert d1.samples[0].value == "all 3 rows = 甲类"
    assert d1.samples[0].file.endswith("-DEMO-20240630.txt")
    assert d1.samples[0].key is None
    assert [s.value for s in rule_result(result, "D2").samples] == ["all 2 rows = *三"]   # masked
    assert failing_lines(result, "D3") == []          # only 3 filled rows < min_rows 4
    assert failing_lines(result, "D4") == []          # 1 and 2 differ
    assert rule_result(result, "D1").message_zh == "DEMO表.类型不允许所有数据都为相同值"


def test_two_distinct_values_pass_and_when_filters(tmp_path):
    rows = [{"ID": "1", "LX": "甲类", "MC": "张三", "BZ": "CNY", "JE": "5"},
            {"ID": "2", "LX": "乙类", "MC": "李四", "BZ": "CNY", "JE": "5"},
            {"ID": "3", "LX": "甲类", "MC": "", "BZ": "CNY", "JE": "5"},
            {"ID": "4", "LX": "甲类", "MC": "", "BZ": "CNY", "JE": "5"}]
    result = run_rules(tmp_path, RULES, rows)
    assert failing_lines(result, "D1") == []
    assert failing_lines(result, "D2") == []
    assert [s.value for s in rule_result(result, "D3").samples] == ["all 4 rows = CNY"]
    assert [s.value for s in rule_result(result, "D4").samples] == ["all 3 rows = 5"]


def test_single_row_or_all_empty_passes(tmp_path):
    result = run_rules(tmp_path, RULES, [{"ID": "1", "LX": "甲类", "MC": "张三", "BZ": "CNY", "JE": "1"}])
    assert all(failing_lines(result, r) == [] for r in ("D1", "D2", "D3", "D4"))
    result = run_rules(tmp_path / "b", RULES, [{"ID": "1"}, {"ID": "2"}, {"ID": "3"}])
    assert all(failing_lines(result, r) == [] for r in ("D1", "D2", "D3", "D4"))
