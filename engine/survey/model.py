"""The cross-submission summary: per institution, per rule, and a ranking — one dict every renderer reads.

Ranking: batches that were checked, worst first, by findings per 10,000 rows checked (every
failing record of every rule, over the rows of the batch's tables), then by strong findings, then
by label. Batches that could not be checked are listed apart (``unreadable``), never ranked as clean.
"""
from __future__ import annotations

from ..report.common import CATEGORY_FULL
from ..results import SEVERITY_ORDER
from .run import Outcome

SCHEMA_VERSION = "1.0"
KIND = "jianhe-survey"
PER_ROWS = 10_000


def rate(failed: int, checked: int) -> float:
    return failed / checked if checked else 0.0


def build(outcomes: list[Outcome], *, folder: str, pack: dict, options: dict, started_at: str,
          duration_s: float, ignored: list[tuple[str, str]]) -> dict:
    """The summary of every outcome (see the module docstring for the ranking)."""
    institutions = [_institution(o) for o in outcomes]
    checked = sorted((i for i in institutions if i["verdict"] != "unreadable"),
                     key=lambda i: (-i["findings_per_10k"], -i["findings_strong"], i["label"]))
    for rank, inst in enumerate(checked, start=1):
        inst["rank"] = rank
    unreadable = [i for i in institutions if i["verdict"] == "unreadable"]
    return {
        "schema_version": SCHEMA_VERSION, "kind": KIND, "folder": folder, "pack": pack, "options": options,
        "started_at": started_at, "duration_s": round(duration_s, 3),
        "totals": _totals(institutions),
        "ranking": [i["label"] for i in checked],
        "institutions": checked + unreadable,
        "rules": _rules(outcomes),
        "ignored": [{"name": name, "why": why} for name, why in ignored],
    }


def _institution(o: Outcome) -> dict:
    if o.verdict is None:
        return {"label": o.label, "licence": o.licence, "date": o.date, "source": o.source, "rank": None,
                "verdict": "unreadable", "error": o.error, "exit_code": o.exit_code, "report_dir": o.report_dir,
                "duration_s": o.duration_s, "rows": 0, "findings": 0, "findings_strong": 0, "findings_per_10k": 0.0,
                "rules_failed": 0, "error_rate": 0.0, "categories": [], "tables": [], "sampling": None}
    findings_strong = sum(r["failed"] for r in o.failed_rules if r["severity"] == "strong")
    rows = o.summary.get("rows_checked", 0)
    findings = o.summary.get("findings_total", 0)
    checks = sum(c["checked"] for c in o.categories.values())
    return {
        "label": o.label, "licence": o.licence, "date": o.date, "source": o.source, "rank": None,
        "verdict": o.verdict, "error": None, "exit_code": o.exit_code, "report_dir": o.report_dir,
        "duration_s": o.duration_s, "rows": rows, "findings": findings, "findings_strong": findings_strong,
        "findings_per_10k": round(rate(findings, rows) * PER_ROWS, 4),
        "rules_failed": o.summary.get("rules_failed", 0), "error_rate": rate(findings, checks),
        "categories": [{"category": name, "category_full": CATEGORY_FULL.get(name, name), **c,
                        "rate": rate(c["failed"], c["checked"])} for name, c in _by_category(o.categories)],
        "tables": [{"code": code, **t, "rate": rate(t["failed"], t["checked"])} for code, t in sorted(o.tables.items())],
        "sampling": o.sampling,
    }


def _by_category(categories: dict) -> list[tuple[str, dict]]:
    """The ten 检核类型 in the regulator's order, then any others by name."""
    order = {name: i for i, name in enumerate(CATEGORY_FULL)}
    return sorted(categories.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def _rules(outcomes: list[Outcome]) -> list[dict]:
    """Every rule failing somewhere, with the institutions failing it: most institutions first."""
    rules: dict[tuple[str, str], dict] = {}
    for o in outcomes:
        for r in o.failed_rules:
            entry = rules.setdefault((r["table"], r["id"]), {
                "id": r["id"], "table": r["table"], "table_name": r["table_name"], "category": r["category"],
                "severity": r["severity"], "message_zh": r["message_zh"], "message_en": r["message_en"],
                "institutions": []})
            entry["institutions"].append({"label": o.label, "licence": o.licence, "date": o.date,
                                          "failed": r["failed"], "checked": r["checked"], "rate": r["rate"],
                                          **({"sampled": r["sampled"]} if "sampled" in r else {})})
    out = []
    for entry in rules.values():
        entry["institutions"].sort(key=lambda i: (-i["rate"], i["label"]))
        entry["institutions_failing"] = len(entry["institutions"])
        entry["failed_total"] = sum(i["failed"] for i in entry["institutions"])
        entry["worst_rate"] = entry["institutions"][0]["rate"]
        out.append(entry)
    return sorted(out, key=lambda e: (-e["institutions_failing"], -SEVERITY_ORDER.get(e["severity"], 0),
                                      -e["failed_total"], e["table"], e["id"]))


def _totals(institutions: list[dict]) -> dict:
    return {"batches": len(institutions),
            "ready": sum(i["verdict"] == "ready" for i in institutions),
            "not_ready": sum(i["verdict"] == "not_ready" for i in institutions),
            "unreadable": sum(i["verdict"] == "unreadable" for i in institutions),
            "rows": sum(i["rows"] for i in institutions),
            "findings": sum(i["findings"] for i in institutions)}


def exit_code(summary: dict) -> int:
    """0 every batch ready · 1 a batch not ready or not checkable · 3 no batch could be checked."""
    totals = summary["totals"]
    if totals["batches"] and totals["unreadable"] == totals["batches"]:
        return 3
    return 1 if totals["not_ready"] or totals["unreadable"] else 0
