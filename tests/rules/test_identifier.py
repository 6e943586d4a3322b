"""identifier rule kind and the is_*() expression helpers, through the real engine."""
from __future__ import annotations

import pytest

from engine.errors import RuleFileError
from engine.identifiers import IDENTIFIERS
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, run_rules, write_east, write_pack, write_spec

FIELDS = DEMO_FIELDS[:-1] + [
    {"code": "ZJHM", "name": "证件号码", "format": "C..18", "pii": "id_number"},
    {"code": "TYDM", "name": "统一社会信用代码", "format": "C..18"},
    {"code": "ZZJG", "name": "组织机构代码", "format": "C..10"},
    {"code": "LEI", "name": "LEI编码", "format": "C..20"},
    {"code": "KH", "name": "银行卡号", "format": "C..19", "pii": "account"},
    {"code": "XZQH", "name": "行政区划", "format": "C6"},
    {"code": "GJ", "name": "国别", "format": "C3"},
    {"code": "HY", "name": "行业", "format": "C..5"},
] + DEMO_FIELDS[-1:]

RULES = """
table: DEMO
rules:
  - {id: I1, kind: identifier, field: ZJHM, type: resident_id}
  - {id: I2, kind: identifier, field: ZJHM, type: resident_id18}
  - {id: I3, kind: identifier, field: TYDM, type: uscc}
  - {id: I4, kind: identifier, field: ZZJG, type: org_code}
  - {id: I5, kind: identifier, field: LEI, type: lei}
  - {id: I6, kind: identifier, field: KH, type: bank_card}
  - {id: I7, kind: identifier, field: XZQH, type: division}
  - {id: I8, kind: identifier, field: BZ, type: currency}
  - {id: I9, kind: identifier, field: GJ, type: country}
  - {id: I10, kind: identifier, field: 行业, type: industry}
"""

ROWS = [
    {"ID": "1", "ZJHM": "11010519491231002X", "TYDM": "91110000600037341L", "ZZJG": "60003734-1",
     "LEI": "5493001KJTIIGC8Y1R12", "KH": "6222020000000000000", "XZQH": "110105", "BZ": "CNY", "GJ": "CHN",
     "HY": "C1311"},
    {"ID": "2", "ZJHM": "110105194912310021", "TYDM": "91110000600037341M", "ZZJG": "12345678-9",
     "LEI": "5493001KJTIIGC8Y1R13", "KH": "6222020000000000001", "XZQH": "110103", "BZ": "RMB", "GJ": "CN",
     "HY": "A13"},
    {"ID": "3"},  # all empty: judged by `required`, not here
    {"ID": "4", "ZJHM": "320311770706001", "TYDM": "9144030071526726XG", "ZZJG": "71526726X",
     "LEI": "7LTWFZYICNSX8D621K86", "KH": "4111111111111111", "XZQH": "440300", "BZ": "USD", "GJ": "HKG",
     "HY": "J66"},
    {"ID": "5", "ZJHM": "11010519491231002x", "TYDM": "91110000600037341I", "ZZJG": "1234-5678X",
     "LEI": "5493001kjtiigc8y1r12", "KH": "79927398713", "XZQH": "999999", "BZ": "cny", "GJ": "XXX", "HY": "U"},
]


def test_each_type_flags_exactly_the_invalid_rows(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS, tables={"DEMO": FIELDS})
    for rid in ("I1", "I3", "I4", "I5", "I6", "I7", "I8", "I9", "I10"):
        assert failing_lines(result, rid) == [2, 5], rid
    assert failing_lines(result, "I2") == [2, 4, 5]  # the 15-digit number is not an 18-digit one


def test_categories_and_bilingual_messages_name_the_standard(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS[:1], tables={"DEMO": FIELDS})
    i3 = rule_result(result, "I3")
    assert i3.category == "其他"
    assert i3.message_zh == "DEMO表.统一社会信用代码不是有效的统一社会信用代码（GB 32100-2015）"
    assert i3.message_en == "DEMO.TYDM is not a valid unified social credit code (GB 32100-2015)"
    for rid in ("I7", "I8", "I9", "I10"):
        assert rule_result(result, rid).category == "字典值"
    for rid in ("I1", "I4", "I5", "I6"):
        assert rule_result(result, rid).category == "其他"
    assert "GB/T 2260" in rule_result(result, "I7").message_zh and "ISO 4217" in rule_result(result, "I8").message_en


