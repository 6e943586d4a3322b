"""Waivers (``--waivers waivers.yaml``): approved, dated exceptions for known failures.

A waiver names a rule (id or glob) in a table, optionally only some records (keys, as the
report shows them, or globs of them), with a reason, an approver and an expiry date::

    waivers:
      - rule: GRXDYWJJB.DKJE.format
        table: GRXDYWJJB
        key: [L20240001|20240630, L2023*]   # optional; omitted = every failure of the rule
        reason: 迁移遗留数据，2024Q3 修复
        approver: 张三
        expiry: 2024-09-30                  # valid through this day

A waived failure stays in the evidence (marked ``waived``) and is counted in ``waived``, not in
``failed``, so it does not affect the verdict — like a 备注 excuse. An expired waiver covers
nothing and fails the run (exit 1) until it is renewed or removed; every waiver is recorded in
the manifest with how many failures it covered. A malformed file is an error naming file:line.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jsonschema

from .errors import Location, RuleFileError
from .dialects.quoting import sql_quote
from .spec import node_line
from .yamlio import LocDict, load_yaml

GLOB_CHARS = set("*?[")
_TEXT = {"type": "string", "minLength": 1}
SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["waivers"],
    "properties": {"waivers": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["rule", "reason", "approver", "expiry"],
        "properties": {
            "rule": {"type": ["string", "integer"]},
            "table": _TEXT,
            "key": {"anyOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}]},
            "reason": _TEXT, "approver": _TEXT,
            "expiry": {},  # a YAML date or a YYYY-MM-DD string: checked below
        }}}},
}


@dataclass(frozen=True)
class Waiver:
    rule: str
    table: str | None
    keys: tuple[str, ...]  # empty: every failure of the rule
    reason: str
    approver: str
    expiry: date
    source: str  # file:line

    def expired(self, today: date) -> bool:
        return today > self.expiry

    def covers_rule(self, rule_id: str, table: str) -> bool:
        return (self.table is None or self.table == table) and fnmatch.fnmatchcase(rule_id, self.rule)


@dataclass
class WaiverSet:
    path: Path
    waivers: list[Waiver]
    today: date

    @property
    def expired(self) -> list[Waiver]:
        return [w for w in self.waivers if w.expired(self.today)]


def load_waivers(path: Path, today: date | None = None) -> WaiverSet:
    """Parse and check a waivers file; any mistake is a RuleFileError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(f"waivers file not found: {path}")
    try:
        doc = load_yaml(path)
    except ValueError as exc:  # PyYAML turns 2024-02-30 into a date and fails on it
        if isinstance(exc, RuleFileError):
            raise
        _fail(path, f"expiry must be a real date YYYY-MM-DD ({exc})", _bad_date_line(path))
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc), key=lambda e: len(e.path))
    if errors:
        err = errors[0]
        where = "/".join(map(str, err.path)) or None
        message = err.message
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            bad = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            if bad:
                message = f"unknown key '{bad[0]}' (allowed: {', '.join(err.schema['properties'])})"
                return _fail(path, message, node_line(doc, [*err.path, bad[0]]), where)
        _fail(path, message, node_line(doc, list(err.path)), where)
    return WaiverSet(path, [_waiver(item, path) for item in doc["waivers"]], today or date.today())


