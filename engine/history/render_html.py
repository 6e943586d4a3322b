"""``history.html``: quality over time on one offline page — trend lines (inline SVG) of findings per
10,000 rows per institution, a sparkline per institution, rule and table, and per institution the
rules new, fixed and recurring period by period. Counts and rule texts only, nothing personal.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from ..report.common import fmt_int, severity_zh, write_text
from ..survey.page import Cell, kpis, num, page, styled, table

FILENAME = "history.html"
PALETTE = ("#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a3069", "#953800",
           "#116329", "#6e7781", "#d4a72c", "#1b7c83")
TREND = {"improving": "改善 improving", "worsening": "恶化 worsening", "steady": "平稳 steady", "single": "单期 single"}
TREND_CLASS = {"improving": "ready", "worsening": "not_ready", "steady": "muted", "single": "muted"}


def render(history: dict, out_dir: Path) -> Path:
    periods = [p["period"] for p in history["periods"]]
    sections = [("概览 Overview", _overview(history)),
                ("趋势 Findings per 10,000 rows, per institution", line_chart(
                    [(i["licence"], _series(i, periods)) for i in history["institutions"]], periods)),
                ("机构 Institutions", _institutions(history, periods)),
                ("规则 Rules over time", _rules(history, periods)),
                ("表 Tables over time", _tables(history, periods)),
                ("各期变化 New, fixed and recurring rules per period", _changes(history))]
    if history["skipped"]:
        sections.append(("未读取 Reports not read", table("skipped", ["文件 file", "原因 why"],
                                                          [[s["path"], s["why"]] for s in history["skipped"]])))
    subtitle = f"{len(history['institutions'])} institutions · {', '.join(periods)} · {history['generated_at']}"
    return write_text(out_dir, FILENAME, page("检核质量趋势 Quality over time", subtitle, sections,
                                              f"jianhe history {history['schema_version']}"))


def _series(inst: dict, periods: list[str]) -> list[float | None]:
    by = {p["period"]: p["findings_per_10k"] for p in inst["periods"]}
    return [by.get(p) for p in periods]


def line_chart(series: list[tuple[str, list[float | None]]], periods: list[str], width: int = 760,
               height: int = 260) -> str:
    """One SVG: a line per series over the periods, y from 0 to the largest value, with a legend."""
    left, right, top, bottom = 56, 170, 12, 28
    top_value = max((v for _, values in series for v in values if v is not None), default=0.0) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / (len(periods) - 1) if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="trend">',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fbfcfd" stroke="#d0d7de"/>']
    for k in range(5):
        v = top_value * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eaeef2"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    for i, period in enumerate(periods):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">{escape(period)}</text>')
    for n, (label, values) in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline class="series" data-label="{escape(label)}" points="{path}" fill="none" '
                         f'stroke="{color}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>' for px, py in points]
        ly = top + 12 + n * 15
        parts.append(f'<rect x="{width - right + 12}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{width - right + 26}" y="{ly + 1}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: list[float | None], width: int = 90, height: int = 22, color: str = "#0969da") -> Cell:
    """A small trend line in a table cell; sorts by the last value."""
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    step = width / max(len(values) - 1, 1)
    pts = [f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values) if v is not None]
    svg = (f'<svg width="{width}" height="{height}" role="img" aria-label="trend">'
           f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" stroke-width="1.5"/></svg>')
    return Cell(svg, known[-1] if known else 0, numeric=True, markup=True)


def _overview(h: dict) -> str:
    items = [(f"{p['period']} per 10k rows", f"{p['findings_per_10k']:.1f}") for p in h["periods"]]
    trends = [i["trend"] for i in h["institutions"]]
    items += [(TREND[t], fmt_int(trends.count(t))) for t in ("improving", "worsening", "steady")]
    return kpis(items)


def _institutions(h: dict, periods: list[str]) -> str:
    rows = []
    for inst in h["institutions"]:
        values = _series(inst, periods)
        last = inst["periods"][-1]
        rows.append([inst["licence"], styled(TREND[inst["trend"]], TREND_CLASS[inst["trend"]]),
                     *[Cell("—" if v is None else f"{v:.1f}", -1 if v is None else v, numeric=True) for v in values],
                     sparkline(values), num(len(last["new"])), num(len(last["fixed"])), num(len(last["recurring"]))])
    return table("institutions", ["金融许可证号 licence", "趋势 trend", *periods, "走势 trend line",
                                  "新增规则 new (last)", "已修复 fixed (last)", "持续 recurring (last)"], rows, filter_box=True,
                 caption="findings per 10,000 rows checked, per period")


def _rules(h: dict, periods: list[str]) -> str:
    rows = [[r["id"], r["table"], r["category"], severity_zh(r["severity"]), r["message_zh"],
             styled(TREND[r["trend"]], TREND_CLASS[r["trend"]]),
             *[Cell(f"{fmt_int(p['failed'])} / {p['institutions']}", p["failed"], numeric=True) for p in r["periods"]],
             sparkline([p["failed"] for p in r["periods"]], color="#cf222e")] for r in h["rules"]]
    return table("rules", ["规则 rule", "表 table", "检核类型 category", "级别 severity", "规则内容 rule", "趋势 trend",
                           *periods, "走势 trend line"], rows, filter_box=True,
                 caption="failing records / institutions failing, per period")


def _tables(h: dict, periods: list[str]) -> str:
    codes = sorted({t["code"] for p in h["periods"] for t in p["tables"]})
    by = {(p["period"], t["code"]): t for p in h["periods"] for t in p["tables"]}
    names = {t["code"]: t["name"] for p in h["periods"] for t in p["tables"]}
    rows = []
    for code in codes:
        values = [by.get((p, code), {}).get("failed", 0) for p in periods]
        rows.append([code, names[code], *[num(v) for v in values], sparkline(values, color="#9a6700")])
    return table("tables", ["表 table", "表名 name", *periods, "走势 trend line"], rows,
                 caption="failing checks, all institutions, per period")


def _changes(h: dict) -> str:
    rows = [[inst["licence"], p["period"], num(p["findings"]), Cell(f"{p['findings_per_10k']:.1f}", p["findings_per_10k"], numeric=True),
             _rule_list(p["new"]), _rule_list(p["fixed"]), _rule_list(p["recurring"])]
            for inst in h["institutions"] for p in inst["periods"]]
    return table("changes", ["金融许可证号 licence", "采集日期 period", "错误记录 findings", "每万行 per 10k",
                             "新增 new", "已修复 fixed", "持续 recurring"], rows, filter_box=True)


def _rule_list(items: list[dict]) -> str:
    return ", ".join(f"{i['table']}:{i['id']}" for i in items)
