"""aggregate rule: groups of rows against a bound, against values joined from other tables (as of a
period end), and with counted or distinct measures."""
import pytest

from engine.errors import RuleFileError
from tests.helpers import failing_lines, rule_result, run_rules, write_pack, write_spec

F = lambda code, name, fmt="C..20", **kw: {"code": code, "name": name, "format": fmt, **kw}  # noqa: E731
CJRQ = F("CJRQ", "采集日期", "YYYYMMDD")
TABLES = {
    "GD": [F("JG", "机构"), F("GDBH", "股东编号"), F("ZJHM", "证件号码", pii="id_number"), F("BL", "持股比例", "D12.6"),
           F("ZY", "是否主要股东"), CJRQ],
    "SX": [F("JG", "机构"), F("JDM", "季度末日期", "YYYYMMDD"), F("GLF", "关联方"), F("JT", "集团"),
           F("JE", "授信净额", "D20.2"), CJRQ],
    "ZB": [F("JG", "机构"), F("QM", "期末日期", "YYYYMMDD"), F("ZBJE", "资本净额", "D20.2"), CJRQ],
}


def test_sum_against_a_bound_one_finding_per_group_at_its_first_row(tmp_path):
    rules = """
    rules:
      - id: SUM
        table: GD
        kind: aggregate
        group_by: [机构]
        measures: {total: {sum: 持股比例}, n: {count: true}}
        expect: "total <= 100"
    """
    rows = {"GD": [
        {"JG": "A", "GDBH": "1", "BL": "60"}, {"JG": "A", "GDBH": "2", "BL": "40"},       # A: 100 — passes
        {"JG": "B", "GDBH": "1", "BL": "70"}, {"JG": "B", "GDBH": "2", "BL": "30.5"},     # B: 100.5 — fails
        {"JG": "B", "GDBH": "3", "BL": "abc"},                                           # not a number: ignored in the sum
        {"JG": "", "GDBH": "9", "BL": "500"},                                            # empty group key: skipped
    ]}
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "SUM") == [3]
    sample = rule_result(result, "SUM").samples[0]
    assert (sample.key, sample.value) == ("B", "total=100.5; n=3")
    assert rule_result(result, "SUM").message_zh == "GD表按机构汇总应满足：total <= 100"


def test_report_rows_flags_every_row_of_a_failing_group(tmp_path):
    rules = """
    rules:
      - {id: ROWS, table: GD, kind: aggregate, group_by: [JG], report: rows,
         measures: {total: {sum: BL}}, expect: "total <= 100"}
    """
    rows = {"GD": [{"JG": "A", "BL": "60"}, {"JG": "B", "BL": "80"}, {"JG": "A", "BL": "50"}]}
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "ROWS") == [1, 3]


def test_count_distinct_and_filtered_measures(tmp_path):
    rules = """
    rules:
      - id: N
        table: GD
        kind: aggregate
        group_by: [证件号码]
        measures:
          banks: {count_distinct: JG, when: "是否主要股东 = '是'"}
        expect: "banks <= 2"
    """
    rows = {"GD": [
        {"JG": "A", "ZJHM": "110101199001011234", "ZY": "是"}, {"JG": "B", "ZJHM": "110101199001011234", "ZY": "是"},
        {"JG": "C", "ZJHM": "110101199001011234", "ZY": "是"},                   # three banks as main shareholder
        {"JG": "C", "ZJHM": "110101199001011234", "ZY": "是"},                   # the same bank again: not distinct
        {"JG": "A", "ZJHM": "220101199001011234", "ZY": "是"}, {"JG": "B", "ZJHM": "220101199001011234", "ZY": "是"},
        {"JG": "C", "ZJHM": "220101199001011234", "ZY": "否"},                   # not main there: not counted
    ]}
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "N") == [1]
    sample = rule_result(result, "N").samples[0]
    assert sample.key == "110*************34"                                   # personal group keys are masked
    assert sample.value == "banks=3"


