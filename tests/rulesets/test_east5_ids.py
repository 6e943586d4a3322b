"""Derived rules under their official numbers: the official-id file of a spec, old ids as aliases, east5's file."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine.api import validate
from engine.baseline import Baseline, BaselineRule, apply_baseline
from engine.changelog import aliases, canonical_id
from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from engine.waivers import check_against, load_waivers
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec

ROOT = Path(__file__).resolve().parents[2]
DERIVE = {"required": False, "format": True, "codelist": True, "key": False, "links": False,
          "official_ids": "official_ids.yaml"}
OFFICIAL = """\
register: official/rules.csv
rules:
  DEMO.KSRQ.format: {id: '1700', official: JHGZ1900, category: 日期格式}
  DEMO.LX.codelist: {id: JHGZ2700, official: JHGZ2700, category: 字典值, severity: weak,
                     changes: [{version: "2", set: {severity: strong}, reason: 调整}]}
  DEMO.BZ.format: {id: '2100', official: JHGZ2400, category: 长度,
                   changes: [{version: "2", retire: true, reason: 删除}]}
  DEMO.JE.format: {category: 长度}
added:
  - {id: '2101', official: JHGZ2401, table: DEMO, field: KSRQ, kind: length, lengths: [8], category: 长度}
"""


def _pack(tmp_path: Path, official: str = OFFICIAL) -> Path:
    spec = write_spec(tmp_path)
    (spec / "official_ids.yaml").write_text(official, encoding="utf-8")
    pack_dir = write_pack(tmp_path, "rules: []\n", DERIVE)
    meta = yaml.safe_load((pack_dir / "pack.yaml").read_text("utf-8"))
    meta["versions"] = [{"id": "1"}, {"id": "2"}]
    meta["version"] = "2"
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return pack_dir


def test_derived_rules_take_official_id_category_severity_and_history(tmp_path):
    pack_dir = _pack(tmp_path)
    old, new = load_pack(pack_dir, version="1"), load_pack(pack_dir)
    date = new.rule("1700")
    assert (date.kind, date.field, date.category, date.number_kind) == ("format", "KSRQ", "日期格式", "official")
    assert new.rule("DEMO.KSRQ.format") is None
    assert old.rule("JHGZ2700").severity == "weak" and new.rule("JHGZ2700").severity == "strong"
    assert new.rule("JHGZ2700").number_kind == "draft"
    assert old.rule("2100") is not None and new.rule("2100") is None  # retired in version 2
    assert new.rule("DEMO.JE.format").category == "长度"  # a numeric width is 长度, id unchanged
    length = new.rule("2101")
    assert (length.kind, length.field, length.params, length.origin) == ("length", "KSRQ", {"lengths": [8]}, "derived")


def test_added_length_rule_fails_a_short_date(tmp_path):
    pack_dir = _pack(tmp_path)
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, [{"ID": "A", "KSRQ": "2024010"}, {"ID": "B", "KSRQ": "20240101"}])
    result = validate_submission(tmp_path / "batch", load_pack(pack_dir), sample_limit=100)
    by_id = {r.id: r for r in result.rules}
    assert by_id["2101"].failed == 1 and by_id["1700"].failed == 1
    assert "DEMO.KSRQ.format" not in by_id


def test_old_ids_are_aliases(tmp_path):
    pack = load_pack(_pack(tmp_path))
    assert aliases(pack) == {"DEMO.KSRQ.format": "1700", "DEMO.LX.codelist": "JHGZ2700", "DEMO.BZ.format": "2100"}
    assert canonical_id(pack, "DEMO.KSRQ.format") == "1700"
    assert canonical_id(pack, "DEMO.MC.format") == "DEMO.MC.format"


def test_waiver_naming_an_old_id_waives_the_renamed_rule(tmp_path):
    pack = load_pack(_pack(tmp_path))
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - {rule: DEMO.KSRQ.format, table: DEMO, reason: 历史数据, approver: 张三, "
                    "expiry: '2999-12-31'}\n", encoding="utf-8")
    waivers = check_against(load_waivers(path), pack)
    assert [w.rule for w in waivers.waivers] == ["1700"]


def test_baseline_under_an_old_id_matches_the_renamed_rule(tmp_path, monkeypatch):
    pack_dir = _pack(tmp_path)
    monkeypatch.setenv("JIANHE_PACK_PATH", str(pack_dir.parent))
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, [{"ID": "A", "KSRQ": "20241301"}])
    result = validate_submission(tmp_path / "batch", load_pack(pack_dir), sample_limit=100)
    baseline = Baseline(tmp_path / "base.json", {("DEMO", "DEMO.KSRQ.format"): BaselineRule(1, None)}, None, None,
                        {"name": "demo"})
    apply_baseline(result, baseline)
    renamed = next(r for r in result.rules if r.id == "1700")
    assert renamed.baseline["status"] == "unchanged"
    assert result.baseline["gone"] == []


def test_rules_show_accepts_an_old_id(tmp_path, capsys):
    pack_dir = _pack(tmp_path)
    assert main(["rules", "show", "DEMO.KSRQ.format", "--pack", str(pack_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("id:        1700 (official)")


def test_added_rule_without_its_keys_is_an_error_naming_the_file(tmp_path):
    pack_dir = _pack(tmp_path, "rules: {}\nadded:\n  - {id: '9', table: DEMO, kind: length, lengths: [8]}\n")
    with pytest.raises(RuleFileError) as exc:
        load_pack(pack_dir)
    assert "official_ids.yaml" in str(exc.value) and "field" in str(exc.value)


# ---- the east5 pack ------------------------------------------------------------------------------------

def test_official_id_file_is_current():
    tool = ROOT / "specs" / "east5" / "tools" / "official_ids.py"
    run = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def east5():
    return load_pack("east5")


def test_east5_derived_rules_carry_official_numbers(east5):
    date = east5.rule("1834")  # BHYXYZB.CJRQ 采集日期必须满足日期格式YYYYMMDD (JHGZ2146)
    assert (date.table, date.field, date.kind, date.category) == ("BHYXYZB", "CJRQ", "format", "日期格式")
    length = east5.rule("2231")  # BHYXYZB.CJRQ 采集日期非空时字符长度为8 (JHGZ2594)
    assert (length.kind, length.params, length.category) == ("length", {"lengths": [8]}, "长度")
    assert canonical_id(east5, "BHYXYZB.CJRQ.format") == "1834"
    assert not [r.id for r in east5.rules if r.kind == "format" and r.category == "其他"]


def test_rules_show_745_weak_and_488_retired(capsys):
    assert main(["rules", "show", "745", "--pack", "east5"]) == 0
    assert "severity:  weak" in capsys.readouterr().out
    assert main(["rules", "show", "488", "--pack", "east5"]) == 0
    assert "retired in 2022.1" in capsys.readouterr().out


def _covered() -> list[dict]:
    path = ROOT / "specs" / "east5" / "tools" / "references_covered_by_derived.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_east5_derived_references_take_the_official_reference_numbers(east5):
    for row in _covered():
        rule = east5.rule(row["official"])
        assert rule is not None and rule.category == "关联", row
        assert canonical_id(east5, row["derived"]) == row["official"] and east5.rule(row["derived"]) is None
        # a stricter derived rule ("differs") is replaced by the official rule written under its number
        assert rule.origin == ("derived" if row["match"] == "same" else "written"), row


def test_east5_a_virtual_teller_without_an_employee_is_no_error(east5):
    """2644 checks 工号 against 员工表 only for 是否实体柜员 = 是; the derived GYB.GH.reference checked every teller."""
    def frame(rows: list[dict], table: str) -> pd.DataFrame:
        return pd.DataFrame([{c: r.get(c, "") for c in east5.catalog.tables[table].field_codes} for r in rows],
                            dtype=str)
    frames = {"JGXXB": frame([{"JRXKZH": "B0001H111000001", "NBJGH": "J1", "CJRQ": "20240630"}], "JGXXB"),
              "YGB": frame([{"GH": "E1", "CJRQ": "20240630"}], "YGB"),
              "GYB": frame([{"GYH": "G1", "GH": "X9", "SFSTGY": "否", "JRXKZH": "B0001H111000001", "NBJGH": "J1",
                             "CJRQ": "20240630"}], "GYB")}
    result = validate(frames, east5)
    checks_gh = [r for r in result.rules if r.id in {"2644", "GYB.GH.reference"}]
    assert [(r.id, r.status) for r in checks_gh] == [("2644", "passed")]


def test_an_excuse_naming_an_old_id_excuses_the_renamed_rule(tmp_path):
    pack_dir = _pack(tmp_path)
    (pack_dir / "excuses.yaml").write_text("excuses:\n  - {token: 境外客户, reason: 境外, rules: [DEMO.KSRQ.format, 1700x]}\n", "utf-8")
    meta = yaml.safe_load((pack_dir / "pack.yaml").read_text("utf-8"))
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump({**meta, "excuses": "excuses.yaml"}, allow_unicode=True), "utf-8")
    with pytest.raises(RuleFileError, match="unknown rule '1700x'"):
        load_pack(pack_dir)
    (pack_dir / "excuses.yaml").write_text("excuses:\n  - {token: 境外客户, reason: 境外, rules: [DEMO.KSRQ.format]}\n", "utf-8")
    assert load_pack(pack_dir).options["excuses"] == {"1700": ["境外客户"]}
