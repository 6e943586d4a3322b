"""The `when` precondition: a rule judges only rows where it is TRUE (FALSE and NULL skip the row)."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules

ROWS = [
    {"ID": "1", "LX": "甲类", "QS": "10", "MC": "", "JE": "-1", "KSRQ": "20230229", "BZ": "Y", "BBZ": "a!"},
    {"ID": "2", "LX": "乙类", "QS": "1", "MC": "", "JE": "-1", "KSRQ": "20230229", "BZ": "Y", "BBZ": "a!"},
    {"ID": "3", "LX": "", "QS": "", "MC": "", "JE": "-1", "KSRQ": "20230229", "BZ": "Y", "BBZ": "a!"},
    {"ID": "4", "LX": "甲类", "QS": "abc", "MC": "", "JE": "-1", "KSRQ": "20230229", "BZ": "Y", "BBZ": "a!"},
    {"ID": "5", "LX": "甲类", "QS": "6", "MC": "张三", "JE": "5", "KSRQ": "20240101", "BZ": "CNY", "BBZ": "ok"},
]


def test_when_on_row_kinds(tmp_path):
    rules = """
    rules:
      - {id: W1, table: DEMO, kind: required, field: MC, when: "LX = '甲类'"}
      - {id: W2, table: DEMO, kind: format, field: KSRQ, when: "类型 = '甲类'"}
      - {id: W3, table: DEMO, kind: codelist, field: BZ, values: [CNY], when: "LX <> '甲类'"}
      - {id: W4, table: DEMO, kind: range, field: JE, min: 0, when: "QS > 5"}
      - {id: W5, table: DEMO, kind: compare, field: JE, op: '>=', value: 0, when: "num(期数) > 5"}
      - {id: W6, table: DEMO, kind: forbidden_chars, field: BBZ, when: "is_empty(LX)"}
      - {id: W7, table: DEMO, kind: expression, expr: "filled(MC)", when: "filled(LX) AND LX <> '乙类'"}
      - {id: W8, table: DEMO, kind: length, field: BZ, lengths: [3], when: "QS IS NULL OR QS = ''"}
      - {id: W9, table: DEMO, kind: regex, field: BBZ, pattern: '[a-z]+', when: "NULL"}
      - {id: W10, table: DEMO, kind: not_default, field: JE, default: '-1', when: "TRUE"}
    """
    result = run_rules(tmp_path, rules, ROWS)
    assert failing_lines(result, "W1") == [1, 4]
    assert failing_lines(result, "W2") == [1, 4]
    assert failing_lines(result, "W3") == [2, 3]          # '' <> '甲类' is TRUE: the empty-LX row is judged
    assert failing_lines(result, "W4") == [1]             # QS '' and 'abc' → num() NULL → not judged
    assert failing_lines(result, "W5") == [1]
    assert failing_lines(result, "W6") == [3]
    assert failing_lines(result, "W7") == [1, 4]
    assert failing_lines(result, "W8") == [3]
    assert failing_lines(result, "W9") == []              # a NULL precondition never applies
    assert failing_lines(result, "W10") == [1, 2, 3, 4]
    assert rule_result(result, "W1").message_zh == "当LX = '甲类'时，DEMO表.名称不允许为空"
    assert rule_result(result, "W1").message_en.startswith("when LX = '甲类': ")
    assert rule_result(result, "W1").when == "LX = '甲类'"
    assert rule_result(result, "W1").checked == len(ROWS)


def test_when_on_set_kinds(tmp_path):
    rules = """
    rules:
      - {id: W1, table: DEMO, kind: unique, fields: [LX], when: "QS > 5"}
      - {id: W2, table: DEMO, kind: unique, fields: [LX], maps_to: [BZ], when: "JE <> ''"}
      - {id: W5, table: DEMO, kind: unique, fields: [LX], maps_to: [BZ], when: "num(JE) < 0"}
      - {id: W3, table: DEMO, kind: distribution, field: KSRQ, when: "num(QS) < 5 OR is_empty(QS)"}
      - {id: W4, table: DEMO, kind: distribution, field: BZ, when: "LX = '丙类'"}
    """
    result = run_rules(tmp_path, rules, ROWS)
    assert failing_lines(result, "W1") == [1, 5]          # 甲类 twice among QS 10, 6 (abc/''/1 excluded)
    assert failing_lines(result, "W2") == [1, 4, 5]       # 甲类 → Y, Y, CNY
    assert failing_lines(result, "W5") == []              # row 5 (CNY) excluded: 甲类 → Y only
    assert failing_lines(result, "W3") == [None]          # rows 2, 3: both 20230229
    assert failing_lines(result, "W4") == []              # no row applies


def test_when_on_cross_table_kinds(tmp_path):
    tables = {
        "A": [{"code": "K", "name": "键", "format": "C..10"}, {"code": "T", "name": "类型", "format": "C..10"},
              {"code": "N", "name": "数", "format": "I..4"}, {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD"}],
        "B": [{"code": "K", "name": "键", "format": "C..10"}, {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD"}],
    }
    rules = """
    rules:
      - {id: W1, table: A, kind: reference, field: K, targets: [{table: B, fields: [K]}], when: "T = '需关联'"}
      - {id: W2, table: A, kind: tieout, field: N, keys: [K], from: {table: B, keys: [K], count: true}, when: "num(N) > 0"}
    """
    rows = {"A": [{"K": "x", "T": "需关联", "N": "1"}, {"K": "y", "T": "需关联", "N": "0"}, {"K": "y", "T": "", "N": "2"},
                  {"K": "z", "T": "无", "N": "abc"}, {"K": "x", "T": "需关联", "N": "3"}],
            "B": [{"K": "x"}]}
    result = run_rules(tmp_path, rules, rows, tables=tables)
    assert failing_lines(result, "W1", "A") == [2]
    assert failing_lines(result, "W2", "A") == [3, 5]     # N 0 and 'abc' are not judged


def test_when_that_does_not_compile_points_at_when(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError) as info:
        run_rules(tmp_path, "rules:\n  - {id: W1, table: DEMO, kind: required, field: MC, when: \"nope = '1'\"}\n",
                  [{"ID": "1"}])
    assert "unknown field 'nope'" in str(info.value)
    assert info.value.location.key == "when"
