"""HTML report: ``report.html`` — one self-contained, offline page (inline CSS + JS + SVG, strict CSP).

All data goes through Jinja autoescaping. Rules are rendered once, triage-first (failed rules by
severity and failing-record count, then rules not run, then passed ones), as compact table rows
with ``data-*`` attributes; the rules of each table not in the submission sit behind one line per
table. Inline JS filters, sorts, folds and paginates them (with JS off every row is shown). A
rule's failing records are in a full-width row under it, in a box of their own that scrolls
sideways, so opening them never widens the page. Pass rates per 检核类型 and per table are inline
SVG bars. A sample whose whole record the run fetched (``RunResult.records``) has a button opening
it — every field, the failing one highlighted — in a fixed side panel; the records are one inline
JSON block, read by the script (no record, as from Spark: no button).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2

from ..results import SEVERITY_ORDER, SEVERITY_ZH, RuleResult, RunResult
from .common import (CATEGORY_FULL, STATUS_ZH, VERDICT_EN, VERDICT_ZH, fmt_duration, fmt_int, fmt_rate, severity_zh,
                     triage_key, write_text)

FILENAME = "report.html"
TEMPLATE = "report.html.j2"
TEMPLATE_DIR = Path(__file__).parent / "templates"
RULES_PER_PAGE = 200
SAMPLES_PER_PAGE = 20
RECORD_BYTES = 1_000_000  # JSON of the whole records the page embeds at most …
PAGE_BYTES = 5 * 1024 * 1024  # … and only while the page stays under this (records are also in report.json)
RECORD_SHARE = 0.85  # of the room left, what the records' JSON may take (their buttons take the rest)
BAR_WIDTH = 120
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


@dataclass
class Group:
    """The rules of one table that is not in the submission, folded behind one line."""

    code: str
    name: str
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def not_run(self) -> int:
        return sum(r.status == "not_run" for r in self.rules)

    @property
    def passed(self) -> int:
        return sum(r.status == "passed" for r in self.rules)


@dataclass
class PassRate:
    """Rules passed / failed / not run (rules of tables not submitted count as not run) and the bar."""

    passed: int = 0
    failed: int = 0
    not_run: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.not_run

    @property
    def rate(self) -> float | None:
        run = self.passed + self.failed
        return self.passed / run if run else None

    @property
    def label(self) -> str:
        rate = self.rate
        return "—" if rate is None else fmt_rate(rate)

    @property
    def title(self) -> str:
        return f"通过 passed {self.passed:,} · 未通过 failed {self.failed:,} · 未执行 not run {self.not_run:,}"

    @property
    def bar(self) -> list[tuple[float, float, str]]:
        """(x, width, colour class) of each non-empty segment, out of BAR_WIDTH."""
        total, x, out = self.total, 0.0, []
        for count, cls in ((self.passed, "p"), (self.failed, "f"), (self.not_run, "n")):
            if count and total:
                width = round(BAR_WIDTH * count / total, 1)
                out.append((round(x, 1), width, cls))
                x += width
        return out

    def add(self, rule: RuleResult, folded: bool) -> None:
        if rule.status == "not_applicable":
            return  # nothing to check on this kind of source: neither run nor not run
        if rule.status == "failed":
            self.failed += 1
        elif rule.status == "passed" and not folded:
            self.passed += 1
        else:
            self.not_run += 1


def _absent_tables(result: RunResult) -> dict[str, str]:
    return {t.code: t.name for t in result.tables if not t.present}


def triage(result: RunResult) -> list[tuple[str, RuleResult | Group]]:
    """The rules in the order the page lists them, as ("rule", rule) and ("group", Group) items: failed
    rules first, then rules not run, then one folded group per table not in the submission (its rules
    that did not fail), then passed rules."""
    absent = _absent_tables(result)
    top: list[RuleResult] = []
    groups: dict[str, Group] = {}
    for rule in sorted(result.rules, key=triage_key):
        if rule.table in absent and rule.status != "failed":
            groups.setdefault(rule.table, Group(rule.table, absent[rule.table] or rule.table_name)).rules.append(rule)
        else:
            top.append(rule)
    split = next((i for i, r in enumerate(top) if r.status == "passed"), len(top))
    return ([("rule", r) for r in top[:split]] + [("group", groups[c]) for c in sorted(groups)]
            + [("rule", r) for r in top[split:]])


def pass_rates(result: RunResult) -> tuple[list[tuple[str, str, PassRate]], dict[str, PassRate]]:
    """Per 检核类型 (official order first) and per table."""
    absent = _absent_tables(result)
    by_category: dict[str, PassRate] = {}
    by_table: dict[str, PassRate] = {}
    for rule in result.rules:
        folded = rule.table in absent
        by_category.setdefault(rule.category, PassRate()).add(rule, folded)
        by_table.setdefault(rule.table, PassRate()).add(rule, folded)
    official = list(CATEGORY_FULL)
    order = sorted(by_category, key=lambda c: (official.index(c) if c in official else len(official), c))
    return [(c, CATEGORY_FULL.get(c, ""), by_category[c]) for c in order], by_table


def _table_options(result: RunResult) -> list[tuple[str, str]]:
    seen: dict[str, str] = {t.code: t.name for t in result.tables}
    for r in result.rules:
        seen.setdefault(r.table, r.table_name)
    return list(seen.items())


def _record_data(result: RunResult, budget: int = RECORD_BYTES) -> dict:
    """The records as the page's script reads them: per table its fields as [code, name] pairs in
    the spec's order (a JSON object's keys would be sorted) and each record's values in that order.
    Records are taken in the order the page lists their rules until ``budget`` bytes of JSON: the
    page stays light however many records the run fetched (a sample without one has no button)."""
    blocks = result.records or {}
    out: dict[str, dict] = {}
    for rule in sorted(result.rules, key=triage_key):
        block = blocks.get(rule.table)
        for s in rule.samples if block else ():
            place = f"{s.file}:{s.line}"
            record = block["records"].get(place)
            table = out.get(rule.table) or {"fields": [list(f) for f in block["fields"].items()], "records": {}}
            if record is None or place in table["records"]:
                continue
            values = [record.get(code) for code, _ in table["fields"]]
            cost = len(json.dumps(values)) + len(json.dumps(table["fields"])) * (rule.table not in out)
            if cost > budget:
                return out
            budget -= cost
            out[rule.table] = table
            table["records"][place] = values
    return out


def render_string(result: RunResult) -> str:
    """The page; whole records are embedded only in the room the rest of the page leaves under
    PAGE_BYTES (a report whose every rule fails may have none: report.json still has them)."""
    bare = _render(result, {})
    if not result.records:
        return bare
    room = PAGE_BYTES - len(bare.encode("utf-8"))
    budget = min(RECORD_BYTES, int(room * RECORD_SHARE))
    return _render(result, _record_data(result, budget)) if budget > 0 else bare


def _render(result: RunResult, records: dict) -> str:
    categories, table_rates = pass_rates(result)
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
        items=triage(result),
        categories=categories,
        table_rates=table_rates,
        tables=sorted(result.tables, key=lambda t: not t.present),  # submitted tables first, each by code
        bar_width=BAR_WIDTH,
        rules_per_page=RULES_PER_PAGE,
        samples_per_page=SAMPLES_PER_PAGE,
        records=records,
    )


def render(result: RunResult, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, render_string(result))
