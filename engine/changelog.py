"""The changelog between two versions of a pack, generated from the pack itself.

Rules are matched by (table, id); a rule present only in the newer version is added, only in
the older one retired, in both but different (kind, field, condition, parameters, severity,
category, message) changed — with the reasons the pack records for the versions in between.
Code-list changes are listed too.
"""
from __future__ import annotations

from dataclasses import dataclass

from .compile import natural_key
from .ruleset import RulePack

COMPARED = ("kind", "field", "when", "severity", "category", "params", "message_zh")


@dataclass
class Change:
    kind: str  # added | retired | changed | codelist
    table: str
    rule_id: str
    what: str
    reasons: list[str]


def _reasons(rule, pack: RulePack, v1: str, v2: str) -> list[str]:
    rank = pack.version_rank
    return [f"{c['version']}: {c.get('reason', '')}".rstrip(": ") for c in rule.changes
            if rank[v1] < rank[c["version"]] <= rank[v2]]


def diff(pack: RulePack, v1: str, v2: str) -> list[Change]:
    old, new = pack.at(v1), pack.at(v2)
    base = {(r.table, r.id): r for r in pack.base_rules}
    before = {(r.table, r.id): r for r in old.rules}
    after = {(r.table, r.id): r for r in new.rules}
    changes: list[Change] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], natural_key(k[1]))):
        reasons = _reasons(base[key], pack, v1, v2) if key in base else []
        if key not in before:
            changes.append(Change("added", *key, after[key].message_zh, reasons))
        elif key not in after:
            changes.append(Change("retired", *key, before[key].message_zh, reasons))
        else:
            diffs = [f"{attr}: {getattr(before[key], attr)!r} → {getattr(after[key], attr)!r}"
                     for attr in COMPARED if getattr(before[key], attr) != getattr(after[key], attr)]
            if diffs:
                changes.append(Change("changed", *key, "; ".join(diffs), reasons))
    for name in sorted(pack.catalog.codelists):
        a, b = old.catalog.codelists[name], new.catalog.codelists[name]
        if (a.values, a.other, a.other_prefixes) != (b.values, b.other, b.other_prefixes):
            added = [v for v in b.values if v not in a.values]
            removed = [v for v in a.values if v not in b.values]
            what = "; ".join(filter(None, [f"added {added}" if added else "", f"removed {removed}" if removed else "",
                                           f"X-XX prefixes {list(a.other_prefixes)} → {list(b.other_prefixes)}"
                                           if a.other_prefixes != b.other_prefixes else ""]))
            rank = pack.version_rank
            reasons = [f"{c['version']}: {c.get('reason', '')}".rstrip(": ") for c in pack.base_catalog.codelists[name].changes
                       if rank[v1] < rank[c["version"]] <= rank[v2]]
            changes.append(Change("codelist", "*", name, what, reasons))
    return changes


def render(changes: list[Change], v1: str, v2: str) -> str:
    lines = [f"# changes {v1} → {v2}: " + ", ".join(
        f"{sum(c.kind == k for c in changes)} {k}" for k in ("added", "retired", "changed", "codelist"))]
    for c in changes:
        lines.append(f"{c.kind:<8} {c.table:<10} {c.rule_id:<28} {c.what}")
        lines += [f"{'':<48}reason {r}" for r in c.reasons]
    return "\n".join(lines)
