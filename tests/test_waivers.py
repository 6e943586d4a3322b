"""Waivers: rule × table × key exceptions with reason, approver and expiry, on real engine runs."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.waivers import check_against, load_waivers
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec

ROOT = Path(__file__).resolve().parents[1]
FUTURE = (date.today() + timedelta(days=30)).isoformat()
PAST = (date.today() - timedelta(days=1)).isoformat()
RULES = """\
rules:
  - {id: R1, table: DEMO, kind: required, field: MC}
  - {id: R2, table: DEMO, kind: required, field: LX, severity: weak}
"""
ROWS = [{"ID": "A1", "LX": "甲类"}, {"ID": "A2", "LX": "甲类"}, {"ID": "B3", "LX": "甲类"},
        {"ID": "B4", "MC": "张三"}, {"ID": "C5", "MC": "李四", "LX": "乙类"}]


@pytest.fixture
def demo(tmp_path):
    write_spec(tmp_path, keys={"DEMO": ["ID"]})
    pack_dir = write_pack(tmp_path, RULES)
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, ROWS)
    return tmp_path, pack_dir


def _waivers(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _run(tmp_path, pack_dir, body: str):
    pack = load_pack(pack_dir)
    waivers = check_against(load_waivers(_waivers(tmp_path, body)), pack)
    return validate_submission(tmp_path / "batch", pack, waivers=waivers, failures_path=tmp_path / "f.parquet")


def _rule(result, rid):
    return next(r for r in result.rules if r.id == rid)


def test_whole_rule_waiver_keeps_evidence_but_not_the_count(demo):
    tmp_path, pack_dir = demo
    result = _run(tmp_path, pack_dir, f"""\
waivers:
  - rule: R1
    table: DEMO
    reason: 迁移遗留数据，下月修复
    approver: 张三
    expiry: {FUTURE}
""")
    r1 = _rule(result, "R1")
    assert (r1.status, r1.failed, r1.waived) == ("passed", 0, 3)
    assert [s.waived for s in r1.samples] == [True, True, True]
    assert result.verdict == "ready" and result.summary()["findings_waived"] == 3
    record = result.manifest["waivers"][0]
    assert record["status"] == "active" and record["waived"] == 3 and record["approver"] == "张三"
    assert record["source"].endswith("waivers.yaml:2") and record["expiry"] == FUTURE
    exported = pq.read_table(tmp_path / "f.parquet").to_pylist()
    assert sorted((e["rule_id"], e["key"], e["waived"]) for e in exported if e["rule_id"] == "R1") == [
        ("R1", "A1", True), ("R1", "A2", True), ("R1", "B3", True)]


def test_keys_exact_and_glob_waive_only_those_records(demo):
    tmp_path, pack_dir = demo
    result = _run(tmp_path, pack_dir, f"""\
waivers:
  - {{rule: R1, table: 个人, reason: r, approver: a, expiry: {FUTURE}}}
""".replace("个人", "DEMO表") + f"""\
  - rule: "R*"
    key: [B3, "B?"]
    reason: 单笔豁免
    approver: 李四
    expiry: "{FUTURE}"
""")
    # the first waiver already covers R1 entirely; the glob one then covers R2's B4 only
    assert _rule(result, "R1").waived == 3
    r2 = _rule(result, "R2")
    assert (r2.failed, r2.waived) == (0, 1)
    assert [w["waived"] for w in result.manifest["waivers"]] == [3, 1]


def test_key_waiver_leaves_other_records_failing(demo):
    tmp_path, pack_dir = demo
    result = _run(tmp_path, pack_dir, f"""\
waivers:
  - {{rule: R1, table: DEMO, key: "A*", reason: r, approver: a, expiry: {FUTURE}}}