def test_join_as_of_the_previous_quarter_end_with_parameters(tmp_path):
    rules = """
    rules:
      - id: ONE
        table: SX
        kind: aggregate
        group_by: [JG, JDM, GLF]
        measures: {net: {sum: JE}}
        join:
          - {table: ZB, keys: [JG, {field: JDM, period: previous_quarter_end}], to: [JG, QM], fields: {nc: ZBJE}}
        expect: "net <= ${single_pct} / 100 * nc"
      - id: GROUP
        table: SX
        kind: aggregate
        group_by: [JG, JDM, JT]
        measures: {net: {sum: JE}}
        join:
          - {table: ZB, keys: [JG, {field: JDM, period: previous_quarter_end}], to: [JG, QM], fields: [资本净额]}
        expect: "net <= 15 / 100 * 资本净额"
    """
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, rules)
    (pack_dir / "pack.yaml").write_text((pack_dir / "pack.yaml").read_text() + "parameters: {single_pct: 10}\n")
    from engine.ruleset import load_pack
    from engine.backends.duckdb.run import validate_submission
    from tests.helpers import write_east
    batch = tmp_path / "batch"
    write_east(batch, "ZB", TABLES["ZB"], [{"JG": "A", "QM": "20240331", "ZBJE": "1000"},
                                           {"JG": "A", "QM": "20240630", "ZBJE": "10"}])   # not the as-of date
    write_east(batch, "SX", TABLES["SX"], [
        {"JG": "A", "JDM": "20240630", "GLF": "R1", "JT": "G1", "JE": "60"},
        {"JG": "A", "JDM": "20240630", "GLF": "R1", "JT": "G1", "JE": "50"},    # R1: 110 > 100
        {"JG": "A", "JDM": "20240630", "GLF": "R2", "JT": "G1", "JE": "90"},    # R2 fine; group G1 200 > 150
        {"JG": "A", "JDM": "20240630", "GLF": "R3", "JT": "G2", "JE": "100"},   # exactly 10 %: passes
        {"JG": "A", "JDM": "20241231", "GLF": "R4", "JT": "G3", "JE": "999"},   # no capital as of 20240930: passes
    ])
    result = validate_submission(batch, load_pack(pack_dir), sample_limit=100)
    assert failing_lines(result, "ONE") == [1]
    assert rule_result(result, "ONE").samples[0].value == "net=110; nc=1000"
    assert failing_lines(result, "GROUP") == [1]
    tighter = validate_submission(batch, load_pack(pack_dir, parameters={"single_pct": 9}), sample_limit=100)
    assert failing_lines(tighter, "ONE") == [1, 4]                       # R2 at exactly 9 % still passes


def test_join_measures_compare_with_another_tables_totals(tmp_path):
    rules = """
    rules:
      - id: TOT
        table: ZB
        kind: aggregate
        group_by: [JG, QM]
        measures: {capital: {max: ZBJE}}
        join:
          - {table: SX, keys: [JG, QM], to: [JG, {field: JDM, period: quarter_end}],
             measures: {credit: {sum: JE}, parties: {count_distinct: GLF}}, when: "JE > 0"}
        expect: "credit <= capital / 2 AND parties >= 1"
    """
    rows = {
        "ZB": [{"JG": "A", "QM": "20240630", "ZBJE": "100"}, {"JG": "B", "QM": "20240630", "ZBJE": "100"},
               {"JG": "C", "QM": "20240630", "ZBJE": "100"}],
        "SX": [{"JG": "A", "JDM": "20240515", "GLF": "R1", "JE": "30"}, {"JG": "A", "JDM": "20240601", "GLF": "R2", "JE": "30"},
               {"JG": "B", "JDM": "20240630", "GLF": "R1", "JE": "20"}, {"JG": "C", "JDM": "20240630", "GLF": "R1", "JE": "-5"}],
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    # A: 60 > 50; C: its only row is filtered out, so it has no parties (a count over no rows is 0)
    assert failing_lines(result, "TOT") == [1, 3]
    assert [s.value for s in rule_result(result, "TOT").samples] == ["capital=100; credit=60; parties=2",
                                                                     "capital=100; credit=0; parties=0"]


def test_whole_table_without_group_by(tmp_path):
    rules = """
    rules:
      - {id: ALL, table: GD, kind: aggregate, measures: {n: {count: true, when: "ZY = '是'"}}, expect: "n >= 1"}
    """
    result = run_rules(tmp_path, rules, {"GD": [{"JG": "A", "ZY": "否"}, {"JG": "B", "ZY": "否"}]}, tables=TABLES)
    assert failing_lines(result, "ALL") == [1]


@pytest.mark.parametrize("rule, message", [
    ("{id: X, table: GD, kind: aggregate, group_by: [NOPE], expect: 'TRUE'}", "unknown field 'NOPE'"),
    ("{id: X, table: GD, kind: aggregate, measures: {t: {sum: BL, count: true}}, expect: 't > 0'}", "exactly one of"),
    ("{id: X, table: GD, kind: aggregate, measures: {Bad: {sum: BL}}, expect: 'TRUE'}", "does not match"),
    ("{id: X, table: GD, kind: aggregate, measures: {t: {sum: BL}}, expect: 'nope > 0'}", "unknown field 'nope'"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], expect: 'TRUE', "
     "join: [{table: ZB, keys: [ZY], to: [JG], fields: [ZBJE]}]}", "must be one of the group_by"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], expect: 'TRUE', "
     "join: [{table: NONE, keys: [JG], to: [JG], fields: [ZBJE]}]}", "unknown table 'NONE'"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], expect: 'TRUE', "
     "join: [{table: ZB, keys: [JG], to: [JG, QM], fields: [ZBJE]}]}", "same length"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], expect: 'TRUE', "
     "join: [{table: ZB, keys: [JG], to: [JG]}]}", "brings nothing"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], expect: 'TRUE', "
     "join: [{table: ZB, keys: [{field: JG, period: fortnight}], to: [JG], fields: [ZBJE]}]}", "fortnight"),
    ("{id: X, table: GD, kind: aggregate, group_by: [JG], measures: {t: {sum: BL}}, expect: 't <= ${missing}'}",
     "unknown parameter"),
])
def test_mistakes_are_rule_file_errors_with_file_and_line(tmp_path, rule, message):
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, f"rules:\n  - {rule}\n")
    from engine.ruleset import load_pack
    with pytest.raises(RuleFileError, match=message) as info:
        load_pack(pack_dir)
    assert info.value.location.file.endswith("rules.yaml") and info.value.location.line == 2


