"""Quality over time: per institution and period, failures per rule and table, and the rules new,
fixed and recurring since the institution's previous period; per period, the totals over all
institutions. What a bank's data team reads for its own batches, and a supervisor for all of them.

Trend of an institution: findings per 10,000 rows in its last period against its first —
improving below 0.8×, worsening above 1.25×, steady between (a single period is ``single``).
"""
from __future__ import annotations

from ..survey.model import PER_ROWS, rate
from .load import Loaded, Report

SCHEMA_VERSION = "1.0"
KIND = "jianhe-history"
IMPROVING, WORSENING = 0.8, 1.25


def build(loaded: Loaded, *, sources: list[str], generated_at: str) -> dict:
    by_institution: dict[str, list[Report]] = {}
    for report in loaded.reports:
        by_institution.setdefault(report.licence, []).append(report)
    periods = sorted({r.period for r in loaded.reports})
    return {
        "schema_version": SCHEMA_VERSION, "kind": KIND, "sources": sources, "generated_at": generated_at,
        "periods": [_period(p, [r for r in loaded.reports if r.period == p]) for p in periods],
        "institutions": [_institution(licence, reports) for licence, reports in sorted(by_institution.items())],
        "rules": _rules(loaded.reports, periods),
        "skipped": [{"path": path, "why": why} for path, why in loaded.skipped],
    }


def per_10k(findings: int, rows: int) -> float:
    return round(rate(findings, rows) * PER_ROWS, 4)


def trend(values: list[float]) -> str:
    if len(values) < 2:
        return "single"
    first, last = values[0], values[-1]
    if last < first * IMPROVING:
        return "improving"
    if last > first * WORSENING or (first == 0 and last > 0):
        return "worsening"
    return "steady"


def _institution(licence: str, reports: list[Report]) -> dict:
    rows = []
    previous: set = set()
    for i, report in enumerate(reports):
        failing = set(report.rules)
        rows.append({
            "period": report.period, "path": report.path, "verdict": report.verdict, "rows": report.rows,
            "findings": report.findings, "findings_per_10k": per_10k(report.findings, report.rows),
            "rules_failed": len(failing),
            "new": _ids(failing - previous) if i else [], "fixed": _ids(previous - failing),
            "recurring": _ids(failing & previous),
            "rules": [{"id": r["id"], "table": r["table"], "failed": r["failed"], "rate": r["rate"]}
                      for _, r in sorted(report.rules.items())],
            "tables": [{"code": code, **t, "rate": rate(t["failed"], t["rows"])} for code, t in sorted(report.tables.items())],
        })
        previous = failing
    return {"licence": licence, "trend": trend([p["findings_per_10k"] for p in rows]),
            "first_period": rows[0]["period"], "last_period": rows[-1]["period"], "periods": rows}


def _ids(keys: set) -> list[dict]:
    return [{"table": table, "id": rule} for table, rule in sorted(keys)]


def _period(period: str, reports: list[Report]) -> dict:
    rows = sum(r.rows for r in reports)
    findings = sum(r.findings for r in reports)
    tables: dict[str, dict] = {}
    for report in reports:
        for code, t in report.tables.items():
            entry = tables.setdefault(code, {"code": code, "name": t["name"], "rows": 0, "failed": 0})
            entry["rows"] += t["rows"]
            entry["failed"] += t["failed"]
    return {"period": period, "batches": len(reports), "ready": sum(r.verdict == "ready" for r in reports),
            "rows": rows, "findings": findings, "findings_per_10k": per_10k(findings, rows),
            "tables": sorted(tables.values(), key=lambda t: t["code"])}


def _rules(reports: list[Report], periods: list[str]) -> list[dict]:
    """Every rule failing somewhere: per period, its failing records and institutions."""
    rules: dict[tuple[str, str], dict] = {}
    for report in reports:
        for key, r in report.rules.items():
            entry = rules.setdefault(key, {"id": r["id"], "table": r["table"], "category": r["category"],
                                           "severity": r["severity"], "message_zh": r["message_zh"],
                                           "periods": {p: {"period": p, "failed": 0, "institutions": 0} for p in periods}})
            cell = entry["periods"][report.period]
            cell["failed"] += r["failed"]
            cell["institutions"] += 1
    out = []
    for entry in rules.values():
        entry["periods"] = list(entry["periods"].values())
        entry["trend"] = trend([p["failed"] for p in entry["periods"]])
        out.append(entry)
    return sorted(out, key=lambda e: (-sum(p["failed"] for p in e["periods"]), e["table"], e["id"]))
