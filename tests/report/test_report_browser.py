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
import os
import time
from pathlib import Path

import pytest

from engine import conformance
from engine.cli import main
from engine.report import write_reports
from engine.ruleset import load_pack
from engine.run import validate_submission

CHROMIUM = Path(os.environ.get("JIANHE_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium): browser tests skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) not installed")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
MAX_BYTES = 5 * 1024 * 1024
PAGED_RULE = ("GRXDYWJJB", "GRXDYWJJB.DKJE.format")
PLANTED = 45
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND"]  # no name resolves: any attempt to go online fails


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("JIANHE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium with a fresh profile for the module."""
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=ARGS, viewport={"width": 1600, "height": 1000}, offline=True, locale="zh-CN")
        yield context
        context.close()


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


def _shot(page: Page, artifacts: Path, name: str) -> Path:
    path = artifacts / name
    page.page.screenshot(path=str(path))
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
    assert size < MAX_BYTES
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
        row.locator("details > summary").click()
        details = row.locator("details")

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
