"""compare rule: field vs field or constant, as number, date or text; empties, defaults and junk skipped."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules


def test_number_field_vs_field_and_constant(tmp_path):
    rules = """
    rules:
      - {id: P1, table: DEMO, kind: compare, field: YE, op: '<=', other: JE}
      - {id: P2, table: DEMO, kind: compare, field: 余额, op: '>=', value: 0}
      - {id: P3, table: DEMO, kind: compare, field: JE, op: '>', value: '10'}
      - {id: P4, table: DEMO, kind: compare, field: QS, op: '!=', value: 0}
      - {id: P5, table: DEMO, kind: compare, field: JE, op: '=', other: YE}
      - {id: P6, table: DEMO, kind: compare, field: JE, op: '<>', other: 余额}
    """
    rows = [
        {"ID": "1", "JE": "100", "YE": "99.99", "QS": "1"},
        {"ID": "2", "JE": "9", "YE": "10", "QS": "0"},     # numbers, not text: '9' > '10' as text
        {"ID": "3", "JE": "100.00", "YE": "100", "QS": "-0"},
        {"ID": "4", "JE": "", "YE": "-1", "QS": ""},        # empty JE: P1/P3/P5/P6 skipped
        {"ID": "5", "JE": "abc", "YE": "1", "QS": "x"},     # non-numeric: skipped
        {"ID": "6", "JE": "1,000", "YE": "5", "QS": "2"},
        {"ID": "7", "JE": "10", "YE": "", "QS": "3"},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "P1") == [2]
    assert failing_lines(result, "P2") == [4]
    assert failing_lines(result, "P3") == [2, 7]
    assert failing_lines(result, "P4") == [2, 3]
    assert failing_lines(result, "P5") == [1, 2]
    assert failing_lines(result, "P6") == [3]
    assert [s.value for s in rule_result(result, "P1").samples] == ["YE=10; JE=9"]
    assert rule_result(result, "P1").message_zh == "DEMO表.余额应小于等于金额"


def test_date_compare_skips_default_unless_asked(tmp_path):
    rules = """
    rules:
      - {id: P1, table: DEMO, kind: compare, field: JSRQ, op: '>=', other: KSRQ}
      - {id: P2, table: DEMO, kind: compare, field: 结束日期, op: '>=', other: 开始日期, skip_default: false}
      - {id: P3, table: DEMO, kind: compare, field: KSRQ, op: '<=', value: '20240630'}
      - {id: P4, table: DEMO, kind: compare, field: KSRQ, op: '<=', value: '20240630', skip_default: false}
    """
    rows = [
        {"ID": "1", "KSRQ": "20240101", "JSRQ": "20241231"},
        {"ID": "2", "KSRQ": "20240701", "JSRQ": "20240630"},   # ends before it starts; starts after CJRQ
        {"ID": "3", "KSRQ": "20240630", "JSRQ": "20240630"},
        {"ID": "4", "KSRQ": "20240101", "JSRQ": "99991231"},   # default end: fine either way (9999 >= 2024)
        {"ID": "5", "KSRQ": "99991231", "JSRQ": "20240101"},   # default start: skipped unless skip_default false
        {"ID": "6", "KSRQ": "20230229", "JSRQ": "20230101"},   # not a real date: skipped
        {"ID": "7", "KSRQ": "", "JSRQ": "20230101"},
        {"ID": "8", "KSRQ": "20240102", "JSRQ": "20240101"},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "P1") == [2, 8]
    assert failing_lines(result, "P2") == [2, 5, 8]
    assert failing_lines(result, "P3") == [2]
    assert failing_lines(result, "P4") == [2, 5]


def test_text_compare_and_type_override(tmp_path):
    rules = """
    rules:
      - {id: P1, table: DEMO, kind: compare, field: MC, op: '!=', other: BBZ}
      - {id: P2, table: DEMO, kind: compare, field: BZ, op: '=', value: CNY}
      - {id: P3, table: DEMO, kind: compare, field: JE, op: '<', other: YE, type: text}
      - {id: P4, table: DEMO, kind: compare, field: ID, op: '<', value: 10, type: number}
      - {id: P5, table: DEMO, kind: compare, field: NY, op: '<=', value: '202406', type: number}
    """
    rows = [
        {"ID": "1", "MC": "张三", "BBZ": "李四", "BZ": "CNY", "JE": "9", "YE": "10", "NY": "202406"},
        {"ID": "20", "MC": "张三", "BBZ": "张三", "BZ": "USD", "JE": "1", "YE": "2", "NY": "202407"},
        {"ID": "x", "MC": "", "BBZ": "", "BZ": "", "JE": "", "YE": "", "NY": ""},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "P1") == [2]
    assert failing_lines(result, "P2") == [2]
    assert failing_lines(result, "P3") == [1]     # as text '9' < '10' is false
    assert failing_lines(result, "P4") == [2]
    assert failing_lines(result, "P5") == [2]


def test_compare_evidence_of_a_pii_field_is_masked(tmp_path):
    rules = "rules:\n  - {id: P1, table: DEMO, kind: compare, field: MC, op: '=', other: BBZ}\n"
    result = run_rules(tmp_path, rules, [{"ID": "1", "MC": "张三丰", "BBZ": "张三"}])
    assert [s.value for s in rule_result(result, "P1").samples] == ["MC=**丰; BBZ=张三"]


def test_compare_needs_exactly_one_of_other_or_value(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError, match="exactly one of"):
        run_rules(tmp_path, "rules:\n  - {id: P1, table: DEMO, kind: compare, field: JE, op: '<', other: YE, value: 1}\n",
                  [{"ID": "1"}])


def test_number_constant_keeps_full_decimal_precision(tmp_path):
    rules = "rules:\n  - {id: P1, table: DEMO, kind: compare, field: JE, op: '<=', value: '10000000000000000'}\n"
    rows = [{"ID": "1", "JE": "10000000000000000.00"}, {"ID": "2", "JE": "10000000000000000.01"},
            {"ID": "3", "JE": "10000000000000001"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "P1") == [2, 3]


def test_non_numeric_constant_is_a_rule_file_error(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError):
        run_rules(tmp_path, "rules:\n  - {id: P1, table: DEMO, kind: compare, field: JE, op: '>', value: abc}\n",
                  [{"ID": "1", "JE": "1"}])