def test_personal_data_evidence_is_masked(tmp_path):
    result = run_rules(tmp_path, RULES, ROWS, tables={"DEMO": FIELDS})
    values = {s.line: s.value for s in rule_result(result, "I1").samples}
    assert values == {2: "110*************21", 5: "110*************2x"}
    assert {s.line: s.value for s in rule_result(result, "I6").samples}[2] == "622**************01"
    assert {s.line: s.value for s in rule_result(result, "I3").samples}[2] == "91110000600037341M"  # not personal


def test_show_pii_shows_the_value(tmp_path):
    write_spec(tmp_path, {"DEMO": FIELDS})
    pack = load_pack(write_pack(tmp_path, RULES))
    write_east(tmp_path / "batch", "DEMO", FIELDS, ROWS)
    result = validate_submission(tmp_path / "batch", pack, sample_limit=100, show_pii=True)
    assert {s.line: s.value for s in rule_result(result, "I1").samples}[2] == "110105194912310021"


def test_expression_helpers_in_when_and_expression(tmp_path):
    rules = """
    table: DEMO
    rules:
      - id: E1
        kind: expression
        expr: "is_uscc(TYDM) or is_org_code(ZZJG)"
      - id: E2
        kind: required
        field: TYDM
        when: "is_division(XZQH) and is_country(GJ) and is_currency(BZ)"
      - id: E3
        kind: expression
        expr: "is_resident_id(ZJHM) and is_bank_card(KH) and is_lei(LEI) and is_industry(HY)"
    """
    rows = [dict(ROWS[0]), dict(ROWS[1]), {"ID": "3", "XZQH": "110105", "GJ": "CHN", "BZ": "CNY"},
            dict(ROWS[0], TYDM="91110000600037341M"), dict(ROWS[0], TYDM="91110000600037341M", ZZJG="1")]
    result = run_rules(tmp_path, rules, rows, tables={"DEMO": FIELDS})
    assert failing_lines(result, "E1") == [2, 3, 5]  # empty text is not a valid identifier
    assert failing_lines(result, "E2") == [3]
    assert failing_lines(result, "E3") == [2, 3]


def test_unknown_type_is_a_rule_file_error_with_file_line_and_rule(tmp_path):
    rules = "table: DEMO\nrules:\n  - id: I1\n    kind: identifier\n    field: ZJHM\n    type: passport\n"
    with pytest.raises(RuleFileError) as info:
        run_rules(tmp_path, rules, ROWS[:1], tables={"DEMO": FIELDS})
    loc = info.value.location
    assert loc.file.endswith("rules.yaml") and loc.line == 6 and loc.rule == "I1" and loc.key == "type"
    assert "passport" in info.value.message and "uscc" in info.value.message


def test_missing_type_and_unknown_helper_are_rule_file_errors(tmp_path):
    with pytest.raises(RuleFileError, match="needs 'type'"):
        run_rules(tmp_path, "table: DEMO\nrules:\n  - {id: I1, kind: identifier, field: ZJHM}\n", ROWS[:1],
                  tables={"DEMO": FIELDS})
    with pytest.raises(RuleFileError, match="is_passport"):
        run_rules(tmp_path, "table: DEMO\nrules:\n  - {id: E1, kind: expression, expr: 'is_passport(ZJHM)'}\n",
                  ROWS[:1], tables={"DEMO": FIELDS})


def test_every_type_is_documented_in_the_registry():
    assert set(IDENTIFIERS) == {"resident_id", "resident_id18", "uscc", "org_code", "lei", "bank_card", "division",
                                "currency", "country", "industry"}
    for ident in IDENTIFIERS.values():
        assert ident.macro.startswith("jh_is_") and ident.standard and ident.zh and ident.en


def test_conformance_examples_run(tmp_path):
    from engine.conformance import check
    write_spec(tmp_path, {"DEMO": FIELDS})
    pack = load_pack(write_pack(tmp_path, """
    table: DEMO
    rules:
      - id: I3
        kind: identifier
        field: TYDM
        type: uscc
        examples:
          pass: [{TYDM: 91350100M000100Y43}, {TYDM: ""}]
          fail: [{TYDM: 91350100M000100Y44}, {TYDM: 91350100m000100y43}]
    """))
    report = check(pack)
    assert report.ok, report
