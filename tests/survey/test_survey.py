"""jianhe survey on the shipped regulator example (12 institutions × 3 periods, planted profiles) and
on small hostile folders: the ranking is the planted one, every planted record is counted under its
rule, each batch has its own reports, a bad batch is listed while the rest are checked."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from engine.cli import main
from engine.survey import model, render_html, render_xlsx
from engine.survey.run import plan_workers
from examples.east5 import generate as east5
from examples.regulator.generate import PERIODS
from tests.survey.regulator_runs import inbox_runs

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "engine" / "schemas" / "survey.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return inbox_runs(tmp_path_factory)


def _summary(out: Path, period: str) -> dict:
    return json.loads((out / period / "survey.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("period", PERIODS)
def test_ranking_is_the_planted_one(runs, period):
    _, out, planted = runs
    summary = _summary(out, period)
    batches = [b for b in planted["batches"] if b["date"] == period]
    expected = [f"{b['licence']}-{period}" for b in
                sorted(batches, key=lambda b: (-b["findings"] / b["rows"], b["licence"]))]
    assert summary["ranking"] == expected
    assert len(set(b["findings"] for b in batches)) == len(batches)  # no ties: the order is the planted one


@pytest.mark.parametrize("period", PERIODS)
def test_every_planted_record_is_counted_under_its_rule(runs, period):
    _, out, planted = runs
    summary = _summary(out, period)
    by_label = {i["label"]: i for i in summary["institutions"]}
    for batch in (b for b in planted["batches"] if b["date"] == period):
        label = f"{batch['licence']}-{period}"
        inst = by_label[label]
        assert inst["findings"] == batch["findings"], label
        assert inst["rows"] == batch["rows"], label
        assert inst["verdict"] == ("not_ready" if batch["findings"] else "ready")
        found = {(r["id"]): i["failed"] for r in summary["rules"] for i in r["institutions"] if i["label"] == label}
        assert found == batch["planted"], label
        categories = {c["category"]: c for c in inst["categories"]}
        assert sum(c["failed"] for c in categories.values()) == batch["findings"]


def test_summary_json_follows_its_schema_and_rules_list_their_institutions(runs):
    _, out, _ = runs
    summary = _summary(out, "20240630")
    jsonschema.validate(summary, SCHEMA)
    assert summary["totals"] == {"batches": 12, "ready": 0, "not_ready": 12, "unreadable": 0,
                                 "rows": sum(i["rows"] for i in summary["institutions"]),
                                 "findings": sum(i["findings"] for i in summary["institutions"])}
    codelist = next(r for r in summary["rules"] if r["id"] == "GRXDYWJJB.XDYWZL.codelist")
    rates = [i["rate"] for i in codelist["institutions"]]
    assert rates == sorted(rates, reverse=True) and codelist["institutions_failing"] == len(rates) >= 3


def test_each_batch_has_its_own_report_verdict_and_manifest(runs):
    _, out, planted = runs
    for batch in (b for b in planted["batches"] if b["date"] == "20240531"):
        folder = out / "20240531" / "batches" / f"{batch['licence']}-20240531"
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert report["summary"]["findings_total"] == batch["findings"]
        assert (folder / "manifest.json").is_file() and (folder / "report.html").is_file()


def test_workbook_has_the_four_sheets(runs):
    _, out, _ = runs
    wb = load_workbook(out / "20240630" / "survey.xlsx", read_only=True)
    assert wb.sheetnames == ["排名", "检核类型", "表", "规则"]
    ranking = list(wb["排名"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in ranking] == list(range(1, 13))


# ---------------------------------------------------------------- small folders

def _batch(folder: Path, licence: str, date: str = east5.CJRQ, loans: int = 30) -> Path:
    """A clean east5 batch of ``loans`` loans under the given licence's file names."""
    east5.write_scaled_batch(loans, folder)
    for path in folder.iterdir():
        path.rename(folder / path.name.replace(east5.LICENCE, licence).replace(east5.CJRQ, date))
    return folder


