"""expression rule: a restricted boolean expression that must hold on each row; NULL passes."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules


def test_helpers_and_chinese_field_names(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "num(YE) <= num(JE)"}
      - {id: E2, table: DEMO, kind: expression, expr: "ymd(结束日期) >= ymd(开始日期)"}
      - {id: E3, table: DEMO, kind: expression, expr: "NOT (is_empty(名称) AND filled(备注))"}
      - {id: E4, table: DEMO, kind: expression, expr: "NOT is_default(KSRQ) OR is_default(JSRQ)"}
      - {id: E5, table: DEMO, kind: expression, expr: "bytes(MC) <= 9"}
      - {id: E6, table: DEMO, kind: expression, expr: "chars(名称) <= 3"}
      - {id: E7, table: DEMO, kind: expression, expr: "NOT is_default(金额)"}
    """
    rows = [
        {"ID": "1", "JE": "100", "YE": "50", "KSRQ": "20240101", "JSRQ": "20241231", "MC": "张三丰", "BBZ": "x"},
        {"ID": "2", "JE": "9", "YE": "10", "KSRQ": "20240102", "JSRQ": "20240101", "MC": "", "BBZ": "有备注"},
        {"ID": "3", "JE": "0.00", "YE": "", "KSRQ": "99991231", "JSRQ": "20240101", "MC": "张三丰a", "BBZ": ""},
        {"ID": "4", "JE": "abc", "YE": "1", "KSRQ": "99991231", "JSRQ": "99991231", "MC": "abcdefghij", "BBZ": ""},
        {"ID": "5", "JE": "", "YE": "", "KSRQ": "", "JSRQ": "", "MC": "", "BBZ": ""},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "E1") == [2]           # numeric: 10 > 9 (as text '10' < '9')
    assert failing_lines(result, "E2") == [2, 3]        # ymd('99991231') is the real date 9999-12-31
    assert failing_lines(result, "E3") == [2]
    assert failing_lines(result, "E4") == [3]
    assert failing_lines(result, "E5") == [3, 4]        # 张三丰a = 3*3+1 = 10 bytes; 10 ASCII bytes
    assert failing_lines(result, "E6") == [3, 4]
    assert failing_lines(result, "E7") == [3]
    assert [s.value for s in rule_result(result, "E1").samples] == ["YE=10; JE=9"]
    assert [s.value for s in rule_result(result, "E2").samples] == ["JSRQ=20240101; KSRQ=20240102",
                                                                        "JSRQ=20240101; KSRQ=99991231"]
    assert rule_result(result, "E1").message_zh == "DEMO表应满足：num(YE) <= num(JE)"


