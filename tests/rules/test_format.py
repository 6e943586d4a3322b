"""format rule: every format code kind, judged on the text as written; empty values are skipped."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules


def _run(tmp_path, field, values, fmt=None):
    """One format rule on ``field`` (optionally overriding its format); one row per value."""
    override = f", format: '{fmt}'" if fmt else ""
    rules = f"rules:\n  - {{id: F1, table: DEMO, kind: format, field: {field}{override}}}\n"
    result = run_rules(tmp_path, rules, [{"ID": str(i), field: v} for i, v in enumerate(values, start=1)])
    return result, failing_lines(result, "F1")


def _bad(values):
    return [i for i, (_, ok) in enumerate(values, start=1) if not ok]


CASES = {
    # field, format override, [(value, valid?)]
    "fixed_c3_chinese_bytes": ("BZ", None, [
        ("CNY", True), ("是", True), ("Y", False), ("CN", False), ("CNYX", False), ("是否", False), ("", True)]),
    "var_c12_chinese_bytes": ("MC", None, [
        ("张三李四", True),          # 4 Chinese chars = 12 bytes
        ("张三李四王", False),        # 5 Chinese chars = 15 bytes
        ("abcdefghijkl", True), ("abcdefghijklm", False),
        ("张三李四", True), ("张三李a", True), ("张三李ab", True), ("张三李abcd", False),
        ("", True)]),
    "int_unbounded": ("QS", "I", [
        ("0", True), ("7", True), ("-5", True), ("123456789012", True),
        ("+1", False), ("007", False), ("00", False), ("1.0", False), ("1e3", False), (" 1", False),
        ("abc", False), ("", True)]),
    "int_width_4": ("QS", None, [
        ("1234", True), ("-1234", True), ("12345", False), ("0", True), ("-5", True),
        ("007", False), ("+12", False), ("一", False), ("", True)]),
    "decimal_20_2": ("JE", None, [
        ("123.45", True), ("-0.5", True), ("4.50", True), ("0", True), ("0.00", True), ("100", True),
        ("+1", False), ("007.5", False), ("1.234", False), ("1.", False), (".5", False),
        ("1,000.00", False), ("1 000", False), ("abc", False), ("1e5", False),
        ("12345678901234567.12", True),    # 20 characters
        ("1234567890123456789.12", False),  # 22 characters: width overflow
        ("", True)]),
    "decimal_no_scale": ("JE", "D5", [
        ("12345", True), ("123456", False), ("1.5", False), ("-1234", True), ("", True)]),
    "float": ("JE", "F", [
        ("1.5", True), ("-2", True), ("1e10", True), ("1.5E-3", True), ("0.001", True),
        ("1.", False), (".5", False), ("+1", False), ("abc", False), ("1,5", False), ("", True)]),
    "date": ("KSRQ", None, [
        ("20240630", True), ("20240229", True), ("99991231", True), ("19000101", True),
        ("20230229", False), ("20240631", False), ("20241301", False), ("2024-06-30", False),
        ("2024063", False), ("202406300", False), ("abcdefgh", False), ("２０２４０６３０", False), ("", True)]),
    "yearmonth": ("NY", None, [
        ("202406", True), ("999912", True), ("202412", True), ("202401", True),
        ("202413", False), ("202400", False), ("2024-06", False), ("20246", False), ("20240630", False),
        ("000112", False), ("", True)]),
    "time": ("SJ", None, [
        ("000000", True), ("235959", True), ("120000", True),
        ("240000", False), ("236000", False), ("235960", False), ("12:00:00", False), ("12000", False),
        ("", True)]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_format_kinds(tmp_path, case):
    field, fmt, values = CASES[case]
    result, lines = _run(tmp_path, field, [v for v, _ in values], fmt)
    assert lines == _bad(values), case
    assert rule_result(result, "F1").checked == len(values)


def test_format_override_and_chinese_field_name(tmp_path):
    rules = """
    rules:
      - {id: F1, table: DEMO, kind: format, field: 名称, format: C6}
      - {id: F2, table: DEMO, kind: format, field: 备注, format: 'C..6'}
    """
    rows = [{"ID": "1", "MC": "张三", "BBZ": "张三"}, {"ID": "2", "MC": "张", "BBZ": "张三李"},
            {"ID": "3", "MC": "abcdef", "BBZ": "abcdef"}, {"ID": "4", "MC": "", "BBZ": ""}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "F1") == [2]
    assert failing_lines(result, "F2") == [2]


def test_format_evidence_is_the_value_and_category_follows_kind(tmp_path):
    rules = """
    rules:
      - {id: F1, table: DEMO, kind: format, field: KSRQ}
      - {id: F2, table: DEMO, kind: format, field: JE}
    """
    result = run_rules(tmp_path, rules, [{"ID": "1", "KSRQ": "20230229", "JE": "1.234"}])
    assert [s.value for s in rule_result(result, "F1").samples] == ["20230229"]
    assert [s.value for s in rule_result(result, "F2").samples] == ["1.234"]
    assert "D20.2" in rule_result(result, "F2").message_en


def test_derived_format_rule_on_date_field_is_a_date_format_finding(tmp_path):
    result = run_rules(tmp_path, "rules: []\n", [{"ID": "1", "KSRQ": "20230229"}],
                       derive={"required": False, "format": True, "codelist": False, "key": False, "links": False})
    assert failing_lines(result, "DEMO.KSRQ.format") == [1]
    assert rule_result(result, "DEMO.KSRQ.format").category == "日期格式"


def test_written_format_rule_on_date_field_is_a_date_format_finding(tmp_path):
    rules = "rules:\n  - {id: F1, table: DEMO, kind: format, field: KSRQ}\n"
    result = run_rules(tmp_path, rules, [{"ID": "1", "KSRQ": "20230229"}])
    assert rule_result(result, "F1").category == "日期格式"
