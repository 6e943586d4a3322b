"""The 股权和关联交易 example: the engine reports exactly the planted findings, thresholds are parameters."""
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.ruleset import load_pack
from engine.run import validate_submission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "equity_rpt"
EXPECTED = json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))
BATCH = EXAMPLE / EXPECTED["batch"]


def findings(result) -> Counter:
    return Counter((s.rule_id, s.table, s.file, s.line, s.key) for r in result.rules for s in r.samples)


@pytest.fixture(scope="module")
def result():
    return validate_submission(BATCH, load_pack("equity_rpt"), sample_limit=100_000)


def test_reports_exactly_the_planted_findings(result):
    planted = Counter((f["rule"], f["table"], f["file"], f["line"], f["key"]) for f in EXPECTED["findings"])
    got = findings(result)
    assert sorted((got - planted).elements(), key=str) == [], "found but not planted"
    assert sorted((planted - got).elements(), key=str) == [], "planted but not found"
    assert all(r.failed == len(r.samples) for r in result.rules)
    assert len(planted) >= 50 and len({f["rule"] for f in EXPECTED["findings"]}) >= 45


def test_planted_values_show_the_evidence(result):
    by_place = {(s.rule_id, s.line, s.key): s.value for r in result.rules for s in r.samples}
    checked = [f for f in EXPECTED["findings"] if "value" in f]
    assert len(checked) >= 5
    for f in checked:
        assert by_place[(f["rule"], f["line"], f["key"])] == f["value"]


def test_the_business_rule_kinds_fail_somewhere(result):
    failed_kinds = {r.kind for r in result.rules if r.status == "failed"}
    assert {"aggregate", "graph", "deadline", "identifier", "reference", "expression", "range", "required"} <= failed_kinds


def test_cli_exits_1_and_writes_a_valid_report(tmp_path):
    rc = main(["validate", str(BATCH), "--pack", "equity_rpt", "--report-dir", str(tmp_path), "--format", "json",
               "--quiet"])
    assert rc == 1
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    jsonschema.validate(doc, json.loads((ROOT / "reports" / "result.schema.json").read_text("utf-8")))
    assert doc["pack"]["name"] == "equity-rpt"


def test_thresholds_are_parameters(result):
    """Lowering the all-parties limit to 40 % flags the quarter (41.7 %); raising the single limit to 11 %
    clears the 10.5 % party."""
    base = findings(result)
    stricter = findings(validate_submission(BATCH, load_pack("equity_rpt", parameters={"rp_total_limit_pct": 40}),
                                            sample_limit=100_000))
    added = stricter - base
    assert list(added) == [("GLJYJB.limit_total", "GLJYJB", f"{EXPECTED['batch'].split('-')[0]}-GLJYJB-20240630.csv", 2,
                            "B1287H232050001|20240630")]
    looser = findings(validate_submission(BATCH, load_pack("equity_rpt", parameters={"rp_single_limit_pct": 11}),
                                          sample_limit=100_000))
    assert [k[0] for k in (base - looser)] == ["GLJYJB.limit_single"] and not (looser - base)


def test_messages_cite_the_threshold_in_force():
    pack = load_pack("equity_rpt", parameters={"rp_group_limit_pct": 12})
    assert "12%" in pack.rule("GLJYJB.limit_group").message_zh


def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLE / "generate.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    shipped = sorted(p.name for p in BATCH.iterdir())
    assert sorted(p.name for p in (tmp_path / BATCH.name).iterdir()) == shipped
    for name in shipped:
        assert (tmp_path / BATCH.name / name).read_bytes() == (BATCH / name).read_bytes(), name
    assert (tmp_path / "expected_findings.json").read_bytes() == (EXAMPLE / "expected_findings.json").read_bytes()
