"""HTML report: ``report.html`` — one self-contained, offline page (inline CSS + JS, strict CSP).

All data goes through Jinja autoescaping. Rules are rendered once as compact table rows with
``data-*`` attributes; inline JS filters and paginates them (with JS off every row is shown).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..results import SEVERITY_ORDER, SEVERITY_ZH, RunResult
from .common import STATUS_ZH, VERDICT_EN, VERDICT_ZH, fmt_duration, fmt_int, fmt_rate, severity_zh, write_text

FILENAME = "report.html"
TEMPLATE = "report.html.j2"
TEMPLATE_DIR = Path(__file__).parent / "templates"
RULES_PER_PAGE = 200
SAMPLES_PER_PAGE = 20
BASELINE_ZH = {"new": "新增 new", "grown": "增长 grown", "unchanged": "未变 unchanged", "fixed": "已修复 fixed"}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # every data value is escaped; never mark data |safe
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(rate=fmt_rate, num=fmt_int, duration=fmt_duration, sev_zh=severity_zh,
                       status_zh=lambda s: STATUS_ZH.get(s, s))
    return env


def _table_options(result: RunResult) -> list[tuple[str, str]]:
    seen: dict[str, str] = {t.code: t.name for t in result.tables}
    for r in result.rules:
        seen.setdefault(r.table, r.table_name)
    return list(seen.items())


def render_string(result: RunResult) -> str:
    return _env().get_template(TEMPLATE).render(
        r=result,
        summary=result.summary(),
        pack=result.pack or {},
        engine=result.engine or {},
        options=result.options or {},
        verdict_zh=VERDICT_ZH.get(result.verdict, result.verdict),
        verdict_en=VERDICT_EN.get(result.verdict, result.verdict),
        severities=sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.get, reverse=True),
        severity_zh=SEVERITY_ZH,
        statuses=STATUS_ZH,
        baseline_zh=BASELINE_ZH,
        table_options=_table_options(result),
        rules_per_page=RULES_PER_PAGE,
        samples_per_page=SAMPLES_PER_PAGE,
    )


def render(result: RunResult, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, render_string(result))
