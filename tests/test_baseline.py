"""Baseline (ratchet) mode: fail only on rules newly failing or grown since a previous JSON report."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from engine.baseline import Tolerance
from engine.cli import main
from engine.errors import UsageError
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
RULES = """\
rules:
  - {id: R1, table: DEMO, kind: required, field: MC}
  - {id: R2, table: DEMO, kind: required, field: LX}
  - {id: R3, table: DEMO, kind: required, field: JE, severity: weak}
"""


def _row(i: str, mc: str = "名", lx: str = "甲类", je: str = "1") -> dict:
    return {"ID": i, "MC": mc, "LX": lx, "JE": je}


@pytest.fixture
def demo(tmp_path):
    write_spec(tmp_path, keys={"DEMO": ["ID"]})
    return tmp_path, write_pack(tmp_path, RULES)


def _validate(tmp_path: Path, pack_dir: Path, name: str, rows: list[dict], *extra: str) -> tuple[int, dict]:
    batch = tmp_path / name
    write_east(batch, "DEMO", DEMO_FIELDS, rows)
    out = tmp_path / f"out-{name}"
    rc = main(["validate", str(batch), "--pack", str(pack_dir), "--report-dir", str(out), "--format", "json,html",
               "--quiet", *extra])
    return rc, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _marks(doc: dict) -> dict:
    return {r["id"]: r["baseline"] and r["baseline"]["status"] for r in doc["rules"] if r["id"].startswith("R")}


def test_same_failures_as_the_baseline_pass(demo):
    tmp_path, pack_dir = demo
    rows = [_row("A1", mc=""), _row("A2", lx=""), _row("A3")]
    rc, base = _validate(tmp_path, pack_dir, "base", rows)
    assert rc == 1 and base["verdict"] == "not_ready"
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", str(tmp_path / "out-base" / "report.json"))
    assert rc == 0 and doc["verdict"] == "ready"
    assert _marks(doc) == {"R1": "unchanged", "R2": "unchanged", "R3": None}
    assert doc["baseline"]["counts"] == {"new": 0, "grown": 0, "unchanged": 2, "fixed": 0}
    assert doc["summary"]["rules_failed"] == 2  # the failures are still reported
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_new_grown_and_fixed(demo):
    tmp_path, pack_dir = demo
    _validate(tmp_path, pack_dir, "base", [_row("A1", mc=""), _row("A2", mc=""), _row("A3", lx="")])
    base = str(tmp_path / "out-base" / "report.json")
    # R1: A1, A2 → A1, A2, A3 (one new record: grown); R2: fixed; R3 (weak): newly failing
    rows = [_row("A1", mc=""), _row("A2", mc=""), _row("A3", mc="", je="")]
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", base)
    assert rc == 1
    assert _marks(doc) == {"R1": "grown", "R2": "fixed", "R3": "new"}
    r1 = next(r for r in doc["rules"] if r["id"] == "R1")
    assert r1["baseline"] == {"status": "grown", "failed": 2, "new": 1}
    assert len(doc["verdict_reasons"]) == 1 and "DEMO/R1" in doc["verdict_reasons"][0]  # R3 is weak: no gate
    html = (tmp_path / "out-now" / "report.html").read_text(encoding="utf-8")
    assert 'data-b="grown"' in html and 'data-b="fixed"' in html and 'id="fb"' in html
    # within the tolerance: absolute, or a share of the baseline's failures (rounded down)
    assert _validate(tmp_path, pack_dir, "now", rows, "--baseline", base, "--baseline-tolerance", "1")[0] == 0
    assert _validate(tmp_path, pack_dir, "now", rows, "--baseline", base, "--baseline-tolerance", "50%")[0] == 0
    assert _validate(tmp_path, pack_dir, "now", rows, "--baseline", base, "--baseline-tolerance", "49%")[0] == 1
    # the weak rule gates once --fail-on reaches it, whatever the tolerance (a new rule is never tolerated)
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", base, "--baseline-tolerance", "5",
                        "--fail-on", "weak")
    assert rc == 1 and "DEMO/R3" in doc["verdict_reasons"][0]


def test_records_are_compared_by_key_not_only_by_count(demo):
    tmp_path, pack_dir = demo
    _validate(tmp_path, pack_dir, "base", [_row("A1", mc=""), _row("A2", mc=""), _row("A3")])
    base = str(tmp_path / "out-base" / "report.json")
    rows = [_row("A1"), _row("A2", mc=""), _row("A3", mc="")]  # same count, A3 is a new failing record
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", base)
    assert rc == 1 and _marks(doc)["R1"] == "grown"
    # when the samples do not hold every failure, the count decides
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", base, "--sample-limit", "1")
    assert rc == 0 and _marks(doc)["R1"] == "unchanged"
    assert next(r for r in doc["rules"] if r["id"] == "R1")["baseline"]["new"] == 0


def test_expired_waiver_still_fails_in_baseline_mode(demo):
    tmp_path, pack_dir = demo
    rows = [_row("A1", mc="")]
    _validate(tmp_path, pack_dir, "base", rows)
    waivers = tmp_path / "w.yaml"
    waivers.write_text(f"waivers:\n  - {{rule: R2, reason: r, approver: a, "
                       f"expiry: {(date.today() - timedelta(days=3)).isoformat()}}}\n", encoding="utf-8")
    rc, doc = _validate(tmp_path, pack_dir, "now", rows, "--baseline", str(tmp_path / "out-base" / "report.json"),
                        "--waivers", str(waivers))
    assert rc == 1 and _marks(doc)["R1"] == "unchanged"
    assert [r[:14] for r in doc["verdict_reasons"]] == ["waiver expired"]


@pytest.mark.slow
def test_example_against_its_own_report_is_green_and_console_marks_rules(tmp_path, capsys):
    common = [str(EXAMPLE), "--previous-date", "20240531", "--format", "json"]
    assert main(["validate", *common, "--report-dir", str(tmp_path / "a"), "--quiet"]) == 1
    capsys.readouterr()
    rc = main(["validate", *common, "--report-dir", str(tmp_path / "b"),
               "--baseline", str(tmp_path / "a" / "report.json")])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert f"未变 unchanged {doc['baseline']['counts']['unchanged']}, 已修复 fixed 0" in out
    assert "[未变 unchanged]" in out
    assert doc["baseline"]["counts"]["unchanged"] == doc["summary"]["rules_failed"] > 0
    assert doc["options"]["baseline"].endswith("report.json")


@pytest.mark.parametrize("content, words", [
    ("not json", "not a JSON report"),
    ('{"verdict": "ready"}', "'rules' is a required property"),
    ('{"rules": [{"id": "1", "table": "T", "status": "failed", "failed": -1}]}', "rules/0/failed"),
])
def test_malformed_baseline_is_a_usage_error(demo, capsys, content, words):
    tmp_path, pack_dir = demo
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    write_east(tmp_path / "b", "DEMO", DEMO_FIELDS, [_row("A1")])
    rc = main(["validate", str(tmp_path / "b"), "--pack", str(pack_dir), "--baseline", str(path), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and str(path) in err and words in err, err


def test_tolerance_parsing():
    assert Tolerance.parse("5").allowed(100) == 5
    assert Tolerance.parse("10%").allowed(25) == 2
    assert str(Tolerance.parse("2.5%")) == "2.5%" and str(Tolerance.parse(None)) == "0"
    for bad in ("-1", "1.5", "x%", "5 %%"):
        with pytest.raises(UsageError):
            Tolerance.parse(bad)
    assert main(["validate", str(EXAMPLE), "--baseline-tolerance", "3"]) == 2
