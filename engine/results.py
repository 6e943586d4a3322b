"""The one results model every renderer reads (JSON, HTML, JUnit, console, xlsx).

Plain dataclasses; ``to_dict`` gives the JSON form described by reports/result.schema.json.
Ordering is deterministic: tables by code, rules by table then id, samples by file then line.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field as dc_field

SCHEMA_VERSION = "1.0"
SEVERITY_ORDER = {"strong": 3, "weak": 2, "info": 1}
SEVERITY_ZH = {"strong": "强校验", "weak": "弱校验", "info": "提示"}


@dataclass
class Finding:
    """One failing record: which rule, where (file + line, and key), and the (masked) value."""

    rule_id: str
    table: str
    file: str | None
    line: int | None
    key: str | None
    value: str | None
    excused: bool = False  # the row's 备注 carries a token that excuses this rule
    waived: bool = False  # a waiver (--waivers) covers this failure


@dataclass
class RuleResult:
    id: str
    table: str
    table_name: str
    kind: str
    category: str
    severity: str  # strong | weak | info
    message_zh: str
    message_en: str
    field: str | None = None
    field_name: str | None = None
    origin: str = "written"  # derived | written | builtin
    number_kind: str = "local"  # official | draft | local
    when: str | None = None
    status: str = "passed"  # passed | failed | not_run | not_applicable (a file check of a database or frame)
    checked: int = 0
    failed: int = 0
    rate: float = 0.0
    note: str | None = None
    excused: int = 0  # failures excused by 备注 tokens: reported, not counted in ``failed``
    samples: list[Finding] = dc_field(default_factory=list)
    waived: int = 0  # failures covered by a waiver: reported, not counted in ``failed``
    baseline: dict | None = None  # with --baseline: {status: new|grown|unchanged|fixed, failed, new}


@dataclass
class FileInfo:
    path: str
    bytes: int
    rows_read: int
    rows_rejected: int
    collection_date: str | None = None
    sha256: str | None = None
    encoding: str = "utf-8"


@dataclass
class TableResult:
    code: str
    name: str
    kind: str
    present: bool
    files: list[FileInfo] = dc_field(default_factory=list)
    rows_read: int = 0
    rows_checked: int = 0
    rows_rejected: int = 0
    rules: int = 0
    rules_failed: int = 0


@dataclass
class RunResult:
    submission: str
    pack: dict
    engine: dict
    options: dict
    started_at: str
    duration_s: float
    fail_on: str
    verdict: str = "ready"  # ready | not_ready
    tables: list[TableResult] = dc_field(default_factory=list)
    rules: list[RuleResult] = dc_field(default_factory=list)
    manifest: dict = dc_field(default_factory=dict)  # inputs (name, size, SHA-256, rows), waivers, timings
    schema_version: str = SCHEMA_VERSION
    verdict_reasons: list[str] = dc_field(default_factory=list)  # gates besides failed rules (baseline, waivers)
    baseline: dict | None = None  # with --baseline: the file compared against and counts per status
    # the whole (masked) record behind sampled findings, per table: {"fields": {code: Chinese name},
    # "records": {"file:line": {field code: value}}} (engine/backends/duckdb/records.py)
    records: dict[str, dict[str, dict]] = dc_field(default_factory=dict)

    def fails_the_run(self, rule: RuleResult) -> bool:
        """Whether this rule's failure is one the verdict counts (its severity at or above --fail-on;
        with a baseline, only when newly failing or grown): what JUnit and SARIF mark as failures."""
        if rule.status != "failed" or self.fail_on == "none" or SEVERITY_ORDER[rule.severity] < SEVERITY_ORDER[self.fail_on]:
            return False
        return self.baseline is None or bool(rule.baseline and rule.baseline.get("status") in ("new", "grown"))

    @property
    def failed_rules(self) -> list[RuleResult]:
        return [r for r in self.rules if r.status == "failed"]

    def summary(self) -> dict:
        failed = self.failed_rules
        return {
            "rules_total": len(self.rules),
            "rules_passed": sum(r.status == "passed" for r in self.rules),
            "rules_failed": len(failed),
            "rules_not_run": sum(r.status == "not_run" for r in self.rules),
            "rules_not_applicable": sum(r.status == "not_applicable" for r in self.rules),
            "failed_by_severity": {s: sum(r.severity == s for r in failed) for s in SEVERITY_ORDER},
            "findings_total": sum(r.failed for r in failed),
            "findings_excused": sum(r.excused for r in self.rules),
            "findings_waived": sum(r.waived for r in self.rules),
            "rows_read": sum(t.rows_read for t in self.tables),
            "rows_checked": sum(t.rows_checked for t in self.tables),
            "rows_rejected": sum(t.rows_rejected for t in self.tables),
        }

    def manifest_dict(self) -> dict:
        """What was run on what: the reproducibility record written beside every report."""
        return {"schema_version": self.schema_version, "submission": self.submission, "started_at": self.started_at,
                "pack": self.pack, "engine": self.engine, "options": self.options, **self.manifest}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["summary"] = self.summary()
        ordered = {k: data[k] for k in ("schema_version", "verdict", "fail_on", "submission", "pack", "engine",
                                       "options", "started_at", "duration_s", "summary", "verdict_reasons",
                                       "baseline", "manifest", "tables", "rules", "records")}
        return ordered


def verdict_for(rules: list[RuleResult], fail_on: str) -> str:
    """'not_ready' when any failed rule is at or above the --fail-on severity ('none' never fails)."""
    if fail_on == "none":
        return "ready"
    threshold = SEVERITY_ORDER[fail_on]
    return "not_ready" if any(r.status == "failed" and SEVERITY_ORDER[r.severity] >= threshold for r in rules) else "ready"