def test_bytes_of_chinese_text(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "bytes(MC) <= 12"}
      - {id: E2, table: DEMO, kind: expression, expr: "chars(MC) * 3 = bytes(MC)"}
    """
    rows = [{"ID": "1", "MC": "张三李四"}, {"ID": "2", "MC": "张三李四王"}, {"ID": "3", "MC": "张三a"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "E1") == [2]
    assert failing_lines(result, "E2") == [3]


def test_number_literal_compares_numerically_with_text_field(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "QS > 10"}
      - {id: E2, table: DEMO, kind: expression, expr: "期数 <= 100"}
      - {id: E3, table: DEMO, kind: expression, expr: "-5 < QS"}
      - {id: E4, table: DEMO, kind: expression, expr: "QS = 12"}
      - {id: E5, table: DEMO, kind: expression, expr: "QS > '10'"}
    """
    rows = [{"ID": "1", "QS": "9"}, {"ID": "2", "QS": "11"}, {"ID": "3", "QS": "101"}, {"ID": "4", "QS": "-6"},
            {"ID": "5", "QS": "abc"}, {"ID": "6", "QS": ""}, {"ID": "7", "QS": "12.0"}, {"ID": "8", "QS": "2"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "E1") == [1, 4, 8]      # '9' > 10 is false as a number ('9' > '10' as text)
    assert failing_lines(result, "E2") == [3]
    assert failing_lines(result, "E3") == [4]
    assert failing_lines(result, "E4") == [1, 2, 3, 4, 8]
    # a string literal keeps text comparison: '9', '2', 'abc' > '10' pass; '-6' and '' < '10' fail
    assert failing_lines(result, "E5") == [4, 6]


def test_null_result_passes(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "num(JE) > 0"}
      - {id: E2, table: DEMO, kind: expression, expr: "ymd(KSRQ) < ymd(JSRQ)"}
      - {id: E3, table: DEMO, kind: expression, expr: "NULL"}
      - {id: E4, table: DEMO, kind: expression, expr: "FALSE"}
    """
    rows = [{"ID": "1", "JE": "abc", "KSRQ": "20230229", "JSRQ": "20240101"},
            {"ID": "2", "JE": "", "KSRQ": "", "JSRQ": ""},
            {"ID": "3", "JE": "-1", "KSRQ": "20240102", "JSRQ": "20240101"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "E1") == [3]
    assert failing_lines(result, "E2") == [3]
    assert failing_lines(result, "E3") == []
    assert failing_lines(result, "E4") == [1, 2, 3]
    assert [s.value for s in rule_result(result, "E4").samples] == [None, None, None]   # no field: no evidence


def test_case_like_in_and_string_functions(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "CASE WHEN LX = '甲类' THEN num(JE) > 1000 ELSE TRUE END"}
      - {id: E2, table: DEMO, kind: expression, expr: "MC NOT LIKE '%测试%'"}
      - {id: E3, table: DEMO, kind: expression, expr: "BZ IN ('CNY', 'USD') OR BZ = ''"}
      - {id: E4, table: DEMO, kind: expression, expr: "left(ID, 1) <> '0' AND substring(ID, 2, 1) <> 'X'"}
      - {id: E5, table: DEMO, kind: expression, expr: "upper(trim(BZ)) = BZ"}
    """
    rows = [{"ID": "11", "LX": "甲类", "JE": "5000", "MC": "张三", "BZ": "CNY"},
            {"ID": "0X", "LX": "甲类", "JE": "10", "MC": "测试客户", "BZ": "cny"},
            {"ID": "2", "LX": "乙类", "JE": "10", "MC": "", "BZ": ""},
            {"ID": "3X", "LX": "", "JE": "", "MC": "李测试", "BZ": "EUR"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "E1") == [2]
    assert failing_lines(result, "E2") == [2, 4]
    assert failing_lines(result, "E3") == [2, 4]
    assert failing_lines(result, "E4") == [2, 4]
    assert failing_lines(result, "E5") == [2]


def test_evidence_masks_pii_fields(tmp_path):
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "chars(名称) <= 2 OR BBZ = 'ok'"}
    """
    result = run_rules(tmp_path, rules, [{"ID": "1", "MC": "欧阳修", "BBZ": "备注"}])
    assert [s.value for s in rule_result(result, "E1").samples] == ["MC=**修; BBZ=备注"]


@pytest.mark.parametrize("expr, match", [
    ("(SELECT 1) = 1", "not allowed"),
    ("read_csv('x') = 1", "not allowed"),
    ("foo(MC) = 1", "function 'foo' is not allowed"),
    ("nope = 1", "unknown field 'nope'"),
    ("t.MC = '1'", "qualified name"),
    ("QS::INT > 1", "not allowed"),
    ("1 = 1; DROP TABLE t", "exactly one expression"),
])
def test_hostile_or_wrong_expressions_fail_at_load_with_location(tmp_path, expr, match):
    from engine.errors import RuleFileError
    rules = f'rules:\n  - {{id: E1, table: DEMO, kind: expression, expr: "{expr}"}}\n'
    with pytest.raises(RuleFileError, match=match) as info:
        run_rules(tmp_path, rules, [{"ID": "1"}])
    assert "rules.yaml:2" in str(info.value) and "E1" in str(info.value)


def test_line_comment_is_refused_at_load(tmp_path):
    # a comment could otherwise swallow the closing parenthesis or later rules of the fused scan
    import pytest
    from engine.errors import RuleFileError
    rules = """
    rules:
      - {id: E1, table: DEMO, kind: expression, expr: "MC = '张三' -- ) OR TRUE"}
    """
    with pytest.raises(RuleFileError, match="comments are not allowed"):
        run_rules(tmp_path, rules, [{"ID": "1", "MC": "张三"}])


def _run_or_load_error(tmp_path, expr, rows):
    """Either the pack refuses the expression at load time (RuleFileError) or the run works."""
    from engine.errors import RuleFileError
    try:
        return run_rules(tmp_path, f'rules:\n  - {{id: E1, table: DEMO, kind: expression, expr: "{expr}"}}\n', rows)
    except RuleFileError:
        return None


def test_in_list_of_numbers_does_not_crash_on_text_values(tmp_path):
    result = _run_or_load_error(tmp_path, "QS IN (1, 2)", [{"ID": "1", "QS": "1"}, {"ID": "2", "QS": "5"},
                                                           {"ID": "3", "QS": "abc"}])
    if result is not None:
        assert failing_lines(result, "E1")[:1] == [2]


def test_between_numbers_works_or_is_rejected_at_load(tmp_path):
    result = _run_or_load_error(tmp_path, "QS BETWEEN 1 AND 10", [{"ID": "1", "QS": "5"}, {"ID": "2", "QS": "50"}])
    if result is not None:
        assert failing_lines(result, "E1") == [2]


def test_arithmetic_on_text_field_works_or_is_rejected_at_load(tmp_path):
    result = _run_or_load_error(tmp_path, "QS + 1 > 5", [{"ID": "1", "QS": "5"}, {"ID": "2", "QS": "1"}])
    if result is not None:
        assert failing_lines(result, "E1") == [2]
