"""The survey and history pages used as a person would: opened from disk in headless Chromium
(Playwright with /usr/bin/chromium, as tests/report/test_report_browser.py), no console error, no
request leaving file:, tables sorting on a click and filtering as typed, a trend line per
institution. Screenshots go to $JIANHE_TEST_ARTIFACTS (default: pytest's temporary folder)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from tests.browser import artifacts_folder, chromium, sync_api
from tests.survey.regulator_runs import inbox_runs, private_dir

sync_api()  # skips the module without Chromium or Playwright

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    return artifacts_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> tuple[Path, Path, dict]:
    _, out, planted = inbox_runs(tmp_path_factory)
    history = private_dir("history-page")
    assert main(["history", str(out), "-o", str(history), "--quiet"]) == 0
    return out / "20240630" / "survey.html", history / "history.html", planted


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory, 1500) as context:
        yield context


def _open(browser, path: Path):
    page = browser.new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


def _column(page, table: str, index: int) -> list[str]:
    return page.evaluate(f"""() => Array.from(document.querySelectorAll('#{table} tbody tr'))
        .filter(r => r.style.display !== 'none').map(r => r.cells[{index}].innerText.trim())""")


def _shot(page, artifacts: Path, name: str) -> None:
    path = artifacts / name
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")
    assert path.stat().st_size > 10_000


def test_survey_page_ranks_sorts_filters_and_stays_offline(browser, pages, artifacts):
    survey, _, planted = pages
    page, problems, requests = _open(browser, survey)
    try:
        ranking = json.loads((survey.parent / "survey.json").read_text(encoding="utf-8"))["ranking"]
        assert [f"{lic}-20240630" for lic in _column(page, "ranking", 1)] == ranking
        _shot(page, artifacts, "survey-regulator.png")
        page.click("#ranking th:nth-child(7)")  # per 10k rows: descending first
        assert _column(page, "ranking", 0)[:3] == ["1", "2", "3"]
        page.click("#ranking th:nth-child(7)")  # ascending: the cleanest first
        assert _column(page, "ranking", 0)[0] == "12"
        page.fill("input[data-filter=rules]", "XDYWZL")
        shown = _column(page, "rules", 0)
        assert shown and set(shown) == {"GRXDYWJJB.XDYWZL.codelist"}
        assert page.inner_text("#rules-count") == str(len(shown))
        page.fill("input[data-filter=rules]", "")
        assert not problems
        assert all(u.startswith(("file:", "data:")) for u in requests)
    finally:
        page.close()


def test_history_page_draws_a_trend_per_institution(browser, pages, artifacts):
    _, history, planted = pages
    page, problems, requests = _open(browser, history)
    try:
        lines = page.evaluate("() => Array.from(document.querySelectorAll('polyline.series')).map(p => p.dataset.label)")
        assert sorted(lines) == sorted({b["licence"] for b in planted["batches"]})
        trends = dict(zip(_column(page, "institutions", 0), _column(page, "institutions", 1)))
        planted_trend = {b["licence"]: b["trend"] for b in planted["batches"]}
        assert all(planted_trend[lic] in text for lic, text in trends.items())
        box = page.evaluate("() => document.querySelector('polyline.series').getBBox().width")
        assert box > 100  # the line spans the periods
        _shot(page, artifacts, "history-regulator.png")
        assert not problems
        assert all(u.startswith(("file:", "data:")) for u in requests)
    finally:
        page.close()
