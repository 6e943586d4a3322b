"""forbidden_chars rule: named character sets and explicit sets; empty values skipped."""
from tests.helpers import failing_lines, rule_result, run_rules


def test_standard_set_and_explicit_chars(tmp_path):
    rules = r"""
    rules:
      - {id: S1, table: DEMO, kind: forbidden_chars, field: BBZ}
      - {id: S2, table: DEMO, kind: forbidden_chars, field: 备注, charset: account_name}
      - {id: S3, table: DEMO, kind: forbidden_chars, field: BBZ, charset: account_number}
      - {id: S4, table: DEMO, kind: forbidden_chars, field: BBZ, chars: "-]^\\"}
      - {id: S5, table: DEMO, kind: forbidden_chars, field: BBZ, charset: bank_name}
      - {id: S6, table: DEMO, kind: forbidden_chars, field: BBZ, chars: "，。"}
    """
    rows = [
        {"ID": "1", "BBZ": "正常文本abc123"},
        {"ID": "2", "BBZ": "a！b"},           # full-width exclamation
        {"ID": "3", "BBZ": "《书名》"},        # only in account_name
        {"ID": "4", "BBZ": "张 三"},           # space: only in account_number
        {"ID": "5", "BBZ": "a-b"},             # '-' literal in an explicit set
        {"ID": "6", "BBZ": "x]y"},
        {"ID": "7", "BBZ": "a^b"},
        {"ID": "8", "BBZ": "c:\\d"},          # backslash
        {"ID": "9", "BBZ": "1.5"},             # '.' is literal, not 'any character'
        {"ID": "10", "BBZ": ""},
        {"ID": "11", "BBZ": "它's"},           # quote
        {"ID": "12", "BBZ": "你好，世界。"},
        {"ID": "13", "BBZ": "a@b"},            # '@' in standard, not in bank_name
        {"ID": "14", "BBZ": "张·三"},          # middle dot: account_number only
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "S1") == [2, 6, 7, 8, 9, 11, 13]
    assert failing_lines(result, "S2") == [2, 3, 6, 7, 8, 9, 11, 13]
    assert failing_lines(result, "S3") == [2, 4, 6, 7, 8, 9, 11, 13, 14]
    assert failing_lines(result, "S4") == [5, 6, 7, 8]
    assert failing_lines(result, "S5") == [2, 6, 7]
    assert failing_lines(result, "S6") == [12]
    assert rule_result(result, "S1").category == "特殊字符"
    assert [s.value for s in rule_result(result, "S6").samples] == ["你好，世界。"]


def test_control_charset(tmp_path):
    rules = "rules:\n  - {id: S1, table: DEMO, kind: forbidden_chars, field: BBZ, charset: control}\n"
    rows = [{"ID": "1", "BBZ": "a\tb"}, {"ID": "2", "BBZ": "ab"}, {"ID": "3", "BBZ": "a\x7fb"}, {"ID": "4", "BBZ": ""}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "S1") == [1, 3]
    assert "控制字符" in rule_result(result, "S1").message_zh