def _bad_date_line(path: Path) -> int | None:
    """The first line holding a YYYY-MM-DD value that is not a real date."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for text in re.findall(r"\b\d{4}-\d{1,2}-\d{1,2}\b", line):
            try:
                date(*map(int, text.split("-")))
            except ValueError:
                return number
    return None


def _fail(path: Path, message: str, line: int | None, key: str | None = None):
    raise RuleFileError(message, Location(str(path), line, key=key))


def _waiver(item: LocDict, path: Path) -> Waiver:
    expiry = item["expiry"]
    if isinstance(expiry, str):
        try:
            expiry = date.fromisoformat(expiry) if len(expiry) == 10 else None
        except ValueError:
            expiry = None
    if not isinstance(expiry, date):
        _fail(path, f"expiry must be a date YYYY-MM-DD, not {item['expiry']!r}", item.line_of("expiry"), "expiry")
    keys = item.get("key", [])
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    return Waiver(str(item["rule"]), item.get("table"), keys, item["reason"], item["approver"], expiry,
                  f"{path}:{item.line}")


def check_against(waivers: WaiverSet, pack) -> WaiverSet:
    """Tables are resolved (code or Chinese name); a table or rule the pack does not know is an error."""
    from dataclasses import replace

    from .changelog import aliases  # an old id of a renamed rule still names it

    renamed = aliases(pack)
    resolved = []
    for w in waivers.waivers:
        w = replace(w, rule=renamed.get(w.rule, w.rule))
        file, line = w.source.rsplit(":", 1)
        table = w.table
        if table is not None:
            spec = pack.catalog.table(table)
            if spec is None and table != "*":
                _fail(Path(file), f"waiver names unknown table '{table}'", int(line), "table")
            table = spec.code if spec else table
        known = [r for r in pack.rules if (table is None or r.table == table or table == "*")
                 and fnmatch.fnmatchcase(r.id, w.rule)]
        builtin = w.rule.startswith("FILE.")  # file checks are rules of every run, not of the pack
        if not known and not builtin:
            _fail(Path(file), f"waiver names rule '{w.rule}'" + (f" in table {table}" if table else "")
                  + f" that {pack.name} {pack.version} does not have", int(line), "rule")
        resolved.append(Waiver(w.rule, None if table == "*" else table, w.keys, w.reason, w.approver, w.expiry,
                               w.source))
    return WaiverSet(waivers.path, resolved, waivers.today)


def _key_condition(keys: tuple[str, ...]) -> str:
    if not keys:
        return "TRUE"
    exact = [k for k in keys if not GLOB_CHARS & set(k)]
    globs = [k for k in keys if GLOB_CHARS & set(k)]
    parts = ([f"_key IN ({', '.join(map(sql_quote, exact))})"] if exact else []) + [
        f"_key GLOB {sql_quote(g)}" for g in globs]
    return "(" + " OR ".join(parts) + ")"


def apply_waivers(con, plan, waivers: WaiverSet | None) -> list[dict]:
    """Mark the failures active waivers cover (``_waived``) in the run's ``_failures`` table; returns
    the manifest record of every waiver. Failures already excused by 备注 stay excused."""
    if not waivers:
        return []
    records = []
    for w in waivers.waivers:
        expired = w.expired(waivers.today)
        indexes = [e.index for e in plan.entries if w.covers_rule(e.rule.id, e.rule.table)]
        count = 0
        if indexes and not expired:
            count = con.execute(
                f"UPDATE _failures SET _waived = TRUE WHERE _rule IN ({', '.join(map(str, indexes))}) "
                f"AND NOT _excused AND NOT _waived AND {_key_condition(w.keys)}").fetchone()[0]
        records.append({"rule": w.rule, "table": w.table, "keys": list(w.keys), "reason": w.reason,
                        "approver": w.approver, "expiry": w.expiry.isoformat(),
                        "status": "expired" if expired else "active", "waived": int(count), "source": w.source})
    return records


def expiry_reasons(result) -> list[str]:
    """One line per expired waiver recorded in the run's manifest."""
    return [f"waiver expired on {w['expiry']} ({w['source']}): rule {w['rule']}"
            + (f" table {w['table']}" if w["table"] else "") + f", approved by {w['approver']} — renew or remove it"
            for w in (result.manifest or {}).get("waivers", []) if w.get("status") == "expired"]


def gate_expired(result) -> None:
    """Expired waivers fail the run: the verdict becomes not_ready and each is named as a reason."""
    reasons = [r for r in expiry_reasons(result) if r not in result.verdict_reasons]
    if reasons:
        result.verdict_reasons.extend(reasons)
    if expiry_reasons(result):
        result.verdict = "not_ready"
