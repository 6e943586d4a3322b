"""Broken specs and rule files give one clear error naming file, line and rule; exit code 2."""
import textwrap

import pytest

from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from engine.spec import load_catalog
from tests.helpers import write_pack, write_spec


def load_rules(tmp_path, rules_yaml):
    write_spec(tmp_path)
    return load_pack(write_pack(tmp_path, rules_yaml))


CASES = [
    # (rules.yaml text, expected line, expected rule id, words in the message)
    ("rules:\n  - {id: A, table: DEMO, kind: requird, field: MC}\n", 2, "A", "unknown rule kind 'requird'"),
    ("rules:\n  - {id: A, table: NOPE, kind: required, field: MC}\n", 2, "A", "unknown table 'NOPE'"),
    ("rules:\n  - {id: A, table: DEMO, kind: required, field: XX}\n", 2, "A", "unknown field 'XX'"),
    ("rules:\n  - id: A\n    table: DEMO\n    kind: regex\n    field: MC\n    pattern: '[a-'\n", 6, "A", "invalid regular expression"),
    ("rules:\n  - id: A\n    table: DEMO\n    kind: expression\n    expr: 'read_csv(1)'\n", 5, "A", "not allowed"),
    ("rules:\n  - id: A\n    table: DEMO\n    kind: expression\n    expr: 'JE >'\n", 5, "A", "does not parse"),
    ("rules:\n  - id: A\n    table: DEMO\n    kind: required\n    field: MC\n    when: \"NOPE = '1'\"\n", 6, "A", "unknown field 'NOPE'"),
    ("rules:\n  - {id: A, table: DEMO, kind: required, field: MC}\n  - {id: A, table: DEMO, kind: required, field: ID}\n",
     3, "A", "duplicate rule id 'A'"),
    ("rules:\n  - {id: A, table: DEMO, kind: range, field: JE, minimum: 1}\n", 2, "A", "unknown key 'minimum'"),
    ("rules:\n  - {id: A, table: DEMO, kind: length, field: MC, lengths: ['x']}\n", 2, "A", "'x' is not of type 'integer'"),
    ("rules:\n  - {id: A, table: DEMO, kind: required, field: MC, severity: fatal}\n", 2, "A", "is not one of"),
    ("rules:\n  - {id: A, table: DEMO, kind: reference, field: MC, targets: [{table: NOPE, fields: [X]}]}\n", 2, "A",
     "unknown table 'NOPE'"),
    ("rules:\n  - {id: A, table: DEMO, kind: codelist, field: MC}\n", 2, "A", "no code list"),
    ("rules:\n  - {id: A, table: DEMO, kind: compare, field: JE, op: '>'}\n", 2, "A", "exactly one of 'other'"),
    ("rules:\n  - {id: A, table: DEMO, kind: format, field: JE, format: 'X9'}\n", 2, "A", "unknown format code 'X9'"),
    ("rules:\n  - {id: A, table: DEMO, kind: required, field: MC\n", 3, None, "flow mapping at line 2"),
    ("rules:\n  - {id: A, table: DEMO, kind: regex, field: MC}\n", 2, "A", "needs 'pattern'"),
    ("rules:\n  - {id: A, table: DEMO, kind: unique}\n", 2, "A", "needs 'fields'"),
    ("rules:\n  - {id: A, table: DEMO, kind: tieout, field: JE, keys: [ID], from: {table: DEMO, keys: [ID]}}\n", 2, "A",
     "exactly one of 'sum'"),
    ("rules:\n  - {id: A, table: DEMO, kind: required, field: MC, id: B}\n", 2, None, "duplicate key 'id'"),
]


@pytest.mark.parametrize("text,line,rule,words", CASES, ids=[c[3][:30] for c in CASES])
def test_broken_rule_file_names_file_line_and_rule(tmp_path, text, line, rule, words):
    with pytest.raises(RuleFileError) as info:
        load_rules(tmp_path, text)
    err = info.value
    assert words in err.message
    assert err.location.file.endswith("rules.yaml")
    assert err.location.line == line
    assert err.location.rule == rule


