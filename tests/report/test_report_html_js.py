"""Drive the report's inline JavaScript (filters, paging, sorting, folded tables, samples) with node and a
small fake DOM built from the rendered page, if node exists. The browser test does the same in Chromium."""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.report.html import render_string
from engine.results import FileInfo, Finding, RuleResult, TableResult

NODE = shutil.which("node")
HARNESS = Path(__file__).with_name("js_harness.js")
pytestmark = pytest.mark.skipif(NODE is None, reason="node not installed")
VOID = {"meta", "input", "br", "img", "link", "hr", "wbr", "rect", "col", "source"}


class _Tree(HTMLParser):
    """The page as nested [tag, attrs, children] lists (script and style contents left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ["document", {}, []]
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = [tag, {k: ("" if v is None else v) for k, v in attrs}, []]
        self.stack[-1][2].append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1][2].append([tag, {k: ("" if v is None else v) for k, v in attrs}, []])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while len(self.stack) > 1:
            node = self.stack.pop()
            if node[0] == tag:
                break

    def handle_data(self, data):
        if self.stack[-1][0] not in ("script", "style"):
            self.stack[-1][2].append(data)


def _script(text: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1
    return scripts[0]


def _run(tmp_path, html: str, actions: list) -> list[dict]:
    tree = _Tree()
    tree.feed(html)
    (tmp_path / "s.js").write_text(_script(html), encoding="utf-8")
    (tmp_path / "tree.json").write_text(json.dumps(tree.root, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "actions.json").write_text(json.dumps(actions, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([NODE, str(HARNESS), str(tmp_path / "s.js"), str(tmp_path / "tree.json"),
                           str(tmp_path / "actions.json")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _rules(shot: dict) -> list[str]:
    return [r for r in shot["rows"] if not r.startswith(("group:", "samples:"))]


def test_script_syntax(run_result, tmp_path):
    (tmp_path / "s.js").write_text(_script(render_string(run_result)), encoding="utf-8")
    subprocess.run([NODE, "--check", str(tmp_path / "s.js")], check=True, timeout=60)


def test_filters_and_triage_order_on_small_report(run_result, tmp_path):
    out = _run(tmp_path, render_string(run_result), [
        ["snap", "initial"], ["set", "fst", "all"], ["snap", "all"], ["set", "ft", "GRKHXXB"], ["snap", "table"],
        ["set", "ft", ""], ["set", "fs", "info"], ["snap", "severity"], ["set", "fs", ""],
        ["set", "fc", "一致性"], ["snap", "category"], ["set", "fc", ""],
        ["set", "fq", "khxm"], ["wait", 300], ["snap", "search"]])
    shots = {s["label"]: s for s in out}
    # failed strong, weak, info, then not run (the default shows failed + not run), then passed
    assert shots["initial"]["rows"] == ["JS0105", "JS0012", "L-GRKH-07", "JS0230"]
    assert shots["initial"]["count"].startswith("4 / 5") and shots["initial"]["pagerHidden"] is True
    assert shots["all"]["rows"] == ["JS0105", "JS0012", "L-GRKH-07", "JS0230", "JS0001"]
    assert shots["table"]["rows"] == ["JS0105", "L-GRKH-07", "JS0230"]
    assert shots["severity"]["rows"] == ["L-GRKH-07"]
    assert shots["category"]["rows"] == ["L-GRKH-07", "JS0230"]
    assert shots["search"]["rows"] == ["JS0105", "L-GRKH-07"]  # KHXM field


def test_sorting_numbers_as_numbers_and_back_to_triage(run_result, tmp_path):
    rule = next(r for r in run_result.rules if r.id == "JS0012")
    rule.failed, rule.checked, rule.rate = 10, 3000, 10 / 3000  # 10 sorts after 2 as a number, before it as text
    out = _run(tmp_path, render_string(run_result), [
        ["set", "fst", "all"], ["sort", 7], ["snap", "failed asc"], ["sort", 7], ["snap", "failed desc"],
        ["sort", 0], ["snap", "id asc"], ["sort", 8], ["snap", "rate asc"], ["sort", 4], ["snap", "severity"],
        ["order"], ["snap", "triage"],
        ["sortSmall", "tt", 0, "tables asc"], ["sortSmall", "tt", 0, "tables desc"]])
    shots = {s["label"]: s for s in out}
    # passed JS0001 has 0 failures; not-run JS0230 has none at all and sorts last either way
    assert shots["failed asc"]["rows"] == ["JS0001", "L-GRKH-07", "JS0105", "JS0012", "JS0230"]
    assert shots["failed asc"]["sort"][7] == "ascending" and shots["failed asc"]["order"] == "sorted"
    assert shots["failed desc"]["rows"] == ["JS0012", "JS0105", "L-GRKH-07", "JS0001", "JS0230"]
    assert shots["failed desc"]["sort"][7] == "descending" and shots["failed desc"]["sort"][0] == "none"
    assert shots["id asc"]["rows"] == ["JS0001", "JS0012", "JS0105", "JS0230", "L-GRKH-07"]
    # rates 0, 0.001, 0.002, 0.0033; not run last
    assert shots["rate asc"]["rows"] == ["JS0001", "L-GRKH-07", "JS0105", "JS0012", "JS0230"]
    assert shots["severity"]["rows"][:3] == ["JS0105", "JS0230", "JS0001"]  # strong first, triage order within
    assert shots["triage"]["rows"] == ["JS0105", "JS0012", "L-GRKH-07", "JS0230", "JS0001"]
    assert shots["triage"]["order"] == "triage" and set(shots["triage"]["sort"]) == {"none"}
    assert shots["tables asc"]["first"] == ["GRKHXXB", "JGXXB"] and shots["tables desc"]["first"] == ["JGXXB", "GRKHXXB"]


def _with_absent_table(result):
    """A table not in the submission: 3 rules not run, one file check passed on no data, one failure."""
    result.tables.append(TableResult(code="ZCHXB", name="资产核销表", kind="明细类", present=False))
    for i, status in enumerate(["not_run", "not_run", "not_run", "passed", "failed"]):
        rid = "FILE.NOT_SUBMITTED" if status == "failed" else (f"ZCHXB.F{i}.required" if status == "not_run"
                                                              else "FILE.BOM")
        result.rules.append(RuleResult(
            id=rid, table="ZCHXB", table_name="资产核销表", kind="file" if rid.startswith("FILE") else "required",
            category="为空", severity="strong", message_zh="消息", message_en="message", status=status,
            failed=1 if status == "failed" else 0,
            note="table not in the submission" if status == "not_run" else None,
            samples=[Finding(rid, "ZCHXB", None, None, None, "ZCHXB 资产核销表")] if status == "failed" else []))
    return result


def test_tables_not_submitted_fold_behind_one_line(run_result, tmp_path):
    out = _run(tmp_path, render_string(_with_absent_table(run_result)), [
        ["snap", "initial"], ["group", "ZCHXB"], ["snap", "opened"], ["group", "ZCHXB"], ["snap", "closed"],
        ["set", "fst", "all"], ["snap", "all"], ["set", "ft", "ZCHXB"], ["snap", "table"],
        ["set", "ft", ""], ["set", "fq", "zchxb.f2"], ["wait", 300], ["snap", "search"],
        ["set", "fq", ""], ["wait", 300], ["link", "data-table", "ZCHXB"], ["snap", "link"]])
    shots = {s["label"]: s for s in out}
    folded = ["ZCHXB.F0.required", "ZCHXB.F1.required", "ZCHXB.F2.required"]
    # the failure of the absent table stays with the failures; the rest is one line after the rules not run
    assert shots["initial"]["rows"] == ["JS0105", "FILE.NOT_SUBMITTED", "JS0012", "L-GRKH-07", "JS0230", "group:ZCHXB"]
    assert shots["initial"]["count"].startswith("8 / 10")  # the folded rules count as shown by the filter
    assert shots["opened"]["rows"] == shots["initial"]["rows"] + folded
    assert shots["closed"]["rows"] == shots["initial"]["rows"]
    assert shots["all"]["rows"] == shots["initial"]["rows"] + ["JS0001"]  # FILE.BOM stays folded
    # narrowing to the table (or a search reaching into it) opens the line
    assert shots["table"]["rows"] == ["FILE.NOT_SUBMITTED", "group:ZCHXB", *folded, "FILE.BOM"]
    assert shots["search"]["rows"] == ["group:ZCHXB", "ZCHXB.F2.required"]
    assert shots["link"]["rows"] == shots["table"]["rows"]


def test_samples_open_under_the_rule_and_page(run_result, tmp_path):
    rule = next(r for r in run_result.rules if r.id == "JS0105")
    rule.samples = [Finding(rule.id, rule.table, "GRKHXXB.txt", i, f"K{i}", f"v{i}") for i in range(1, 46)]
    out = _run(tmp_path, render_string(run_result), [
        ["snap", "closed"], ["samples", "JS0105"], ["snap", "open"], ["snapSamples", "JS0105", "first"],
        ["samplePage", "JS0105", 3], ["snapSamples", "JS0105", "last"],
        ["samplePage", "JS0105", 1], ["snapSamples", "JS0105", "previous"],
        ["set", "fs", "weak"], ["set", "fs", ""], ["snap", "after filter"],
        ["samples", "JS0105"], ["snap", "closed again"]])
    shots = {s["label"]: s for s in out}
    assert "samples:JS0105" not in shots["closed"]["rows"]
    assert shots["open"]["rows"][:2] == ["JS0105", "samples:JS0105"]
    assert shots["first"]["samples"] == [str(i) for i in range(1, 21)]
    assert shots["last"]["samples"] == [str(i) for i in range(41, 46)]
    assert shots["previous"]["samples"] == [str(i) for i in range(21, 41)]
    assert shots["after filter"]["rows"][:2] == ["JS0105", "samples:JS0105"]  # stays open through filtering
    assert "samples:JS0105" not in shots["closed again"]["rows"]


@pytest.mark.slow
def test_paging_on_big_report(big_result, tmp_path):
    result = big_result(450, 1)
    for i, r in enumerate(result.rules):
        r.status = ["failed", "passed", "not_run"][i % 3]
    out = _run(tmp_path, render_string(result), [
        ["snap", "initial"], ["set", "fst", "all"], ["snap", "all"], ["page", 2], ["snap", "page2"],
        ["set", "fq", "r00007"], ["wait", 300], ["snap", "search"]])
    shots = {s["label"]: s for s in out}
    assert len(shots["initial"]["rows"]) == 200 and shots["initial"]["count"].startswith("300 / 450")
    assert len(shots["all"]["rows"]) == 200 and shots["all"]["count"].startswith("450 / 450")
    assert "2 / 3" in shots["page2"]["pager"] and len(shots["page2"]["rows"]) == 200
    assert not set(shots["page2"]["rows"]) & set(shots["all"]["rows"])
    assert shots["search"]["rows"] == ["R00007"]


def test_tables_section_rows_are_sortable_by_pass_rate(run_result, tmp_path):
    run_result.tables.append(TableResult(code="XDHTB", name="信贷合同表", kind="状态类", present=True,
                                         files=[FileInfo("XDHTB.txt", 10, 1, 0)], rows_read=1, rows_checked=1))
    run_result.rules.append(RuleResult(id="X1", table="XDHTB", table_name="信贷合同表", kind="required", category="为空",
                                       severity="weak", message_zh="m", message_en="m", status="passed", checked=1))
    out = _run(tmp_path, render_string(run_result), [
        ["sortSmall", "tt", 9, "rate asc"], ["sortSmall", "tt", 9, "rate desc"]])
    # pass rates: GRKHXXB 0 % (0 of 2 run), JGXXB 50 %, XDHTB 100 %
    assert out[0]["first"] == ["GRKHXXB", "JGXXB", "XDHTB"] and out[1]["first"] == ["XDHTB", "JGXXB", "GRKHXXB"]