""")
    r1 = _rule(result, "R1")
    assert (r1.status, r1.failed, r1.waived) == ("failed", 1, 2)
    assert [(s.key, s.waived) for s in r1.samples] == [("B3", False), ("A1", True), ("A2", True)]
    assert result.verdict == "not_ready"


def test_expired_waiver_waives_nothing_and_fails_the_run(demo, capsys):
    tmp_path, pack_dir = demo
    path = _waivers(tmp_path, f"""\
waivers:
  - {{rule: R2, table: DEMO, reason: 旧豁免, approver: 王五, expiry: {PAST}}}
""")
    out = tmp_path / "out"
    rc = main(["validate", str(tmp_path / "batch"), "--pack", str(pack_dir), "--waivers", str(path),
               "--fail-on", "none", "--report-dir", str(out), "--format", "json,html"])
    assert rc == 1  # even with --fail-on none: an expired waiver must be renewed or removed
    err = capsys.readouterr().err
    assert f"waiver expired on {PAST}" in err and "waivers.yaml:2" in err and "王五" in err
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "not_ready" and doc["verdict_reasons"][0].startswith("waiver expired")
    assert doc["manifest"]["waivers"][0]["status"] == "expired" and doc["manifest"]["waivers"][0]["waived"] == 0
    r2 = next(r for r in doc["rules"] if r["id"] == "R2")
    assert r2["failed"] == 1 and r2["waived"] == 0
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["waivers"] == doc["manifest"]["waivers"]
    assert "waiver expired" in (out / "report.html").read_text(encoding="utf-8")


def test_waiver_valid_through_its_expiry_day(demo):
    tmp_path, pack_dir = demo
    today = date.today().isoformat()
    result = _run(tmp_path, pack_dir, f"waivers:\n  - {{rule: R1, table: DEMO, reason: r, approver: a, expiry: {today}}}\n")
    assert result.manifest["waivers"][0]["status"] == "active" and _rule(result, "R1").waived == 3


@pytest.mark.parametrize("body, line, words", [
    ("waivers:\n  - {rule: R1, table: DEMO, reason: r, expiry: 2030-01-01}\n", 2, "'approver' is a required property"),
    ("waivers:\n  - rule: R1\n    reason: r\n    approver: a\n    expiry: 2030-02-30\n", 5, "not a valid date"),
    ("waivers:\n  - rule: R1\n    reason: r\n    approver: a\n    expiry: next year\n", 5, "expiry must be a date"),
    ("waivers:\n  - rule: R1\n    reason: r\n    approver: a\n    expiry: 2030-01-01\n    owner: x\n", 6,
     "unknown key 'owner'"),
    ("waivers:\n  - rule: R1\n    reason: ''\n    approver: a\n    expiry: 2030-01-01\n", 3, "should be non-empty"),
    ("waivers:\n  - rule: R1\n    key: []\n    reason: r\n    approver: a\n    expiry: 2030-01-01\n", 3, "key"),
    ("waivers:\n  - rule: R1\n   reason: r\n", 3, "YAML syntax error"),
    ("waiver: []\n", 1, "unknown key 'waiver'"),
    ("waivers:\n  - {rule: R9, table: DEMO, reason: r, approver: a, expiry: 2030-01-01}\n", 2, "rule 'R9'"),
    ("waivers:\n  - {rule: R1, table: NOPE, reason: r, approver: a, expiry: 2030-01-01}\n", 2, "unknown table 'NOPE'"),
])
def test_malformed_waivers_are_errors_with_file_and_line(demo, capsys, body, line, words):
    tmp_path, pack_dir = demo
    path = _waivers(tmp_path, body)
    rc = main(["validate", str(tmp_path / "batch"), "--pack", str(pack_dir), "--waivers", str(path),
               "--report-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert f"{path}:{line}" in err and words in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "report.json").exists()


def test_missing_waivers_file_is_a_usage_error(demo):
    tmp_path, pack_dir = demo
    with pytest.raises(RuleFileError, match="waivers file not found"):
        load_waivers(tmp_path / "nope.yaml")