def test_unreadable_batch_is_listed_and_the_others_are_checked(tmp_path):
    inbox = tmp_path / "inbox"
    _batch(inbox / f"B0201H110000001-{east5.CJRQ}", "B0201H110000001")
    (inbox / f"B0202H110000001-{east5.CJRQ}").mkdir()  # nothing in it
    (inbox / "readme.txt").write_text("not a data file\n", encoding="utf-8")
    rc = main(["survey", str(inbox), "-o", str(tmp_path / "out"), "--quiet", "--jobs", "1"])
    summary = json.loads((tmp_path / "out" / "survey.json").read_text(encoding="utf-8"))
    assert rc == 1
    assert summary["ranking"] == [f"B0201H110000001-{east5.CJRQ}"]
    bad = [i for i in summary["institutions"] if i["verdict"] == "unreadable"]
    assert [i["label"] for i in bad] == [f"B0202H110000001-{east5.CJRQ}"] and "no .txt" in bad[0]["error"]
    assert summary["ignored"][0]["name"] == "readme.txt"
    jsonschema.validate(summary, SCHEMA)


def test_loose_files_are_grouped_by_licence_and_date(tmp_path):
    staging = tmp_path / "staging"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for licence in ("B0301H110000001", "B0302H110000001"):
        for path in _batch(staging / licence, licence).iterdir():
            path.rename(inbox / path.name)
    rc = main(["survey", str(inbox), "-o", str(tmp_path / "out"), "--quiet", "--jobs", "2"])
    summary = json.loads((tmp_path / "out" / "survey.json").read_text(encoding="utf-8"))
    assert rc == 0
    assert sorted(summary["ranking"]) == [f"B0301H110000001-{east5.CJRQ}", f"B0302H110000001-{east5.CJRQ}"]
    assert all(i["rows"] == 30 * 3 + 29 for i in summary["institutions"])
    assert (tmp_path / "out" / "batches" / f"B0302H110000001-{east5.CJRQ}" / "report.json").is_file()
    assert not list(inbox.glob("*.json"))  # nothing written into the inbox


@pytest.mark.parametrize("argv, code", [
    (["--sample-rows", "10", "--sample-fraction", "0.1"], 2),
    (["--sample-fraction", "1.5"], 2),
    (["--memory-limit", "lots"], 2),
    (["--jobs", "0"], 2),
    (["--format", "pdf"], 2),
])
def test_usage_errors(tmp_path, argv, code):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert main(["survey", str(inbox), "-o", str(tmp_path / "out"), *argv]) == code


