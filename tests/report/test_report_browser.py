"""The HTML report used as a person would: opened from disk in headless Chromium, driven over the
Chrome DevTools Protocol (Playwright with Debian's /usr/bin/chromium — no browser download).

Two reports: the shipped example, and a run of the full east5 pack (70 tables, ~5,000 rules) on a
batch generated from the pack's own conformance fixtures (every rule fails somewhere), with 46
failing records planted for one rule so its sample table has several pages. Each page must load
without console errors, filter by table / severity / status / search, page through rules and
samples, stay small (< 5 MB), and make no network request at all (offline, strict CSP).
Screenshots go to $JIANHE_TEST_ARTIFACTS (default: pytest's temporary folder); the path is printed.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from engine import conformance
from engine.cli import main
from engine.report import write_reports
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.browser import artifacts_folder, chromium, sync_api

sync_api()  # skips the module without Chromium or Playwright

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
MAX_BYTES = 5 * 1024 * 1024  # the full pack on the shipped example
# the conformance batch fails every one of the pack's ~5,900 rules, each with samples: bounded per rule
MAX_BYTES_PER_FAILING_RULE = 1100
PAGED_RULE = ("GRXDYWJJB", "GRXDYWJJB.DKJE.format")
PLANTED = 45


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    return artifacts_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium with a fresh profile for the module."""
    with chromium(tmp_path_factory, 1600) as context:
        yield context


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("example-report")
    rc = main(["validate", str(EXAMPLE), "--previous-date", "20240531", "--format", "html,json",
               "--report-dir", str(out), "--quiet"])
    assert rc == 1
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def big_report(tmp_path_factory) -> tuple[Path, dict]:
    """The east5 pack on its conformance batch, plus PLANTED more failures of one format rule."""
    pack = load_pack("east5")
    rows, _, _ = conformance.build_fixtures(pack)
    table, _ = PAGED_RULE
    clean = conformance.clean_rows(pack.catalog)[table]
    key = [k for k in pack.catalog.tables[table].key if k != "CJRQ"][0]
    rows[table] += [{**clean, key: f"PAGE{i:03d}", "DKJE": f"{i}.123"} for i in range(PLANTED)]
    batch = tmp_path_factory.mktemp("east5-batch")
    conformance.write_batch(batch, pack.catalog, rows)
    out = tmp_path_factory.mktemp("east5-report")
    result = validate_submission(batch, pack, previous_date="20240531")  # the pack is loaded once
    write_reports(result, out, ["html", "json"])
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "not_ready"
    assert doc["summary"]["rules_total"] >= 2000
    return out / "report.html", doc


class Page:
    """A report opened in the browser, with every console message, page error and request kept."""

    def __init__(self, context, path: Path):
        self.page = context.new_page()
        self.console, self.errors, self.requests = [], [], []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                        else route.abort())
        started = time.perf_counter()
        self.page.goto(path.as_uri(), wait_until="load")
        self.load_s = time.perf_counter() - started

    def rows(self) -> list[dict]:
        """Rules rows the browser actually lays out (display not none), with their data and texts."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll('#rb > tr[data-st]'))
            .filter(r => r.offsetParent !== null)
            .map(r => ({t: r.dataset.t, s: r.dataset.s, st: r.dataset.st, id: r.cells[0].innerText.trim()}))""")

    def count(self) -> str:
        return self.page.inner_text("#fcount")

    def scroll_width(self) -> int:
        return self.page.evaluate("() => document.documentElement.scrollWidth")

    def select(self, element: str, value: str) -> None:
        self.page.select_option(element, value)

    def problems(self) -> list:
        return [m for m in self.console if m[0] in ("error", "warning")] + self.errors

    def offline_problems(self) -> list[str]:
        remote = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        remote += self.page.evaluate(r"""() => {
            const out = [];
            for (const el of document.querySelectorAll('[src],[href],link,iframe,object,embed,img,audio,video'))
              for (const a of ['src', 'href', 'data'])
                if (el.getAttribute(a) && /^(https?:)?\/\//i.test(el.getAttribute(a))) out.push(el.outerHTML.slice(0, 120));
            for (const s of document.querySelectorAll('style'))
              if (/@import|url\(\s*['"]?(https?:)?\/\//i.test(s.textContent)) out.push('style: remote url');
            for (const s of document.querySelectorAll('script[src], link[rel=stylesheet]')) out.push(s.outerHTML);
            return out;
          }""")
        return remote

    def close(self) -> None:
        self.page.close()


