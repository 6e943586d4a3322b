"""The whole failing record in the HTML report, used in headless Chromium (as
tests/report/test_report_browser.py): the full east5 pack on the shipped example stays under 5 MB,
a sample's record button opens every field of its line in a side panel that never widens the
page, the failing field highlighted and personal data masked; a result without records (Spark)
offers no button. Screenshots go to $JIANHE_TEST_ARTIFACTS (default: pytest's temporary folder)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.report.html import render_string
from engine.ruleset import load_pack
from tests.browser import artifacts_folder, chromium

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def full_pack_report(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("records-report")
    rc = main(["validate", str(EXAMPLE), "--pack", "east5", "--previous-date", "20240531", "--format", "html,json",
               "--report-dir", str(out), "--quiet"])
    assert rc == 1
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


def _masked_place(doc: dict) -> tuple[str, str, str, str]:
    """(table, "file:line", field, masked value) of a record holding a masked personal field."""
    catalog = load_pack("east5").catalog
    for table, block in doc["records"].items():
        pii = [f.code for f in catalog.tables[table].fields if f.pii]
        for place, record in block["records"].items():
            for code in pii:
                if record.get(code) and "*" in record[code]:
                    return table, place, code, record[code]
    raise AssertionError("no record with a masked field")


def _raw(place: str, table: str, field: str) -> str:
    """The field's value as the file holds it."""
    file, _, line = place.rpartition(":")
    text = (EXAMPLE / file).read_text(encoding="utf-8").split("\n")[int(line) - 1]
    codes = [f.code for f in load_pack("east5").catalog.tables[table].fields]
    return text.split("\x01")[codes.index(field)]


def test_full_pack_report_with_records_stays_light(full_pack_report):
    path, doc = full_pack_report
    size = path.stat().st_size
    print(f"\nfull-pack report with {sum(len(b['records']) for b in doc['records'].values())} records: "
          f"{size / 1e6:.2f} MB")
    assert size < MAX_BYTES
    html = path.read_text(encoding="utf-8")
    assert html.count('class="rv"') >= len(doc["records"]) > 0
    table, place, field, masked = _masked_place(doc)
    assert _raw(place, table, field) not in html and masked != _raw(place, table, field)


def test_no_records_no_button(full_pack_report):
    """A result without records (the Spark backend gives none) offers no record button nor panel."""
    from engine.results import RunResult
    path, doc = full_pack_report
    html = render_string(RunResult(submission="x", pack={}, engine={}, options={}, started_at="", duration_s=0,
                                   fail_on="strong"))
    assert 'class="rv"' not in html and 'id="rec"' not in html


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with chromium(tmp_path_factory, 1400) as context:  # skips this test alone without Chromium
        yield context.new_page()


def test_a_record_opens_in_a_panel_that_never_widens_the_page(page, full_pack_report, tmp_path_factory):
    path, doc = full_pack_report
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri(), wait_until="load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1400
    rule = page.locator("#rb > tr[data-st]:visible", has=page.locator("button.sb")).first
    rule.locator("button.sb").click()
    button = page.locator("#rb > tr.sx:visible button.rv").first
    button.click()
    panel = page.locator("#rec")
    assert panel.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") == width
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1400
    smp = button.locator("xpath=ancestor::table[1]")
    cells = button.locator("xpath=ancestor::tr[1]/td")
    table, place = smp.get_attribute("data-t"), f"{cells.nth(0).inner_text()}:{cells.nth(1).inner_text()}"
    record = doc["records"][table]["records"][place]
    codes = page.eval_on_selector_all("#recb > tr", "rows => rows.map(r => r.cells[0].textContent)")
    assert codes == list(doc["records"][table]["fields"])  # the spec's order
    values = page.eval_on_selector_all("#recb > tr", "rows => rows.map(r => r.cells[2].textContent)")
    assert values == [record[c] if record[c] != "" else "(空 empty)" for c in codes]
    failing = smp.get_attribute("data-f")
    if failing:
        assert page.locator("#recb > tr.hit > td").first.inner_text() == failing
    assert place in page.locator("#rech").inner_text() and len(record) > 3
    shot = artifacts_folder(tmp_path_factory) / "report-record-panel.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 10_000

    # a record with a masked personal field shows the masked value, never the file's
    masked_table, masked_place, field, masked = _masked_place(doc)
    page.evaluate("""([t, r]) => Array.from(document.querySelectorAll(`table.smp[data-t='${t}'] button.rv`))
        .find(b => { const c = b.closest('tr').cells; return c[0].textContent + ':' + c[1].textContent === r; }).click()""",
                  [masked_table, masked_place])
    row = page.locator("#recb > tr", has=page.locator(f"td:text-is('{field}')"))
    assert row.locator("td").nth(2).inner_text() == masked
    assert _raw(masked_place, masked_table, field) not in page.locator("#rec").inner_text()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") == width
    assert errors == []


def test_the_page_embeds_records_up_to_its_budget():
    """Records beyond the byte budget stay in report.json only: their samples get no button."""
    from engine.report.html import _record_data
    from engine.results import Finding, RuleResult, RunResult
    rule = RuleResult("R1", "T", "表", "required", "为空", "strong", "必填", "required", field="A", status="failed",
                      failed=3, samples=[Finding("R1", "T", "f.txt", i, None, "") for i in (1, 2, 3)])
    records = {"fields": {"A": "甲", "B": "乙"}, "records": {f"f.txt:{i}": {"A": "", "B": "x" * 40} for i in (1, 2, 3)}}
    result = RunResult(submission="x", pack={}, engine={}, options={}, started_at="", duration_s=0, fail_on="strong",
                       rules=[rule], records={"T": records})
    assert list(_record_data(result)["T"]["records"]) == ["f.txt:1", "f.txt:2", "f.txt:3"]
    assert _record_data(result)["T"]["fields"] == [["A", "甲"], ["B", "乙"]]
    assert list(_record_data(result, budget=120)["T"]["records"]) == ["f.txt:1"]
    html = render_string(result)
    assert html.count('class="rv"') == 3
    assert _record_data(result, budget=10) == {}



def test_records_are_embedded_only_in_the_room_the_page_leaves(monkeypatch):
    """A page at its weight limit embeds no record (they stay in report.json); with room it does."""
    from engine import validate
    from engine.report import html
    result = validate(EXAMPLE, pack="east5_core", previous_date="20240531")
    assert result.records
    assert 'id="recd"' in html.render_string(result) and 'class="rv"' in html.render_string(result)
    bare = html._render(result, {})
    monkeypatch.setattr(html, "PAGE_BYTES", len(bare.encode("utf-8")) + 10)
    tight = html.render_string(result)
    assert 'id="recd"' not in tight and 'class="rv"' not in tight
    assert len(tight.encode("utf-8")) < html.PAGE_BYTES
