"""``survey.html``: the cross-submission summary as one offline page — ranking, 检核类型 and tables per
institution, rules across institutions; every table sorts on a click of its header. Only counts and
rule texts are shown (no record values), so there is nothing personal to mask.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from ..report.common import fmt_int, fmt_rate, severity_zh, write_text
from .page import Cell, bar, kpis, num, page, pct, styled, table

FILENAME = "survey.html"
VERDICT = {"ready": "准予报送 ready", "not_ready": "不予报送 not ready", "unreadable": "无法检核 unreadable"}


def render(summary: dict, out_dir: Path) -> Path:
    sections = [("概览 Overview", _overview(summary)),
                ("机构排名 Ranking (worst first)", _ranking(summary)),
                ("检核类型 Error rate per rule category", _categories(summary)),
                ("表 Tables per institution", _tables(summary)),
                ("规则 Rules failing across institutions", _rules(summary))]
    problems = _problems(summary)
    if problems:
        sections.insert(2, ("未能检核 Batches not checked", problems))
    pack = summary["pack"]
    subtitle = (f"{summary['folder']} · {pack.get('name', '')} {pack.get('version', '')} · fail-on {summary['options'].get('fail_on')}"
                f" · {summary['started_at']}")
    return write_text(out_dir, FILENAME, page("监管抽查汇总 Survey of submissions", subtitle, sections,
                                              f"jianhe survey {summary['schema_version']}"))


def _overview(s: dict) -> str:
    t = s["totals"]
    text = kpis([("批次 batches", fmt_int(t["batches"])), ("准予报送 ready", fmt_int(t["ready"])),
                 ("不予报送 not ready", fmt_int(t["not_ready"])), ("无法检核 unreadable", fmt_int(t["unreadable"])),
                 ("行 rows", fmt_int(t["rows"])), ("错误记录 findings", fmt_int(t["findings"]))])
    sampling = s["options"].get("sampling")
    if sampling:
        text += (f"<p>抽样检核 spot check: {escape(_sampling_text(sampling))}; row rules on the sample, set rules on "
                 "every row; each batch report lists which rules were sampled, with confidence intervals.</p>")
    return text + ("<p class=\"muted\">排名 Ranking: findings per 10,000 rows checked, then strong findings. "
                   "Error rate: failing checks / checks made.</p>")


def _sampling_text(sampling: dict) -> str:
    size = f"{sampling['rows']} rows" if sampling.get("rows") else f"{sampling.get('fraction')} of the rows"
    return f"{size} per table, seed {sampling.get('seed')}"


def _ranking(s: dict) -> str:
    checked = [i for i in s["institutions"] if i["verdict"] != "unreadable"]
    worst = max((i["findings_per_10k"] for i in checked), default=0.0) or 1.0
    rows = [[num(i["rank"]), i["licence"], i["date"], styled(VERDICT[i["verdict"]], i["verdict"]), num(i["rows"]),
             num(i["findings"]), bar(i["findings_per_10k"] / worst, label=f"{i['findings_per_10k']:.1f}"),
             num(i["findings_strong"]), num(i["rules_failed"]), pct(i["error_rate"]), _link(s, i)]
            for i in checked]
    return table("ranking", ["排名 rank", "金融许可证号 licence", "采集日期 date", "结论 verdict", "行 rows",
                             "错误记录 findings", "每万行 per 10k rows", "强校验 strong", "未通过规则 rules failed",
                             "错误率 error rate", "报告 report"], rows, filter_box=True)


def _link(s: dict, inst: dict) -> Cell:
    if not inst.get("report_dir") or "html" not in s["options"].get("batch_formats", []):
        return Cell("")
    href = f"batches/{inst['label']}/report.html"
    return Cell(f'<a href="{escape(href)}">report.html</a>', inst["label"], markup=True)


def _problems(s: dict) -> str:
    parts = []
    bad = [i for i in s["institutions"] if i["verdict"] == "unreadable"]
    if bad:
        parts.append(table("unreadable", ["批次 batch", "来源 source", "原因 why", "退出码 exit code"],
                           [[i["label"], i["source"], i["error"] or "", num(i["exit_code"])] for i in bad]))
    if s["ignored"]:
        parts.append(table("ignored", ["文件 entry", "原因 why"], [[g["name"], g["why"]] for g in s["ignored"]]))
    return "\n".join(parts)


def _categories(s: dict) -> str:
    checked = [i for i in s["institutions"] if i["verdict"] != "unreadable"]
    names = list(dict.fromkeys(c["category"] for i in checked for c in i["categories"]))
    worst = {n: max((c["rate"] for i in checked for c in i["categories"] if c["category"] == n), default=0.0) or 1.0
             for n in names}
    rows = []
    for i in checked:
        by = {c["category"]: c for c in i["categories"]}
        rows.append([i["label"], *[_rate_bar(by.get(n), worst[n]) for n in names]])
    return table("categories", ["批次 batch", *names], rows, filter_box=True,
                 caption="failing checks (error rate); bars scaled to the worst institution of each 检核类型")


def _rate_bar(c: dict | None, worst: float) -> Cell:
    if not c:
        return Cell("—")
    return bar(c["rate"] / worst, width=60, label=f"{fmt_int(c['failed'])} ({fmt_rate(c['rate'])})")


def _tables(s: dict) -> str:
    rows = [[i["label"], t["code"], t["name"], num(t["rows"]), num(t["rules_failed"]), num(t["failed"]),
             pct(t["rate"])]
            for i in s["institutions"] if i["verdict"] != "unreadable" for t in i["tables"]]
    return table("tables", ["批次 batch", "表 table", "表名 name", "行 rows", "未通过规则 rules failed",
                            "错误 failing checks", "错误率 error rate"], rows, filter_box=True)


def _rules(s: dict) -> str:
    rows = [[r["id"], r["table"], r["category"], severity_zh(r["severity"]), r["message_zh"],
             num(r["institutions_failing"]), num(r["failed_total"]), pct(r["worst_rate"]),
             Cell("; ".join(_per_institution(i) for i in r["institutions"]))]
            for r in s["rules"]]
    return table("rules", ["规则 rule", "表 table", "检核类型 category", "级别 severity", "规则内容 rule",
                           "机构数 institutions", "错误合计 findings", "最高错误率 worst rate",
                           "各机构 per institution (findings, error rate)"], rows, filter_box=True)


def _per_institution(i: dict) -> str:
    """``label findings (rate)``; a sampled rule's rate with its interval and sample size."""
    text = f"{i['label']} {fmt_int(i['failed'])} ({fmt_rate(i['rate'])}"
    sampled = i.get("sampled")
    if sampled:
        ci = sampled["interval"]
        text += (f", {ci['level']:.0%} CI {fmt_rate(ci['low'])}–{fmt_rate(ci['high'])}, "
                 f"sample {fmt_int(sampled['sample'])}/{fmt_int(sampled['population'])}")
    return text + ")"
