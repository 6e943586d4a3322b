"""length rule: exact lengths or [min, max], in characters (default) or UTF-8 bytes."""
from tests.helpers import failing_lines, rule_result, run_rules

RULES = """
rules:
  - {id: L1, table: DEMO, kind: length, field: MC, max: 4}
  - {id: L2, table: DEMO, kind: length, field: MC, max: 4, unit: bytes}
  - {id: L3, table: DEMO, kind: length, field: 名称, max: 12, unit: bytes}
  - {id: L4, table: DEMO, kind: length, field: MC, lengths: [2, 3]}
  - {id: L5, table: DEMO, kind: length, field: MC, lengths: [6], unit: bytes}
  - {id: L6, table: DEMO, kind: length, field: MC, min: 2, max: 3, unit: chars}
  - {id: L7, table: DEMO, kind: length, field: MC, min: 3}
"""

ROWS = [
    {"ID": "1", "MC": "张三"},            # 2 chars, 6 bytes
    {"ID": "2", "MC": "张三李四"},         # 4 chars, 12 bytes
    {"ID": "3", "MC": "张三李四王"},       # 5 chars, 15 bytes
    {"ID": "4", "MC": "abcd"},            # 4 chars, 4 bytes
    {"ID": "5", "MC": "abcde"},           # 5 chars, 5 bytes
    {"ID": "6", "MC": ""},                # empty: skipped
    {"ID": "7", "MC": "张a"},             # 2 chars, 4 bytes
    {"ID": "8", "MC": "a"},               # 1 char, 1 byte
]


def test_length_chars_vs_bytes_on_chinese_text(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS)
    assert failing_lines(result, "L1") == [3, 5]                 # > 4 characters
    assert failing_lines(result, "L2") == [1, 2, 3, 5]           # > 4 bytes
    assert failing_lines(result, "L3") == [3]                    # > 12 bytes
    assert failing_lines(result, "L4") == [2, 3, 4, 5, 8]        # not 2 or 3 characters
    assert failing_lines(result, "L5") == [2, 3, 4, 5, 7, 8]     # not exactly 6 bytes
    assert failing_lines(result, "L6") == [2, 3, 4, 5, 8]        # outside 2..3 characters
    assert failing_lines(result, "L7") == [1, 7, 8]              # fewer than 3 characters
    assert rule_result(result, "L1").checked == len(ROWS)


def test_length_messages_name_the_unit(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS[:1])
    assert "字节" in rule_result(result, "L2").message_zh
    assert "bytes" in rule_result(result, "L2").message_en
    assert "字符" in rule_result(result, "L1").message_zh
    assert "2 or 3 characters" in rule_result(result, "L4").message_en


def test_length_evidence_is_the_masked_value_of_a_pii_field(tmp_path):
    result = run_rules(tmp_path, RULES, [{"ID": "1", "MC": "张三李四王"}])
    assert [s.value for s in rule_result(result, "L1").samples] == ["****王"]
