"""jianhe history over the regulator example's three surveys: the planted trends, the rules planted
as fixed or new in the last period, the schema; unreadable reports listed, no report is exit 3."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.history.model import trend
from tests.survey.regulator_runs import inbox_runs, private_dir

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "engine" / "schemas" / "history.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    _, out, planted = inbox_runs(tmp_path_factory)
    target = private_dir("history")
    assert main(["history", str(out), "-o", str(target), "--quiet"]) == 0
    return json.loads((target / "history.json").read_text(encoding="utf-8")), planted, target


def test_trends_are_the_planted_ones(history):
    doc, planted, _ = history
    jsonschema.validate(doc, SCHEMA)
    planted_trend = {b["licence"]: b["trend"] for b in planted["batches"]}
    assert {i["licence"]: i["trend"] for i in doc["institutions"]} == planted_trend
    assert [p["period"] for p in doc["periods"]] == planted["periods"]


def test_findings_per_period_are_the_planted_counts(history):
    doc, planted, _ = history
    by = {(b["licence"], b["date"]): b for b in planted["batches"]}
    for inst in doc["institutions"]:
        for period in inst["periods"]:
            batch = by[(inst["licence"], period["period"])]
            assert period["findings"] == batch["findings"]
            assert {r["id"]: r["failed"] for r in period["rules"]} == batch["planted"]


def test_rules_fixed_and_new_in_the_last_period_are_the_planted_ones(history):
    doc, planted, _ = history
    last = planted["periods"][-1]
    for inst in doc["institutions"]:
        batch = next(b for b in planted["batches"] if b["licence"] == inst["licence"] and b["date"] == last)
        final = inst["periods"][-1]
        assert [r["id"] for r in final["fixed"]] == ([batch["fixed"]] if batch["fixed"] else []), inst["licence"]
        assert [r["id"] for r in final["new"]] == ([batch["new"]] if batch["new"] else []), inst["licence"]
        middle = inst["periods"][1]
        assert middle["new"] == [] and middle["fixed"] == []  # nothing planted changes between the first two
        assert {r["id"] for r in final["recurring"]} == set(batch["planted"]) - {batch["new"]}


def test_page_has_a_trend_line_per_institution(history):
    doc, _, target = history
    html = (target / "history.html").read_text(encoding="utf-8")
    assert html.count('class="series"') == len(doc["institutions"]) == 12
    assert "http://" not in html and "https://" not in html


def test_one_report_per_institution_and_period_the_latest_wins_and_bad_files_are_listed(history, tmp_path):
    _, planted, target = history
    out = Path(json.loads((target / "history.json").read_text(encoding="utf-8"))["sources"][0])
    some = next(out.rglob("report.json"))
    copy = tmp_path / "copy" / "report.json"
    copy.parent.mkdir()
    doc = json.loads(some.read_text(encoding="utf-8"))
    doc["started_at"] = "9999-01-01T00:00:00+00:00"
    doc["summary"]["findings_total"] = 123456
    copy.write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "report.json").write_text("{not json", encoding="utf-8")
    result = tmp_path / "result"
    assert main(["history", str(out), str(tmp_path / "copy"), str(tmp_path / "broken"), "-o", str(result),
                 "--quiet"]) == 0
    merged = json.loads((result / "history.json").read_text(encoding="utf-8"))
    counts = [p["findings"] for i in merged["institutions"] for p in i["periods"]]
    assert 123456 in counts and len(counts) == len(planted["batches"])
    assert [s["path"] for s in merged["skipped"]] == [str(tmp_path / "broken" / "report.json")]


def test_no_report_is_exit_3_and_a_bad_format_is_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["history", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 3
    assert main(["history", str(tmp_path / "empty"), "-o", str(tmp_path / "out"), "--format", "pdf"]) == 2


def test_trend_thresholds():
    assert trend([10.0]) == "single"
    assert trend([10.0, 7.9]) == "improving"
    assert trend([10.0, 8.0, 12.5]) == "steady"
    assert trend([10.0, 12.6]) == "worsening"
    assert trend([0.0, 0.1]) == "worsening"
