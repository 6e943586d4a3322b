"""The results model of ``jianhe reconcile``; every renderer reads it.

Amounts are decimal strings (exact, 2 decimals for balances), values are the texts as written
in the files (what each side has to correct), ordering is deterministic: rules in pack order,
findings by rule, class, match key and first record.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field as dc_field

from ..rules.reconcile.classes import CHANGES, CLASSES, DISCREPANCIES, RECIPIENT_KINDS, STATUSES
from .routing import Recipient

SCHEMA_VERSION = "1.0"


def _class_counts(findings: list) -> dict[str, int]:
    """Findings per discrepancy class, in the classes' order, classes without findings left out."""
    counts = Counter(f.cls for f in findings)
    return {c: counts[c] for c in DISCREPANCIES if counts[c]}


@dataclass
class Record:
    file: str
    line: int
    key: str | None
    values: dict[str, str | None]  # field code → the text as written


@dataclass
class Comparison:
    """One compared field of a 1:1 pair: both values side by side."""

    field: str
    other: str
    name: str
    role: str  # balance | compare
    debt: str | None
    creditor: str | None
    differs: bool
    tolerance: str


@dataclass
class Finding:
    id: str
    rule: str
    cls: str
    match_key: list[str | None]
    key_complete: bool
    debt: list[Record]
    creditor: list[Record]
    differing_fields: list[str]
    comparison: list[Comparison]
    balance_debt: str | None
    balance_creditor: str | None
    balance_difference: str | None
    recipient: Recipient
    unit_factor: bool = False
    # the balances differ by a unit factor: {factor, corrected (debt balance × factor), remaining (corrected − creditor)}
    scale: dict | None = None
    # how the records were paired: {stage: key | fallback, keys: the names matched on, outside_scope, note}
    match: dict | None = None
    creditor_recipient: Recipient | None = None  # bank loans: the lending branch (or the head office)
    ref: str = ""  # the difference's stable identifier (rule: normalised keys), the same from month to month
    status: str = "待确认"  # 待确认 | 已确认 | 有异议, from the recipients' replies (engine/reconcile/replies.py)
    first_reported: str | None = None  # the month (folder name) the difference was first reported
    replies: list[dict] = dc_field(default_factory=list)

    def recipients(self) -> list[Recipient]:
        """Who follows the finding up: the debt side's recipient, then the creditor side's."""
        return [self.recipient] + ([self.creditor_recipient] if self.creditor_recipient else [])

    def to_dict(self) -> dict:
        """The finding as reconcile.json holds it (records, recipients and comparisons as dataclasses)."""
        c = CLASSES[self.cls]
        return {"id": self.id, "ref": self.ref, "rule": self.rule, "class": self.cls, "term": c.term, "label": c.label_zh,
                "status": self.status, "first_reported": self.first_reported, "replies": self.replies,
                "match_key": self.match_key, "key_complete": self.key_complete,
                "differing_fields": self.differing_fields, "unit_factor": self.unit_factor,
                "scale": self.scale, "match": self.match,
                "balance": {"debt": self.balance_debt, "creditor": self.balance_creditor,
                            "difference": self.balance_difference},
                "recipient": self.recipient, "creditor_recipient": self.creditor_recipient,
                "debt": self.debt, "creditor": self.creditor, "comparison": self.comparison}


@dataclass
class FieldPair:
    role: str  # key | balance | compare | show
    field: str | None
    other: str | None
    name: str
    other_name: str | None
    rule: str  # normalisation or tolerance, in words


@dataclass
class RuleRun:
    id: str
    message: str
    debt_table: str
    debt_table_name: str
    creditor_table: str
    creditor_table_name: str
    scope_debt: str | None
    scope_creditor: str | None
    fields: list[FieldPair]
    thresholds: dict
    shown: list[dict] = dc_field(default_factory=list)  # {side, field, name}: context fields a finding shows
    status: str = "run"  # run | not_run
    note: str | None = None
    records_debt: int = 0
    records_creditor: int = 0
    reconciled_debt: int = 0
    reconciled_creditor: int = 0
    counts: dict[str, int] = dc_field(default_factory=lambda: {c: 0 for c in CLASSES})


@dataclass
class Change:
    rule: str
    side: str  # debt | creditor
    change: str
    match_key: list[str | None]
    records_now: int | None
    records_before: int | None
    balance_now: str | None
    balance_before: str | None
    fields: list[str]
    file: str | None
    line: int | None
    previous_file: str | None
    previous_line: int | None


