from tests.helpers import failing_lines, run_rules

RULES = """
rules:
  - {id: R1, table: DEMO, kind: required, field: MC}
  - {id: R2, table: DEMO, kind: required, field: 名称, when: "类型 = '甲类'"}
"""


def test_required_flags_empty_and_passes_filled_including_chinese(tmp_path):
    rows = [{"ID": "1", "MC": "张"}, {"ID": "2", "MC": ""}, {"ID": "3", "MC": "王五", "LX": "甲类"},
            {"ID": "4", "MC": "", "LX": "甲类"}, {"ID": "5", "MC": "", "LX": "乙类"}]
    result = run_rules(tmp_path, RULES, rows)
    assert failing_lines(result, "R1") == [2, 4, 5]
    assert failing_lines(result, "R2") == [4]
    assert result.rules[0].checked == 5
