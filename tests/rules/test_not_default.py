"""not_default rule: the field must not hold its format's 'not applicable' default value."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules


def test_defaults_by_format(tmp_path):
    rules = """
    rules:
      - {id: N1, table: DEMO, kind: not_default, field: KSRQ}
      - {id: N2, table: DEMO, kind: not_default, field: 年月}
      - {id: N3, table: DEMO, kind: not_default, field: SJ}
      - {id: N4, table: DEMO, kind: not_default, field: JE}
      - {id: N5, table: DEMO, kind: not_default, field: QS}
      - {id: N6, table: DEMO, kind: not_default, field: MC, default: 无}
      - {id: N7, table: DEMO, kind: not_default, field: JE, default: '0.00'}
    """
    rows = [
        {"ID": "1", "KSRQ": "99991231", "NY": "999912", "SJ": "000000", "JE": "0", "QS": "0", "MC": "无"},
        {"ID": "2", "KSRQ": "20240630", "NY": "202406", "SJ": "120000", "JE": "0.00", "QS": "1", "MC": "张三"},
        {"ID": "3", "KSRQ": "", "NY": "", "SJ": "", "JE": "", "QS": "", "MC": ""},
        {"ID": "4", "KSRQ": "20240101", "NY": "999912", "SJ": "000001", "JE": "-0.0", "QS": "abc", "MC": "无无"},
        {"ID": "5", "KSRQ": "9999-12-31", "NY": "99991", "SJ": "0", "JE": "0.01", "QS": "00", "MC": "无"},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "N1") == [1]
    assert failing_lines(result, "N2") == [1, 4]
    assert failing_lines(result, "N3") == [1]
    assert failing_lines(result, "N4") == [1, 2, 4]     # numeric default: any spelling of zero
    assert failing_lines(result, "N5") == [1, 5]
    assert failing_lines(result, "N6") == [1, 5]
    assert failing_lines(result, "N7") == [2]           # explicit default: the exact text
    assert "99991231" in rule_result(result, "N1").message_zh
    assert rule_result(result, "N1").category == "默认值"


def test_char_field_without_default_needs_one(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError, match="no default"):
        run_rules(tmp_path, "rules:\n  - {id: N1, table: DEMO, kind: not_default, field: MC}\n", [{"ID": "1"}])
