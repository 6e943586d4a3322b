"""The changelog between two versions of a pack, generated from the pack itself.

Rules are matched by (table, id); a rule present only in the newer version is added, only in
the older one retired, in both but different (kind, field, condition, parameters, severity,
category, message) changed — with the reasons the pack records for the versions in between.
Code-list changes are listed too.

A rule renamed by the pack (one that took its official number: engine/aliases.py) keeps
its old id as an *alias*: :func:`aliases` gives old -> current id, :func:`canonical_id` resolves one
id, and waivers, baselines and ``jianhe rules show`` accept either.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .compile import natural_key
from .aliases import pack_aliases
from .errors import RuleFileError
from .ruleset import RulePack, pack_roots, resolve_pack_dir
from .yamlio import load_yaml

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
            other = ("其他-XX accepted" if b.other else "其他-XX no longer accepted") if a.other != b.other else ""
            what = "; ".join(filter(None, [f"added {added}" if added else "", f"removed {removed}" if removed else "",
                                           other,
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


def aliases(pack: RulePack) -> dict[str, str]:
    """Old id -> current id of every rule the pack renamed (empty when it renamed none)."""
    return dict(_aliases_of(str(Path(pack.path).resolve())))


def canonical_id(pack: RulePack, rule_id: str) -> str:
    """The pack's current id for ``rule_id`` (itself unless it is an old, renamed id)."""
    return aliases(pack).get(str(rule_id), str(rule_id))


def aliases_named(name: str | None) -> dict[str, str]:
    """Aliases of the pack called ``name`` (pack.yaml ``pack:``), found as :func:`resolve_pack_dir` finds
    packs; empty when no such pack is found (a report of a pack this installation does not have)."""
    folder = _folder_of(name) if name else None
    return dict(_aliases_of(str(folder.resolve()))) if folder else {}


def _folder_of(name: str) -> Path | None:
    try:
        candidates = [resolve_pack_dir(name)]
    except RuleFileError:
        candidates = []
    candidates += [p.parent for root in pack_roots() if root.is_dir() for p in sorted(root.glob("*/pack.yaml"))]
    for folder in candidates:
        meta = load_yaml(folder / "pack.yaml") if (folder / "pack.yaml").is_file() else {}
        if isinstance(meta, dict) and meta.get("pack") == name:
            return folder
    return None


@lru_cache(maxsize=16)
def _aliases_of(folder: str) -> tuple[tuple[str, str], ...]:
    return tuple(pack_aliases(Path(folder), load_yaml(Path(folder) / "pack.yaml")).items())
