"""One batch's RunResult reduced to what the cross-submission summary needs: counts, never records.

Error rates are failing checks over checks made (a rule's ``failed / checked``, summed over the
rules of a 检核类型 or table); rules that did not run count for neither.
"""
from __future__ import annotations

from ..results import RunResult
from .discover import Batch
from .run import Outcome

RAN = ("passed", "failed")


def outcome_of(batch: Batch, result: RunResult, report_dir: str, duration: float) -> Outcome:
    """The aggregates of one checked batch."""
    ran = [r for r in result.rules if r.status in RAN]
    categories: dict[str, dict] = {}
    tables: dict[str, dict] = {t.code: {"name": t.name, "rows": t.rows_checked, "checked": 0, "failed": 0,
                                        "rules": 0, "rules_failed": 0} for t in result.tables if t.present}
    for rule in ran:
        buckets = [categories.setdefault(rule.category, {"checked": 0, "failed": 0, "rules": 0, "rules_failed": 0})]
        if rule.table in tables or rule.failed:  # a table not submitted has no row of its own unless it fails
            buckets.append(tables.setdefault(rule.table, {"name": rule.table_name, "rows": 0, "checked": 0,
                                                          "failed": 0, "rules": 0, "rules_failed": 0}))
        for bucket in buckets:
            bucket["checked"] += rule.checked
            bucket["failed"] += rule.failed
            bucket["rules"] += 1
            bucket["rules_failed"] += rule.status == "failed"
    sampling = result.options.get("sampling") or {}
    estimates = {(e["table"], e["id"]): e for e in sampling.get("sampled_rules", [])}
    failed = [{"id": r.id, "table": r.table, "table_name": r.table_name, "category": r.category,
               "severity": r.severity, "message_zh": r.message_zh, "message_en": r.message_en,
               "checked": r.checked, "failed": r.failed, "rate": r.rate,
               **({"sampled": _estimate(estimates[(r.table, r.id)])} if (r.table, r.id) in estimates else {})}
              for r in result.rules if r.status == "failed"]
    return Outcome(batch.licence, batch.date, batch.label, batch.source, report_dir=report_dir,
                   verdict=result.verdict, exit_code=1 if result.verdict == "not_ready" else 0,
                   duration_s=round(duration, 3), summary=result.summary(), categories=categories,
                   tables=tables, failed_rules=failed, sampling=_sampling_summary(sampling) if sampling else None)


def _estimate(entry: dict) -> dict:
    return {"sample": entry["sample"], "population": entry["population"], "interval": entry["interval"]}


def _sampling_summary(sampling: dict) -> dict:
    """What the summary keeps of a batch's spot check (its report lists every rule)."""
    return {"seed": sampling["seed"], "tables": sampling["tables"], "rules_sampled": len(sampling["sampled_rules"]),
            "rules_whole": len(sampling["whole_rules"]), "method": sampling["method"], "level": sampling["level"]}