def _open_count(doc: dict, **where) -> int:
    return sum(r["status"] != "passed" and all(r[k] == v for k, v in where.items()) for r in doc["rules"])


SEVERITY = {"strong": 3, "weak": 2, "info": 1}


def _triage(doc: dict, absent: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(table, id) of the rules the page lists first, in its order: failed by severity and failing records,
    then not run by severity (rules of tables not submitted are folded away)."""
    def key(r):
        return (r["status"] != "failed", -SEVERITY[r["severity"]], -r["failed"] if r["status"] == "failed" else 0)
    open_ = [r for r in doc["rules"] if r["status"] != "passed" and not (r["table"] in absent and r["status"] != "failed")]
    return [(r["table"], r["id"]) for r in sorted(open_, key=key)]


def _shot(page: Page, artifacts: Path, name: str, full_page: bool = False) -> Path:
    path = artifacts / name
    page.page.screenshot(path=str(path), full_page=full_page)
    print(f"\nscreenshot: {path}")
    assert path.stat().st_size > 10_000
    return path


def test_example_report_renders_filters_and_stays_offline(browser, example_report, artifacts):
    path, doc = example_report
    page = Page(browser, path)
    try:
        assert page.problems() == []
        assert page.page.title().startswith("检核报告")
        total, open_ = len(doc["rules"]), _open_count(doc)
        assert page.count().startswith(f"{open_} / {total} ")
        assert len(page.rows()) == min(open_, 200)
        assert {r["st"] for r in page.rows()} <= {"failed", "not_run"}
        assert [(r["t"], r["id"]) for r in page.rows()] == _triage(doc)[:200]
        _shot(page, artifacts, "report-example.png")

        page.select("#ft", "GRXDYWJJB")
        rows = page.rows()
        assert rows and {r["t"] for r in rows} == {"GRXDYWJJB"} and len(rows) == _open_count(doc, table="GRXDYWJJB")

        page.select("#ft", "")
        page.select("#fs", "weak")
        rows = page.rows()
        assert rows and {r["s"] for r in rows} == {"weak"} and len(rows) == _open_count(doc, severity="weak")

        page.select("#fs", "")
        page.select("#fst", "passed")
        passed = sum(r["status"] == "passed" for r in doc["rules"])
        assert page.count().startswith(f"{passed} / {total} ")
        assert {r["st"] for r in page.rows()} == {"passed"} and len(page.rows()) == min(passed, 200)

        # every rule, paged 200 at a time: the next page shows other rules
        page.select("#fst", "all")
        first = [(r["t"], r["id"]) for r in page.rows()]
        assert len(first) == 200
        page.page.locator("nav.pager").first.get_by_role("button", name="下一页 ›").click()
        second = [(r["t"], r["id"]) for r in page.rows()]
        assert len(second) == 200 and not set(first) & set(second)
        assert "第 2 / " in page.page.locator("nav.pager").first.inner_text()

        # search narrows to one rule; a table code in the tables section jumps to its rules
        page.page.fill("#fq", "JHGZ2310")
        page.page.wait_for_function("() => document.getElementById('fcount').textContent.startsWith('1 /')")
        assert [r["id"] for r in page.rows()] == ["JHGZ2310"]
        page.page.fill("#fq", "")
        page.page.locator("#tt a[data-table='ZCHXB']").click()
        page.page.wait_for_timeout(200)
        assert {r["t"] for r in page.rows()} == {"ZCHXB"}
        assert len(page.rows()) == sum(r["table"] == "ZCHXB" for r in doc["rules"])

        assert page.problems() == []
        assert page.offline_problems() == []
        assert page.requests == [path.as_uri()]
    finally:
        page.close()


def test_large_report_is_light_pages_samples_and_stays_offline(browser, big_report, artifacts):
    path, doc = big_report
    size = path.stat().st_size
    rules = len(doc["rules"])
    print(f"\nlarge report: {rules} rules, {size / 1e6:.2f} MB, {size / rules:.0f} bytes per rule")
    assert size < MAX_BYTES_PER_FAILING_RULE * rules
    assert "id=\"recd\"" not in path.read_text("utf-8") or size < MAX_BYTES  # records only in the room left
    page = Page(browser, path)
    try:
        print(f"loaded in {page.load_s:.2f} s")
        assert page.problems() == []
        open_ = _open_count(doc)
        assert page.count().startswith(f"{open_} / {rules} ")
        assert len(page.rows()) == 200

        page.select("#ft", "DGKHXXB")
        page.select("#fs", "strong")
        page.select("#fst", "failed")
        rows = page.rows()
        want = sum(r["table"] == "DGKHXXB" and r["severity"] == "strong" and r["status"] == "failed"
                   for r in doc["rules"])
        assert 0 < len(rows) == min(want, 200)
        assert {(r["t"], r["s"], r["st"]) for r in rows} == {("DGKHXXB", "strong", "failed")}

        # the planted rule: 46 failing records, 20 per page
        table, rule_id = PAGED_RULE
        rule = next(r for r in doc["rules"] if r["table"] == table and r["id"] == rule_id)
        assert rule["failed"] == PLANTED + 1 and len(rule["samples"]) == PLANTED + 1
        page.select("#ft", table)
        page.select("#fs", "")
        page.page.fill("#fq", rule_id.lower())
        page.page.wait_for_function("() => document.getElementById('fcount').textContent.startsWith('1 /')")
        row = page.page.locator("#rb > tr[data-st]:visible")
        assert row.count() == 1
        width = page.scroll_width()
        row.locator("button.sb").click()
        details = page.page.locator("#rb > tr.sx:visible")  # the samples: a full-width row under the rule
        assert details.count() == 1 and row.locator("button.sb").get_attribute("aria-expanded") == "true"
        assert page.scroll_width() == width

        def shown() -> list[str]:
            return details.locator("table.smp tbody tr:visible td:nth-child(2)").all_inner_texts()

        first = shown()
        assert len(first) == 20
        details.get_by_role("button", name="下一页 ›").click()
        second = shown()
        assert len(second) == 20 and not set(first) & set(second)
        assert "第 2 / 3 页" in details.locator("nav.pager").inner_text()
        details.get_by_role("button", name="‹ 上一页").click()
        assert shown() == first
        details.get_by_role("button", name="末页 »").click()
        last = shown()
        assert len(last) == PLANTED + 1 - 40 and not set(last) & (set(first) | set(second))
        lines = sorted(int(x) for x in first + second + last)
        assert lines == sorted(s["line"] for s in rule["samples"])
        row.scroll_into_view_if_needed()
        _shot(page, artifacts, "report-east5-large.png")
        row.locator("button.sb").click()
        assert details.count() == 0

        assert page.problems() == []
        assert page.offline_problems() == []
        assert page.requests == [path.as_uri()]
    finally:
        page.close()


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory, example_report) -> tuple[Path, dict]:
    """The example against an edited copy of its own report: 3 rules made new, 2 made fixed."""
    _, doc = example_report
    base = json.loads(json.dumps(doc))
    failing = [r for r in base["rules"] if r["status"] == "failed" and r["severity"] == "strong"]
    passing = [r for r in base["rules"] if r["status"] == "passed"]
    for r in failing[:3]:
        r.update(status="passed", failed=0, samples=[])
    for r in passing[:2]:
        r.update(status="failed", failed=1)
    folder = tmp_path_factory.mktemp("baseline")
    (folder / "base.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    out = tmp_path_factory.mktemp("baseline-report")
    rc = main(["validate", str(EXAMPLE), "--previous-date", "20240531", "--format", "html,json", "--report-dir",
               str(out), "--baseline", str(folder / "base.json"), "--quiet"])
    assert rc == 1
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_baseline_marks_and_filter(browser, baseline_report, artifacts):
    path, doc = baseline_report
    assert doc["baseline"]["counts"] == {"new": 3, "grown": 0, "unchanged": doc["summary"]["rules_failed"] - 3,
                                         "fixed": 2}
    page = Page(browser, path)
    try:
        assert page.problems() == []
        reasons = page.page.inner_text("#reasons")
        assert "3 rule(s) newly failing since the baseline" in reasons
        page.select("#fb", "new")
        rows = page.rows()
        assert len(rows) == 3 and {r["st"] for r in rows} == {"failed"}
        assert page.page.locator("#rb > tr:visible .bl-new").count() == 3
        page.select("#fb", "fixed")  # fixed rules pass now: the status filter opens to all
        assert page.page.input_value("#fst") == "all"
        rows = page.rows()
        assert len(rows) == 2 and {r["st"] for r in rows} == {"passed"}
        page.select("#fb", "gate")
        assert len(page.rows()) == 3
        page.select("#fb", "unchanged")
        assert len(page.rows()) == doc["baseline"]["counts"]["unchanged"]
        _shot(page, artifacts, "report-baseline.png")
        assert page.problems() == [] and page.offline_problems() == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def full_pack_report(tmp_path_factory) -> tuple[Path, dict]:
    """The example under the full east5 pack: most of its 70 tables are not in the submission."""
    out = tmp_path_factory.mktemp("full-pack-report")
    rc = main(["validate", str(EXAMPLE), "--pack", "east5", "--previous-date", "20240531", "--format", "html,json",
               "--report-dir", str(out), "--quiet"])
    assert rc == 1
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_full_pack_folds_each_table_not_submitted_into_one_line(browser, full_pack_report, artifacts):
    path, doc = full_pack_report
    size = path.stat().st_size
    print(f"\nfull-pack report on the example: {len(doc['rules'])} rules, {size / 1e6:.2f} MB")
    assert size < MAX_BYTES
    absent = {t["code"] for t in doc["tables"] if not t["present"]}
    folded = [r for r in doc["rules"] if r["table"] in absent and r["status"] != "failed"]
    assert len(absent) > 40 and len(folded) > 2000
    page = Page(browser, path)
    try:
        assert page.problems() == []
        assert page.count().startswith(f"{_open_count(doc)} / {len(doc['rules'])} ")
        # the first page: failures first, nothing of a table not submitted unless it failed
        rows = page.rows()
        assert [(r["t"], r["id"]) for r in rows] == _triage(doc, absent)[:len(rows)]
        assert not [r for r in rows if r["t"] in absent and r["st"] != "failed"]
        _shot(page, artifacts, "report-east5-full-pack-top.png")

        # one line per table not submitted, after the rules not run of the tables that were
        page.select("#fst", "not_run")
        groups = page.page.locator("#rb > tr.grp:visible")
        codes = [g.get_attribute("data-grp") for g in groups.all()]
        assert codes == sorted({r["table"] for r in folded if r["status"] == "not_run"})
        rows = page.rows()
        assert len(rows) == sum(r["status"] == "not_run" and r["table"] not in absent for r in doc["rules"])
        code = codes[0]
        line = groups.first
        want = sum(r["table"] == code and r["status"] == "not_run" for r in doc["rules"])
        assert f"{want} 条规则未执行" in line.inner_text()
        line.evaluate("tr => { tr.scrollIntoView(); window.scrollBy(0, -300); }")
        _shot(page, artifacts, "report-east5-full-pack.png")
        line.locator("button.gb").click()
        assert line.locator("button.gb").get_attribute("aria-expanded") == "true"
        opened = [r for r in page.rows() if r["t"] == code]
        assert len(opened) == want and {r["st"] for r in opened} == {"not_run"}
        line.evaluate("tr => { tr.scrollIntoView(); window.scrollBy(0, -120); }")
        _shot(page, artifacts, "report-east5-full-pack-open.png")
        line.locator("button.gb").click()
        assert not [r for r in page.rows() if r["t"] == code]

        # choosing the table (or a search reaching into it) opens its line
        page.select("#fst", "all")
        page.select("#ft", code)
        assert len(page.rows()) == sum(r["table"] == code for r in doc["rules"])
        page.select("#ft", "")
        assert page.problems() == [] and page.offline_problems() == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def wide_samples_report(tmp_path_factory) -> tuple[Path, str]:
    """The example with one failing record far wider than any screen (a 600-character value)."""
    result = validate_submission(EXAMPLE, load_pack("east5_core"), previous_date="20240531")
    rule = next(r for r in result.rules if r.status == "failed" and r.severity == "strong" and r.samples)
    sample = rule.samples[0]
    sample.key = "|".join(f"KEY{i:02d}-" + "键" * 8 for i in range(6))
    sample.value = "超长的错误值" * 100
    out = tmp_path_factory.mktemp("wide-samples")
    write_reports(result, out, ["html"])
    return out / "report.html", rule.id


@pytest.mark.parametrize("width", [1400, 1000])
def test_opening_samples_never_widens_the_page(browser, example_report, wide_samples_report, artifacts, width):
    for path, name in ((example_report[0], "example"), (wide_samples_report[0], "wide")):
        page = Page(browser, path)
        try:
            page.page.set_viewport_size({"width": width, "height": 1000})
            before = page.scroll_width()
            assert before <= width, f"{name}: the page is wider than the window before any sample opens"
            buttons = page.page.locator("#rb > tr[data-st]:visible button.sb")
            assert buttons.count() > 10
            for i in range(buttons.count()):  # every rule's samples on the page, open at once
                buttons.nth(i).click()
                assert page.scroll_width() == before, f"{name}: samples of rule {i} widened the page"
            boxes = page.page.locator("#rb > tr.sx:visible > td > div")
            assert boxes.count() == buttons.count()
            # each box fits the window; a table wider than its box scrolls inside it
            fit = page.page.evaluate(f"""() => Array.from(document.querySelectorAll('#rb > tr.sx:not([hidden]) > td > div'))
                .map(b => [b.getBoundingClientRect().right <= {width}, b.scrollWidth > b.clientWidth])""")
            assert all(inside for inside, _ in fit)
            if name == "wide":
                assert any(scrolls for _, scrolls in fit)
                box = page.page.locator("#rb > tr.sx:visible", has_text="超长的错误值").locator("td > div")
                overflow = box.evaluate("b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX]")
                assert overflow[0] > overflow[1] and overflow[2] == "auto"
                box.evaluate("b => { b.scrollIntoView(); window.scrollBy(0, -200); }")
                _shot(page, artifacts, f"report-samples-open-{width}.png")
            assert page.scroll_width() == before
            assert page.problems() == []
        finally:
            page.close()


def test_sorting_by_a_column(browser, example_report):
    path, doc = example_report
    page = Page(browser, path)
    try:
        page.select("#fst", "all")
        head = page.page.locator("#rt > thead th", has_text="失败")
        failed = lambda: [int(x.replace(",", "")) if x.strip() not in ("—", "") else None for x in  # noqa: E731
                          page.page.locator("#rb > tr[data-st]:visible > td:nth-child(8)").evaluate_all(
                              "cells => cells.map(c => c.firstChild ? c.firstChild.textContent : '')")]
        head.first.click()
        assert head.first.get_attribute("aria-sort") == "ascending"
        up = failed()
        numbers = [n for n in up if n is not None]
        assert numbers == sorted(numbers) and len(up) == 200
        head.first.click()
        assert head.first.get_attribute("aria-sort") == "descending"
        down = failed()
        assert down[0] == max(r["failed"] for r in doc["rules"]) and down == sorted(down, reverse=True)
        # rule numbers: natural order (2 before 10), not text order
        page.page.locator("#rt > thead th", has_text="规则").first.click()
        ids = [r["id"] for r in page.rows()]
        numeric = [int(i) for i in ids if i.isdigit()]
        assert numeric == sorted(numeric)
        page.page.click("#forder")
        assert [(r["t"], r["id"]) for r in page.rows()][:50] == [
            (r["table"], r["id"]) for r in sorted(doc["rules"], key=lambda r: (
                {"failed": 0, "not_run": 1, "passed": 2}[r["status"]],
                -SEVERITY[r["severity"]] if r["status"] != "passed" else 0,
                -r["failed"] if r["status"] == "failed" else 0))][:50]
        # the small tables sort too
        page.page.locator("#tt > thead th[data-sort]", has_text="读入").click()
        page.page.locator("#tt > thead th[data-sort]", has_text="读入").click()
        reads = page.page.locator("#tt > tbody > tr > td:nth-child(5)").all_inner_texts()
        assert [int(x.replace(",", "")) for x in reads] == sorted((t["rows_read"] for t in doc["tables"]), reverse=True)
        assert page.problems() == []
    finally:
        page.close()
