"""Drive the report's inline JavaScript (filters, paging) with node and a tiny fake DOM, if node exists."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.report.html import render_string

NODE = shutil.which("node")
HARNESS = Path(__file__).with_name("js_harness.js")
pytestmark = pytest.mark.skipif(NODE is None, reason="node not installed")


def _script(text: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1
    return scripts[0]


def _run(tmp_path, html: str, search: str) -> dict:
    rows = []
    for m in re.finditer(r'<tr data-t="([^"]*)" data-s="([^"]*)" data-st="([^"]*)">(.*?)</tr>\n', html):
        cells = re.findall(r'<td class="q">(.*?)</td>', m.group(4))
        rows.append({"t": m.group(1), "s": m.group(2), "st": m.group(3),
                     "q": [re.sub(r"<[^>]+>", " ", c) for c in cells]})
    (tmp_path / "s.js").write_text(_script(html), encoding="utf-8")
    (tmp_path / "rules.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([NODE, str(HARNESS), str(tmp_path / "s.js"), str(tmp_path / "rules.json"), search],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


def test_script_syntax(run_result, tmp_path):
    (tmp_path / "s.js").write_text(_script(render_string(run_result)), encoding="utf-8")
    subprocess.run([NODE, "--check", str(tmp_path / "s.js")], check=True, timeout=60)


def test_filters_on_small_report(run_result, tmp_path):
    out = _run(tmp_path, render_string(run_result), "khxm")
    assert out["initial"]["visible"] == 4  # default: failed + not run (4 of 5)
    assert out["initial"]["pagerHidden"] is True
    assert out["all"]["visible"] == 5
    assert out["table"]["visible"] == 3  # GRKHXXB
    assert out["severity"]["visible"] == 1  # info
    assert out["search"]["visible"] == 2  # KHXM field: JS0105, L-GRKH-07
    assert out["samples"]["visible"] == 20 and out["samplesLast"] == {"visible": 5, "first": 40}


def test_paging_on_big_report(big_result, tmp_path):
    result = big_result(450, 1)
    for i, r in enumerate(result.rules):
        r.status = ["failed", "passed", "not_run"][i % 3]
    out = _run(tmp_path, render_string(result), "r00007")
    assert out["initial"]["visible"] == 200 and out["initial"]["count"].startswith("300 / 450")
    assert out["all"]["visible"] == 200 and out["all"]["count"].startswith("450 / 450")
    assert out["page2"]["first"] == 200 and "2 / 3" in out["page2"]["label"]
    assert out["search"]["visible"] == 1
