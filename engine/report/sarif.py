"""SARIF 2.1.0 report: ``jianhe.sarif`` — failing rules as static-analysis results.

Code-scanning tools (GitHub, GitLab, IDE viewers) show each result at a file and line: one
result per failing record kept in the samples (artifact = the data file, region.startLine = its
line), or one per failing rule without samples. Rules carry bilingual messages; a failure that
fails the run (severity at or above ``--fail-on``; with a baseline, new or grown) has the level of
its severity (强校验 strong → error, 弱校验 weak → warning, 提示 info → note), every other failure
is a ``note``, so a scan gate agrees with the exit code. Failures
excused by 备注 or covered by a waiver are reported with a ``suppressions`` entry, as SARIF
intends for accepted findings; rules that could not run are tool notifications.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from ..results import Finding, RuleResult, RunResult
from .common import field_ref, fmt_rate, severity_zh, write_text

FILENAME = "jianhe.sarif"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"strong": "error", "weak": "warning", "info": "note"}


def _rule_ids(result: RunResult) -> dict[int, str]:
    """SARIF rule ids must be unique: the rule id, qualified by its table where ids repeat."""
    seen: dict[str, int] = {}
    for r in result.rules:
        seen[r.id] = seen.get(r.id, 0) + 1
    return {i: (r.id if seen[r.id] == 1 else f"{r.table}/{r.id}") for i, r in enumerate(result.rules)}


def _uri(result: RunResult, file: str | None) -> str:
    base = Path(result.submission)
    path = base if file is None or base.suffix.lower() in (".txt", ".csv", ".parquet") else base / file
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix(), safe="/")


def _descriptor(rule: RuleResult, rule_id: str) -> dict:
    text = f"{rule.message_zh}\n{rule.message_en}".strip()
    return {
        "id": rule_id,
        "name": f"{rule.kind}:{field_ref(rule)}",
        "shortDescription": {"text": rule.message_zh or rule.message_en or rule_id},
        "fullDescription": {"text": text or rule_id},
        "messageStrings": {"zh": {"text": rule.message_zh or rule.message_en},
                           "en": {"text": rule.message_en or rule.message_zh}},
        "help": {"text": f"{severity_zh(rule.severity)} ({rule.severity}) · {rule.category} · {field_ref(rule)}"
                         + (f" · when {rule.when}" if rule.when else "") + f"\n{text}"},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"table": rule.table, "table_name": rule.table_name, "field": rule.field,
                       "field_name": rule.field_name, "kind": rule.kind, "category": rule.category,
                       "severity": rule.severity, "severity_zh": severity_zh(rule.severity), "origin": rule.origin,
                       "number_kind": rule.number_kind,
                       "tags": [t for t in (rule.category, severity_zh(rule.severity), rule.table) if t]},
    }


def _fingerprint(rule: RuleResult, sample: Finding | None) -> str:
    where = "" if sample is None else (f"key:{sample.key}" if sample.key is not None
                                       else f"{sample.file}:{sample.line}:{sample.value}")
    return hashlib.sha256(f"{rule.table}\x1f{rule.id}\x1f{where}".encode()).hexdigest()


def _level(result: RunResult, rule: RuleResult) -> str:
    """error only for what fails the run (per --fail-on and the baseline); other failures are notes."""
    return LEVELS.get(rule.severity, "warning") if result.fails_the_run(rule) else "note"


def _result(result: RunResult, rule: RuleResult, rule_id: str, index: int, sample: Finding | None) -> dict:
    counts = f"{rule.failed}/{rule.checked} ({fmt_rate(rule.rate)})"
    detail = ""
    if sample is not None:
        value = "∅" if sample.value is None else sample.value
        detail = (f" — {sample.key} = {value}" if sample.key is not None else f" — {value}")
    location: dict = {"artifactLocation": {"uri": _uri(result, sample.file if sample else None)}}
    if sample is not None and sample.line is not None and sample.line >= 1:
        location["region"] = {"startLine": int(sample.line)}
    out = {
        "ruleId": rule_id, "ruleIndex": index, "level": _level(result, rule), "kind": "fail",
        "message": {"text": f"{rule.message_zh}{detail}\n{rule.message_en} [{counts}]".strip()},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"jianheFinding/v1": _fingerprint(rule, sample)},
        "properties": {"table": rule.table, "failed": rule.failed, "checked": rule.checked,
                       "key": sample.key if sample else None, "value": sample.value if sample else None},
    }
    if rule.baseline:
        out["baselineState"] = {"new": "new", "grown": "updated", "unchanged": "unchanged"}.get(
            rule.baseline["status"], "unchanged")
        out["properties"]["baseline"] = rule.baseline
    if sample is not None and (sample.excused or sample.waived):
        out["suppressions"] = [{"kind": "inSource" if sample.excused else "external", "status": "accepted",
                                "justification": "备注豁免 excused by a 备注 token" if sample.excused
                                else "waived (see manifest.json waivers)"}]
    return out


def build(result: RunResult) -> dict:
    ids = _rule_ids(result)
    rules, results = [], []
    for i, rule in enumerate(result.rules):
        shown = [s for s in rule.samples]
        if rule.status != "failed" and not shown:
            continue
        index = len(rules)
        rules.append(_descriptor(rule, ids[i]))
        if not shown:
            results.append(_result(result, rule, ids[i], index, None))
        results += [_result(result, rule, ids[i], index, s) for s in shown]
    notes = [{"level": "note", "message": {"text": f"{r.table}/{r.id} not run: {r.note or ''}".strip()},
              "descriptor": {"id": ids[i]}}
             for i, r in enumerate(result.rules) if r.status == "not_run"]
    engine = result.engine or {}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "jianhe", "fullName": "jianhe 检核",
                                "version": str(engine.get("jianhe", "")), "rules": rules,
                                "properties": {"pack": result.pack, "engine": engine}}},
            "automationDetails": {"id": f"jianhe/{(result.pack or {}).get('name', '')}/"},
            "invocations": [{"executionSuccessful": True, "startTimeUtc": result.started_at.replace("+00:00", "Z"),
                             "toolExecutionNotifications": notes,
                             "properties": {"verdict": result.verdict, "fail_on": result.fail_on,
                                            "verdict_reasons": list(result.verdict_reasons)}}],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"submission": result.submission, "summary": result.summary()},
        }],
    }


def render(result: RunResult, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, json.dumps(build(result), ensure_ascii=False, indent=2) + "\n")