def test_per_row_lookup_sees_every_field_and_reports_the_row(tmp_path):
    rules = """
    rules:
      - id: ROW
        table: SX
        kind: aggregate
        per_row: true
        when: "授信净额 > 0"
        join:
          - {table: ZB, keys: [JG, {field: JDM, period: previous_quarter_end}], to: [JG, QM], fields: {nc: ZBJE}}
          - {table: GD, keys: [GLF], to: [GDBH], measures: {holders: {count: true}}}
        expect: "num(授信净额) <= 0.1 * nc AND coalesce(holders, 0) = 0"
    """
    rows = {
        "ZB": [{"JG": "A", "QM": "20240331", "ZBJE": "1000"}],
        "GD": [{"JG": "A", "GDBH": "R9", "BL": "1"}],
        "SX": [{"JG": "A", "JDM": "20240630", "GLF": "R1", "JE": "100"},    # exactly 10 %: passes
               {"JG": "A", "JDM": "20240630", "GLF": "R1", "JE": "101"},    # the same party again, checked on its own
               {"JG": "A", "JDM": "20240630", "GLF": "R9", "JE": "1"},      # a shareholder: holders = 1
               {"JG": "A", "JDM": "20240630", "GLF": "R2", "JE": "-5"}],    # not a credit: skipped by when
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "ROW") == [2, 3]
    assert [s.value for s in rule_result(result, "ROW").samples] == ["JE=101; nc=1000; holders=0", "JE=1; nc=1000; holders=1"]
    assert rule_result(result, "ROW").message_zh == "当授信净额 > 0时，SX表每条记录应满足：num(授信净额) <= 0.1 * nc AND coalesce(holders, 0) = 0"


@pytest.mark.parametrize("extra, message", [
    ("group_by: [JG], ", "takes no 'group_by'"),
    ("measures: {t: {sum: JE}}, ", "takes no 'group_by' or 'measures'"),
    ("report: rows, ", "drop 'report'"),
])
def test_per_row_refuses_grouping_keys(tmp_path, extra, message):
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, "rules:\n  - {id: X, table: SX, kind: aggregate, per_row: true, " + extra + "expect: 'JE > 0'}\n")
    from engine.ruleset import load_pack
    with pytest.raises(RuleFileError, match=message) as info:
        load_pack(pack_dir)
    assert info.value.location.line == 2


def test_joined_names_must_not_shadow_the_rows_fields(tmp_path):
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, "rules:\n  - {id: X, table: SX, kind: aggregate, per_row: true, expect: 'TRUE', "
                                    "join: [{table: ZB, keys: [JG], to: [JG], fields: [JG]}]}\n")
    from engine.ruleset import load_pack
    with pytest.raises(RuleFileError, match="used twice"):
        load_pack(pack_dir)