def test_report_folder_inside_the_inbox_is_refused_and_an_empty_inbox_is_exit_3(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert main(["survey", str(inbox), "-o", str(inbox / "out")]) == 2
    assert main(["survey", str(inbox), "-o", str(tmp_path / "out")]) == 3


def test_memory_limit_is_split_across_workers():
    assert plan_workers(12, 4, "4GB") == (4, f"{4 * 1000 ** 3 // 4 // 1024 ** 2}MiB")
    assert plan_workers(12, 4, "512MiB") == (2, "256MiB")  # never below 256 MiB a worker
    assert plan_workers(1, 8, None) == (1, None)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this platform")
def test_default_workers_follow_the_cores_this_process_may_use():
    """A container's cpuset, not the host's core count, sizes the pool: this process is held to one
    core for the call."""
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert plan_workers(12, None, None) == (1, None)
    finally:
        os.sched_setaffinity(0, allowed)
    assert plan_workers(12, None, None)[0] == min(len(allowed), 12)


def _crafted_summary() -> dict:
    """A summary whose texts are hostile: markup and spreadsheet formulas."""
    inst = {"label": "=HYPERLINK(\"x\")-20240630", "licence": "=HYPERLINK(\"x\")", "date": "20240630", "source": "s",
            "rank": 1, "verdict": "not_ready", "error": None, "exit_code": 1, "report_dir": None, "duration_s": 0.1,
            "rows": 10, "findings": 1, "findings_strong": 1, "findings_per_10k": 1000.0, "rules_failed": 1,
            "error_rate": 0.1, "categories": [{"category": "为空", "category_full": "1缺失类-为空校验", "checked": 10,
                                               "failed": 1, "rate": 0.1, "rules": 1, "rules_failed": 1}],
            "tables": [], "sampling": None}
    rule = {"id": "R1", "table": "T", "table_name": "表", "category": "为空", "severity": "strong",
            "message_zh": "<script>alert(1)</script>", "message_en": "m", "institutions_failing": 1, "failed_total": 1,
            "worst_rate": 0.1, "institutions": [{"label": inst["label"], "licence": inst["licence"], "date": "20240630",
                                                 "failed": 1, "checked": 10, "rate": 0.1}]}
    return {"schema_version": "1.0", "kind": model.KIND, "folder": "f", "pack": {"name": "p", "version": "1"},
            "options": {"fail_on": "strong", "batch_formats": ["json"], "workers": 1}, "started_at": "t",
            "duration_s": 0.1, "totals": {"batches": 1, "ready": 0, "not_ready": 1, "unreadable": 0, "rows": 10,
                                          "findings": 1},
            "ranking": [inst["label"]], "institutions": [inst], "rules": [rule], "ignored": []}


def test_page_escapes_markup_and_workbook_keeps_formulas_as_text(tmp_path):
    summary = _crafted_summary()
    jsonschema.validate(summary, SCHEMA)
    html = render_html.render(summary, tmp_path).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    wb = load_workbook(render_xlsx.render(summary, tmp_path))
    cell = wb["排名"]["B2"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s" and cell.quotePrefix


def test_spot_check_survey_says_what_was_sampled(tmp_path):
    inbox = tmp_path / "inbox"
    folder = _batch(inbox / f"B0401H110000001-{east5.CJRQ}", "B0401H110000001", loans=300)
    path = folder / f"B0401H110000001-GRXDYWJJB-{east5.CJRQ}.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = east5.fields_of("GRXDYWJJB")
    for row in range(0, 300, 3):  # a third of the loans fail the code list: some are in any sample of 40
        values = lines[row].split(east5.SEP)
        values[fields.index("XDYWZL")] = "网贷"
        lines[row] = east5.SEP.join(values)
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["survey", str(inbox), "-o", str(out), "--sample-rows", "40", "--seed", "3", "--quiet", "--jobs", "1"]) == 1
    summary = json.loads((out / "survey.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, SCHEMA)
    inst = summary["institutions"][0]
    assert inst["sampling"]["tables"]["GRXDYWJJB"] == {"population": 300, "sample": 40}
    assert inst["sampling"]["rules_sampled"] > 0 and inst["sampling"]["rules_whole"] > 0
    rule = next(r for r in summary["rules"] if r["id"] == "GRXDYWJJB.XDYWZL.codelist")
    entry = rule["institutions"][0]
    assert entry["checked"] == 40 and 0 < entry["failed"] < 40
    assert entry["sampled"]["interval"]["low"] < 1 / 3 < entry["sampled"]["interval"]["high"]
    assert "95% CI" in (out / "survey.html").read_text(encoding="utf-8")
    report = json.loads((out / "batches" / f"B0401H110000001-{east5.CJRQ}" / "report.json").read_text(encoding="utf-8"))
    assert report["options"]["sampling"]["seed"] == 3


def test_folders_of_batch_folders_are_searched(tmp_path):
    from engine.survey.discover import discover
    for period in ("20240531", "20240630"):
        for licence in ("B0501H110000001", "B0502H110000001"):
            (tmp_path / period / f"{licence}-{period}").mkdir(parents=True)
            (tmp_path / period / f"{licence}-{period}" / f"{licence}-JGXXB-{period}.txt").write_text("x\n")
    (tmp_path / "20240630" / "stray.csv").write_text("a\n")  # a data file: this folder is a batch, not a group
    found = discover(tmp_path)
    assert [b.label for b in found.batches] == ["20240630", "B0501H110000001-20240531", "B0502H110000001-20240531"]
    (tmp_path / "20240630" / "stray.csv").unlink()
    assert [b.label for b in discover(tmp_path).batches] == [
        "B0501H110000001-20240531", "B0501H110000001-20240630", "B0502H110000001-20240531", "B0502H110000001-20240630"]
