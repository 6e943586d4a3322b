"""reference rule: a non-empty value must exist in one of several target tables (关联校验)."""
from tests.helpers import failing_lines, rule_result, run_rules

F = lambda code, name, fmt="C..20", **kw: {"code": code, "name": name, "format": fmt, **kw}  # noqa: E731
CJRQ = F("CJRQ", "采集日期", "YYYYMMDD")
TABLES = {
    "JJB": [F("JJH", "借据号"), F("KHBH", "客户编号"), F("KHLX", "客户类型"), F("ZH", "账号"),
            F("KHMC", "客户名称", pii="name"), CJRQ],
    "GRB": [F("KHBH", "客户编号"), CJRQ],
    "DGB": [F("KHBH", "客户编号"), CJRQ],
    "ZHB": [F("KHBH", "客户编号"), F("ZH", "账号"), CJRQ],
}


def test_single_target_and_alternatives(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, field: KHBH, targets: [{table: GRB, fields: [KHBH]}]}
      - {id: R2, table: JJB, kind: reference, field: 客户编号,
         targets: [{table: GRB, fields: [KHBH]}, {table: DGB表, fields: [客户编号]}]}
    """
    rows = {
        "JJB": [{"JJH": "1", "KHBH": "P1"}, {"JJH": "2", "KHBH": "C1"}, {"JJH": "3", "KHBH": "X9"},
                {"JJH": "4", "KHBH": ""}, {"JJH": "5", "KHBH": "p1"}, {"JJH": "6", "KHBH": "客户甲"}],
        "GRB": [{"KHBH": "P1"}, {"KHBH": "客户甲"}, {"KHBH": ""}],
        "DGB": [{"KHBH": "C1"}],
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "R1") == [2, 3, 5]
    assert failing_lines(result, "R2") == [3, 5]
    assert [s.value for s in rule_result(result, "R2").samples] == ["X9", "p1"]
    assert rule_result(result, "R2").message_zh == "JJB表.客户编号非空时，必须在GRB表.客户编号或DGB表.客户编号中存在"
    assert rule_result(result, "R2").status == "failed"


def test_per_target_when_chooses_the_table(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, field: KHBH, targets: [
           {table: GRB, fields: [KHBH], when: "客户类型 = '个人'"},
           {table: DGB, fields: [KHBH], when: "KHLX = '对公'"}]}
    """
    rows = {
        "JJB": [{"JJH": "1", "KHBH": "P1", "KHLX": "个人"}, {"JJH": "2", "KHBH": "P1", "KHLX": "对公"},
                {"JJH": "3", "KHBH": "C1", "KHLX": "对公"}, {"JJH": "4", "KHBH": "C1", "KHLX": "个人"},
                {"JJH": "5", "KHBH": "Z1", "KHLX": "其他"},     # no target applies: not judged
                {"JJH": "6", "KHBH": "Z1", "KHLX": ""}],        # when is false/NULL: not judged
        "GRB": [{"KHBH": "P1"}],
        "DGB": [{"KHBH": "C1"}],
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "R1") == [2, 4]


def test_composite_fields_and_rule_when(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, fields: [KHBH, ZH], targets: [{table: ZHB, fields: [KHBH, ZH]}]}
      - {id: R2, table: JJB, kind: reference, fields: [KHBH, ZH], targets: [{table: ZHB, fields: [KHBH, ZH]}],
         when: "JJH <> '3'"}
    """
    rows = {
        "JJB": [{"JJH": "1", "KHBH": "P1", "ZH": "A1"}, {"JJH": "2", "KHBH": "P1", "ZH": "A2"},
                {"JJH": "3", "KHBH": "P2", "ZH": "A1"}, {"JJH": "4", "KHBH": "P1", "ZH": ""},
                {"JJH": "5", "KHBH": "", "ZH": "A1"}, {"JJH": "6", "KHBH": "P2", "ZH": "A2"}],
        "ZHB": [{"KHBH": "P1", "ZH": "A1"}, {"KHBH": "P2", "ZH": "A2"}],
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "R1") == [2, 3]
    assert failing_lines(result, "R2") == [2]
    assert [s.value for s in rule_result(result, "R1").samples] == ["KHBH=P1; ZH=A2", "KHBH=P2; ZH=A1"]


def test_masked_evidence_and_key(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, field: KHMC, targets: [{table: GRB, fields: [KHBH]}]}
    """
    rows = {"JJB": [{"JJH": "1", "KHMC": "张三丰"}], "GRB": [{"KHBH": "P1"}]}
    result = run_rules(tmp_path, rules, rows, tables=TABLES, keys={"JJB": ["JJH"]})
    samples = rule_result(result, "R1").samples
    assert [(s.line, s.key, s.value) for s in samples] == [(1, "1", "**丰")]


def test_missing_target_table_means_not_run_and_a_file_finding(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, field: KHBH, targets: [{table: GRB, fields: [KHBH]}]}
      - {id: R2, table: JJB, kind: reference, field: KHBH, targets: [{table: DGB, fields: [KHBH]}]}
      - {id: R3, table: JJB, kind: required, field: KHBH}
    """
    rows = {"JJB": [{"JJH": "1", "KHBH": "P1"}, {"JJH": "2", "KHBH": "P2"}, {"JJH": "3", "KHBH": ""}],
            "DGB": [{"KHBH": "P1"}]}
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    r1 = rule_result(result, "R1")
    assert r1.status == "not_run"
    assert r1.failed == 0 and r1.samples == []
    assert "GRB" in r1.note
    assert failing_lines(result, "R2") == [2]              # other rules still run
    assert failing_lines(result, "R3") == [3]
    missing = rule_result(result, "FILE.MISSING_TABLE", "JJB")
    assert missing.status == "failed"
    assert [s.value for s in missing.samples] == ["GRB (rule R1)"]
    assert result.summary()["rules_not_run"] >= 1
    grb = next(t for t in result.tables if t.code == "GRB")
    assert grb.present is False


def test_missing_source_table_means_not_run_without_finding(tmp_path):
    rules = """
    rules:
      - {id: R1, table: JJB, kind: reference, field: KHBH, targets: [{table: GRB, fields: [KHBH]}]}
    """
    result = run_rules(tmp_path, rules, {"GRB": [{"KHBH": "P1"}]}, tables=TABLES)
    r1 = rule_result(result, "R1")
    assert r1.status == "not_run"
    assert r1.note == "table not in the submission"
    assert rule_result(result, "FILE.MISSING_TABLE", "JJB").status == "passed"
