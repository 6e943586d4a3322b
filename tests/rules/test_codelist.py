"""codelist rule: values of a code list, 其他-XX where allowed, extra prefixes and multi-valued fields."""
from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, run_rules

CODELISTS = {
    "类型": {"values": ["甲类", "乙类"], "other": True},
    "币种": {"values": ["CNY", "USD"]},
    "渠道": {"values": ["柜面", "网银"], "other_prefixes": ["第三方支付"]},
}


def test_single_value_with_other_allowed_by_the_list(tmp_path):
    rules = """
    rules:
      - {id: C1, table: DEMO, kind: codelist, field: LX}
    """
    rows = [{"ID": "1", "LX": "甲类"}, {"ID": "2", "LX": "乙类"}, {"ID": "3", "LX": "丙类"},
            {"ID": "4", "LX": "其他-自定义"}, {"ID": "5", "LX": "其他-"}, {"ID": "6", "LX": "其他"},
            {"ID": "7", "LX": ""}, {"ID": "8", "LX": "甲类;乙类"}, {"ID": "9", "LX": " 甲类"},
            {"ID": "10", "LX": "其他-X"}, {"ID": "11", "LX": "其它-X"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "C1") == [3, 5, 6, 8, 9, 11]
    assert [s.value for s in rule_result(result, "C1").samples][:3] == ["丙类", "其他-", "其他"]
    assert "其他-XX" in rule_result(result, "C1").message_zh


def test_other_only_where_the_list_allows_it(tmp_path):
    rules = """
    rules:
      - {id: C1, table: DEMO, kind: codelist, field: BZ, codelist: 币种}
      - {id: C2, table: DEMO, kind: codelist, field: LX, other: false}
      - {id: C3, table: DEMO, kind: codelist, field: BZ, codelist: 币种, other: true}
    """
    rows = [{"ID": "1", "BZ": "CNY", "LX": "甲类"}, {"ID": "2", "BZ": "其他-HKD", "LX": "其他-丙"},
            {"ID": "3", "BZ": "EUR", "LX": "乙类"}, {"ID": "4", "BZ": "", "LX": ""}]
    result = run_rules(tmp_path, rules, rows, codelists=CODELISTS)
    assert failing_lines(result, "C1") == [2, 3]
    assert failing_lines(result, "C2") == [2]
    assert failing_lines(result, "C3") == [3]


def test_multi_valued_field_with_semicolons(tmp_path):
    rules = """
    rules:
      - {id: C1, table: DEMO, kind: codelist, field: LX, multi: true}
      - {id: C2, table: DEMO, kind: codelist, field: LX}
    """
    rows = [{"ID": "1", "LX": "甲类;乙类"}, {"ID": "2", "LX": "甲类"}, {"ID": "3", "LX": "甲类;丙类"},
            {"ID": "4", "LX": "甲类;;乙类"},   # empty sub-item
            {"ID": "5", "LX": "甲类;"},        # trailing separator: empty sub-item
            {"ID": "6", "LX": "其他-丁;乙类"}, {"ID": "7", "LX": "乙类;其他-"}, {"ID": "8", "LX": ""},
            {"ID": "9", "LX": "甲类,乙类"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "C1") == [3, 4, 5, 7, 9]
    # single-valued: '其他-丁;乙类' is one 其他-XX value whose XX happens to contain ';'
    assert failing_lines(result, "C2") == [1, 3, 4, 5, 7, 9]
    assert "多值以;分隔" in rule_result(result, "C1").message_zh


def test_multi_from_the_field_spec(tmp_path):
    fields = [dict(f, multi=True) if f["code"] == "LX" else f for f in DEMO_FIELDS]
    rules = "rules:\n  - {id: C1, table: DEMO, kind: codelist, field: LX}\n"
    rows = [{"ID": "1", "LX": "甲类;乙类"}, {"ID": "2", "LX": "甲类;戊类"}]
    result = run_rules(tmp_path, rules, rows, tables={"DEMO": fields})
    assert failing_lines(result, "C1") == [2]


def test_explicit_values(tmp_path):
    rules = """
    rules:
      - {id: C1, table: DEMO, kind: codelist, field: BBZ, values: [是, 否]}
      - {id: C2, table: DEMO, kind: codelist, field: 类型, values: [甲类]}
      - {id: C3, table: DEMO, kind: codelist, field: BBZ, values: ['1', '2'], multi: true}
    """
    rows = [{"ID": "1", "BBZ": "是", "LX": "甲类"}, {"ID": "2", "BBZ": "Y", "LX": "乙类"},
            {"ID": "3", "BBZ": "否", "LX": "其他-甲"}, {"ID": "4", "BBZ": "", "LX": ""}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "C1") == [2]
    assert failing_lines(result, "C2") == [2, 3]    # explicit values: no 其他-XX unless asked
    assert failing_lines(result, "C3") == [1, 2, 3]


def test_other_prefixes_from_list_and_from_rule(tmp_path):
    rules = """
    rules:
      - {id: C1, table: DEMO, kind: codelist, field: BBZ, codelist: 渠道}
      - {id: C2, table: DEMO, kind: codelist, field: LX, other_prefixes: [第三方支付]}
      - {id: C3, table: DEMO, kind: codelist, field: BBZ, values: [柜面], other_prefixes: [第三方支付], multi: true}
    """
    rows = [{"ID": "1", "BBZ": "柜面", "LX": "甲类"},
            {"ID": "2", "BBZ": "第三方支付-支付宝", "LX": "第三方支付-微信"},
            {"ID": "3", "BBZ": "第三方支付-", "LX": "第三方支付-"},
            {"ID": "4", "BBZ": "其他-X", "LX": "其他-X"},
            {"ID": "5", "BBZ": "第三方支付", "LX": "第三方支付"},
            {"ID": "6", "BBZ": "柜面;第三方支付-财付通", "LX": ""},
            {"ID": "7", "BBZ": "网银", "LX": "丙类"}]
    result = run_rules(tmp_path, rules, rows, codelists=CODELISTS)
    assert failing_lines(result, "C1") == [3, 4, 5, 6]
    assert failing_lines(result, "C2") == [3, 5, 7]     # list 类型 allows 其他-XX, rule adds 第三方支付-XX
    assert failing_lines(result, "C3") == [3, 4, 5, 7]
    assert "第三方支付-XX" in rule_result(result, "C1").message_zh