@dataclass
class UnitTotal:
    uscc: str
    name: str | None
    registered: bool
    records_debt: int
    records_creditor: int
    balance_debt: str
    balance_creditor: str
    difference: str


@dataclass
class InputTable:
    table: str
    name: str
    role: str  # current | previous
    files: list[str]
    rows_read: int
    rows_rejected: int


@dataclass
class OutOfScope:
    table: str
    file: str
    line: int
    key: str | None
    note: str


@dataclass
class ReconcileResult:
    submission: str
    previous: str | None
    pack: dict
    engine: dict
    options: dict
    started_at: str
    duration_s: float
    rules: list[RuleRun]
    findings: list[Finding]
    changes: list[Change] | None = None
    units: list[UnitTotal] = dc_field(default_factory=list)
    inputs: list[InputTable] = dc_field(default_factory=list)
    file_findings: list[dict] = dc_field(default_factory=list)
    out_of_scope: list[OutOfScope] = dc_field(default_factory=list)
    # --replies: {folder, files, problems, resolved: differences a reply names that are gone this month}
    replies: dict | None = None
    schema_version: str = SCHEMA_VERSION

    @property
    def verdict(self) -> str:
        """'matched' only when every record was read, every rule ran and every group matched
        (an empty file — a month without registry records — is a weak file finding, not a difference)."""
        clean = (not self.findings and all(r.status == "run" for r in self.rules)
                 and not any(t.rows_rejected for t in self.inputs)
                 and not any(f["severity"] == "strong" for f in self.file_findings))
        return "matched" if clean else "differences"

    def counts(self) -> dict[str, int]:
        return {c: sum(r.counts[c] for r in self.rules) for c in CLASSES}

    def recipients(self) -> list[dict]:
        """Findings grouped by who follows them up: units, then finance departments, then the province."""
        groups: dict[Recipient, list[Finding]] = {}
        for f in self.findings:
            for rec in f.recipients():
                groups.setdefault(rec, []).append(f)
        out = []
        for rec in sorted(groups, key=lambda r: r.sort_key):
            items = groups[rec]
            out.append({"kind": rec.kind, "kind_label": RECIPIENT_KINDS[rec.kind][0], "code": rec.code, "name": rec.name,
                        "note": rec.note,
                        "counts": _class_counts(items),
                        "findings": [f.id for f in items]})
        return out

    def summary(self) -> dict:
        counts = self.counts()
        return {"verdict": self.verdict, "groups": counts,
                "discrepancies": sum(counts[c] for c in DISCREPANCIES),
                "records_debt": sum(r.records_debt for r in self.rules),
                "records_creditor": sum(r.records_creditor for r in self.rules),
                "reconciled_debt": sum(r.reconciled_debt for r in self.rules),
                "reconciled_creditor": sum(r.reconciled_creditor for r in self.rules),
                "rules_not_run": sum(r.status != "run" for r in self.rules),
                "rows_rejected": sum(t.rows_rejected for t in self.inputs),
                "out_of_scope": len(self.out_of_scope),
                "recipients": len({r for f in self.findings for r in f.recipients()}),
                "statuses": {st: sum(f.status == st for f in self.findings) for st in STATUSES},
                "resolved": None if self.replies is None else len(self.replies["resolved"]),
                "changes": None if self.changes is None else {
                    side: {k: sum(c.side == side and c.change == k for c in self.changes) for k in CHANGES if k != "unchanged"}
                    for side in ("debt", "creditor")}}

    def to_dict(self) -> dict:
        """The tree of reconcile.json. Dataclasses stand for their fields in declaration order, as orjson
        writes them: no copy of 10⁵ findings' records into dicts first."""
        return {
            "schema_version": self.schema_version, "kind": "reconcile", "verdict": self.verdict,
            "submission": self.submission, "previous": self.previous, "pack": self.pack, "engine": self.engine,
            "options": self.options, "started_at": self.started_at, "duration_s": self.duration_s,
            "summary": self.summary(),
            "classes": [{"code": c.code, "term": c.term, "label_zh": c.label_zh, "label_en": c.label_en,
                         "discrepancy": c.discrepancy, "definition_zh": c.definition_zh,
                         "definition_en": c.definition_en} for c in CLASSES.values()],
            "rules": self.rules,
            "inputs": self.inputs,
            "file_findings": self.file_findings,
            "out_of_scope": self.out_of_scope,
            "findings": [f.to_dict() for f in self.findings],
            "recipients": self.recipients(),
            "changes": self.changes,
            "units": self.units,
            "replies": self.replies,
        }
