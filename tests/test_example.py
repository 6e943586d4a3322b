"""The shipped example: the engine reports exactly the planted findings, no more, no less."""
import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.ruleset import load_pack
from engine.run import validate_submission

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5"
BATCH = EXAMPLE / "B0001H111000001-20240630"


@pytest.fixture(scope="module")
def result():
    return validate_submission(BATCH, load_pack(ROOT / "rulesets" / "east5_core"), sample_limit=1000)


def planted():
    return json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))["findings"]


def test_reports_exactly_the_planted_findings(result):
    got = {(s.rule_id, s.table, s.file, s.line) for r in result.rules for s in r.samples}
    expected = {(f["rule"], f["table"], f["file"], f["line"]) for f in planted()}
    assert sorted(got - expected, key=str) == [], "found but not planted"
    assert sorted(expected - got, key=str) == [], "planted but not found"
    assert all(r.failed == len(r.samples) for r in result.rules)


def test_planted_values_are_shown_masked(result):
    by_place = {(s.rule_id, s.table, s.line): s.value for r in result.rules for s in r.samples}
    checked = [f for f in planted() if "value" in f]
    assert len(checked) >= 5
    for f in checked:
        assert by_place[(f["rule"], f["table"], f["line"])] == f["value"]


def test_every_rule_kind_fails_somewhere_in_the_example(result):
    failed_kinds = {r.kind for r in result.rules if r.status == "failed"}
    from engine.rules import REGISTRY
    assert set(REGISTRY) <= failed_kinds


def test_rows_read_equal_rows_checked_plus_rejected(result):
    for t in result.tables:
        assert t.rows_read == t.rows_checked + t.rows_rejected
    grxd = next(t for t in result.tables if t.code == "GRXDYWJJB")
    assert (grxd.rows_read, grxd.rows_rejected) == (37, 1)


def test_cli_exits_1_and_writes_valid_reports(tmp_path):
    rc = main(["validate", str(BATCH), "--report-dir", str(tmp_path), "--format", "html,json,junit",
               "--fail-on", "strong", "--quiet", "--pack", str(ROOT / "rulesets" / "east5_core")])
    assert rc == 1
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["verdict"] == "not_ready"
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert (tmp_path / "junit.xml").exists()


def test_fail_on_none_exits_0(tmp_path):
    assert main(["validate", str(BATCH), "--fail-on", "none", "--quiet"]) == 0


def test_failures_parquet_holds_every_failure(tmp_path, result):
    import duckdb
    out = tmp_path / "failures.parquet"
    assert main(["validate", str(BATCH), "--failures", str(out), "--quiet", "--fail-on", "none"]) == 0
    rows = duckdb.sql(f"SELECT rule_id, \"table\", file, line FROM read_parquet('{out}')").fetchall()
    assert len(rows) == sum(r.failed for r in result.rules) == len(planted())