def test_cli_reports_rule_file_error_with_exit_2_and_no_traceback(tmp_path, capsys):
    write_spec(tmp_path)
    pack = write_pack(tmp_path, "rules:\n  - {id: A, table: DEMO, kind: requird, field: MC}\n")
    (tmp_path / "b").mkdir()
    rc = main(["validate", str(tmp_path / "b"), "--pack", str(pack)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "rules.yaml:2" in err and "rule A" in err and "Traceback" not in err


SPEC_CASES = [
    ("table: DEMO\nname: 示例\nkind: 状态类\nfields:\n  - {code: A, name: 甲, format: C..10, colour: red}\n", 5, "unknown key 'colour'"),
    ("table: DEMO\nname: 示例\nkind: 状态类\nfields:\n  - {code: A, name: 甲, format: Q7}\n", 5, "unknown format code 'Q7'"),
    ("table: DEMO\nname: 示例\nkind: 流水类\nfields:\n  - {code: A, name: 甲, format: C3}\n", 3, "is not one of"),
    ("table: DEMO\nname: 示例\nkind: 状态类\nkey: [B]\nfields:\n  - {code: A, name: 甲, format: C3}\n", 4, "key field 'B'"),
    ("table: DEMO\nname: 示例\nkind: 状态类\nfields:\n  - {code: A, name: 甲, format: C3}\n  - {code: A, name: 乙, format: C3}\n",
     6, "duplicate field code 'A'"),
]


@pytest.mark.parametrize("text,line,words", SPEC_CASES, ids=[c[2][:25] for c in SPEC_CASES])
def test_broken_spec_names_file_and_line(tmp_path, text, line, words):
    spec = tmp_path / "specs" / "demo"
    (spec / "tables").mkdir(parents=True)
    (spec / "tables" / "DEMO.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_catalog(spec)
    assert words in info.value.message
    assert info.value.location.file.endswith("DEMO.yaml")
    assert info.value.location.line == line


def test_written_rule_overrides_derived_rule_with_same_id(tmp_path):
    write_spec(tmp_path, tables={"DEMO": [{"code": "ID", "name": "编号", "format": "C..20", "required": 7},
                                          {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD"}]})
    pack = load_pack(write_pack(tmp_path, "rules:\n  - {id: 7, table: DEMO, kind: required, field: ID, severity: weak}\n",
                                derive={"required": True}))
    rule = pack.rule("7")
    assert (rule.severity, rule.origin) == ("weak", "written")
    assert sum(r.id == "7" for r in pack.rules) == 1


def test_shipped_pack_loads_and_derives_official_numbers():
    from pathlib import Path
    pack = load_pack(Path(__file__).resolve().parents[1] / "rulesets" / "east5_core")
    assert pack.rule("492").kind == "required" and pack.rule("492").number_kind == "official"
    assert len(pack.rules) > 500


def test_masking_rules_are_derived_from_pii_classes(tmp_path):
    from tests.helpers import run_rules
    fields = [{"code": "XM", "name": "姓名", "format": "C..200", "pii": "name"},
              {"code": "ZJHM", "name": "证件号码", "format": "C..70", "pii": "id_number"},
              {"code": "DH", "name": "电话", "format": "C..70", "pii": "phone"},
              {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD"}]
    rows = [{"XM": "明", "ZJHM": "110101" + "a" * 64, "DH": "b" * 64},
            {"XM": "欧阳小明", "ZJHM": "110101199001011234", "DH": "13800138000"}]
    result = run_rules(tmp_path, "rules: []\n", rows, tables={"DEMO": fields}, derive={"masking": True})
    from tests.helpers import failing_lines
    assert failing_lines(result, "DEMO.XM.masked") == [2]
    assert failing_lines(result, "DEMO.ZJHM.masked") == [2]
    assert failing_lines(result, "DEMO.DH.masked") == [2]


def test_pack_versions_resolve_changes_and_retirements(tmp_path):
    write_spec(tmp_path, codelists={"类型": {"values": ["甲类"], "other": True,
                                           "changes": [{"version": "v2", "add": ["乙类"], "reason": "增加枚举值"}]}})
    pack_dir = write_pack(tmp_path, textwrap.dedent("""
        rules:
          - id: 100
            table: DEMO
            kind: required
            field: MC
            changes:
              - {version: v2, set: {severity: weak}, reason: 调整为弱校验}
          - id: 101
            table: DEMO
            kind: range
            field: JE
            max: 1
            changes:
              - {version: v3, retire: true, reason: 与业务实际不符}
          - {id: 102, table: DEMO, kind: required, field: ID, since: v3}
          - {id: 103, table: DEMO, kind: codelist, field: LX}
    """))
    text = (pack_dir / "pack.yaml").read_text("utf-8") + "versions: [{id: v1}, {id: v2}, {id: v3}]\n"
    (pack_dir / "pack.yaml").write_text(text, "utf-8")
    v1, v3 = load_pack(pack_dir, "v1"), load_pack(pack_dir)
    assert v3.version == "v3"
    assert (v1.rule("100").severity, v3.rule("100").severity) == ("strong", "weak")
    assert v1.rule("101") is not None and v3.rule("101") is None
    assert v1.rule("102") is None and v3.rule("102") is not None
    assert v1.catalog.codelists["类型"].values == ("甲类",) and v3.catalog.codelists["类型"].values == ("甲类", "乙类")
    from engine.changelog import diff
    changes = {(c.kind, c.rule_id): c for c in diff(v3, "v1", "v3")}
    # 103 changes too: its code list (and so its message) grew
    assert set(changes) == {("changed", "100"), ("retired", "101"), ("added", "102"), ("changed", "103"), ("codelist", "类型")}
    assert changes[("retired", "101")].reasons == ["v3: 与业务实际不符"]
    with pytest.raises(RuleFileError, match="no version 'v9'"):
        v3.at("v9")


def test_change_to_an_unknown_version_names_file_and_rule(tmp_path):
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, "rules:\n  - id: A\n    table: DEMO\n    kind: required\n    field: MC\n"
                                    "    changes:\n      - {version: v7, retire: true}\n")
    with pytest.raises(RuleFileError) as info:
        load_pack(pack_dir)
    assert "unknown pack version 'v7'" in info.value.message and info.value.location.rule == "A"


def _versioned_codelists() -> dict:
    return {"类型": {"values": ["甲类", "乙类"], "other": True, "changes": [{"version": "2022.3", "add": ["丙类"]}]}}


def test_a_pack_of_one_version_takes_code_lists_as_first_stated_though_the_spec_versions_them(tmp_path):
    from tests.helpers import write_pack, write_spec
    write_spec(tmp_path, codelists=_versioned_codelists())
    pack = load_pack(write_pack(tmp_path))  # version "1", no versions list: 2022.3 is not one of its versions
    assert pack.catalog.codelists["类型"].values == ("甲类", "乙类")


def test_a_versioned_pack_still_refuses_a_code_list_change_in_a_version_it_does_not_have(tmp_path):
    from tests.helpers import write_pack, write_spec
    write_spec(tmp_path, codelists=_versioned_codelists())
    pack_dir = write_pack(tmp_path)
    import yaml
    meta = yaml.safe_load((pack_dir / "pack.yaml").read_text("utf-8"))
    meta["versions"] = [{"id": "2021"}, {"id": "2022.1"}]
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with pytest.raises(RuleFileError, match="unknown pack version '2022.3'"):
        load_pack(pack_dir)
