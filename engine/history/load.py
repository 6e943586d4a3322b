"""Past reports read back for ``jianhe history``: every ``report.json`` under the paths given (a
survey's report folder holds one per batch in batches/), each reduced to institution, period and
the counts per rule and table.

The institution and period come from the submission's name (``<licence>-<YYYYMMDD>``), else from
the names of its files (``<licence>-<TABLE>-<YYYYMMDD>.txt``). A report that cannot be read or
placed is listed with the reason, never silently dropped; of two reports for one institution and
period the later run counts.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataReadError

REPORT = "report.json"
SUBMISSION_NAME = re.compile(r"(?P<licence>[A-Za-z0-9]+)-(?P<date>\d{8})(?:\b|$)")
FILE_NAME = re.compile(r"^(?P<licence>[A-Za-z0-9]+)-[A-Z0-9_]+-(?P<date>\d{8})\.")


@dataclass
class Report:
    """One past run of one institution's batch for one period."""

    licence: str
    period: str
    path: str
    started_at: str
    verdict: str
    rows: int
    findings: int
    rules: dict[tuple[str, str], dict] = field(default_factory=dict)  # (table, id) → counts and texts
    tables: dict[str, dict] = field(default_factory=dict)  # code → {name, rows, failed}


@dataclass
class Loaded:
    reports: list[Report]
    skipped: list[tuple[str, str]]  # (path, why)


def load(paths: list[Path]) -> Loaded:
    """Every report under ``paths``; the latest run per institution and period."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(p for p in path.rglob(REPORT) if not any(part.startswith(".") for part in p.parts[len(path.parts):]))
        else:
            raise DataReadError(f"not found: {path}")
    reports: dict[tuple[str, str], Report] = {}
    skipped: list[tuple[str, str]] = []
    for file in files:
        try:
            report = read(file)
        except ValueError as exc:
            skipped.append((str(file), str(exc)))
            continue
        key = (report.licence, report.period)
        if key not in reports or report.started_at > reports[key].started_at:
            reports[key] = report
    return Loaded(sorted(reports.values(), key=lambda r: (r.licence, r.period)), skipped)


def read(path: Path) -> Report:
    """One report.json (ValueError with the reason when it is not a jianhe report or cannot be placed)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not readable as JSON: {exc}") from None
    if not isinstance(doc, dict) or not {"submission", "rules", "tables", "summary"} <= doc.keys():
        raise ValueError("not a jianhe report (no submission, rules, tables and summary)")
    licence, period = _identity(doc)
    rules = {(r["table"], r["id"]): {"id": r["id"], "table": r["table"], "table_name": r.get("table_name", ""),
                                     "category": r.get("category", ""), "severity": r.get("severity", ""),
                                     "message_zh": r.get("message_zh", ""), "failed": r.get("failed", 0),
                                     "checked": r.get("checked", 0), "rate": r.get("rate", 0.0)}
             for r in doc["rules"] if r.get("status") == "failed"}
    tables = {t["code"]: {"name": t.get("name", ""), "rows": t.get("rows_checked", 0), "failed": 0}
              for t in doc["tables"] if t.get("present")}
    for (table, _), rule in rules.items():
        tables.setdefault(table, {"name": rule["table_name"], "rows": 0, "failed": 0})["failed"] += rule["failed"]
    summary = doc["summary"]
    return Report(licence, period, str(path), str(doc.get("started_at", "")), str(doc.get("verdict", "")),
                  int(summary.get("rows_checked", 0)), int(summary.get("findings_total", 0)), rules, tables)


def _identity(doc: dict) -> tuple[str, str]:
    """(licence, 采集日期) of a report: from the submission's name, else from its files' names."""
    name = Path(str(doc["submission"]).split(" (")[0]).name
    m = SUBMISSION_NAME.fullmatch(name)
    if m:
        return m["licence"], m["date"]
    inner = SUBMISSION_NAME.search(str(doc["submission"]))
    if inner:
        return inner["licence"], inner["date"]
    pairs = {(m["licence"], m["date"]) for m in (FILE_NAME.match(Path(str(i.get("file", i.get("path", "")))).name)
                                                 for i in doc.get("manifest", {}).get("inputs", [])) if m}
    if len(pairs) == 1:
        return pairs.pop()
    raise ValueError(f"cannot tell the institution and 采集日期 of submission {doc['submission']!r} "
                     "(name it <licence>-<YYYYMMDD>)")
