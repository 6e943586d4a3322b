"""Requirement coverage of a pack: every checkable requirement of its source document, with its status.

A pack may keep beside its pack.yaml a ``requirements.yaml``::

    source: 银行地方政府融资平台信贷管理工作指导意见 (shared/reference/sources/002_….txt)
    requirements:
      - id: 第四条(三)               # the place in the source: article, annex item, rule number
        text: 直辖市所辖区按市级平台管理
        status: implemented          # implemented | partial | not_checkable | retired | not_applicable
        rules: [LGFV.LEVEL.municipal]
        why: …                       # required unless implemented: what is missing, or why no data shows it

``jianhe rules coverage --pack X`` checks the register against the pack (every rule named must
exist in the pack's history; an implemented requirement must name at least one active rule) and
prints it as a table, JSON or CSV, with the counts per status.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import Location, RuleFileError
from .ruleset import REQUIREMENTS_FILE, RulePack
from .yamlio import load_yaml

FILENAME = REQUIREMENTS_FILE
STATUSES = ("implemented", "partial", "not_checkable", "retired", "not_applicable")


@dataclass
class Requirement:
    id: str
    text: str
    status: str
    rules: list[str] = field(default_factory=list)
    why: str = ""
    active_rules: list[str] = field(default_factory=list)  # of ``rules``, those active in the pack version


@dataclass
class Coverage:
    pack: str
    version: str
    source: str
    requirements: list[Requirement]

    def counts(self) -> dict[str, int]:
        counted = Counter(r.status for r in self.requirements)
        return {"total": len(self.requirements), **{s: counted.get(s, 0) for s in STATUSES}}

    def share_implemented(self) -> float:
        """Implemented share of the requirements that apply (retired and not applicable excluded)."""
        applicable = [r for r in self.requirements if r.status not in ("retired", "not_applicable")]
        return sum(r.status == "implemented" for r in applicable) / len(applicable) if applicable else 1.0


def register_path(pack: RulePack) -> Path:
    return Path(pack.path) / FILENAME


def load_coverage(pack: RulePack) -> Coverage:
    """Read and check the pack's register; errors name file, line and requirement."""
    path = register_path(pack)
    if not path.is_file():
        raise RuleFileError(f"pack {pack.name} has no requirement register ({path.name} beside pack.yaml)")
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("requirements"), list):
        raise RuleFileError("expected a mapping with a 'requirements' list", Location(str(path), 1))
    known = {r.id for r in pack.base_rules}
    active = {r.id for r in pack.rules}
    items = [_requirement(item, path, known, active) for item in doc["requirements"]]
    _no_duplicates(items, doc["requirements"], path)
    return Coverage(pack.name, pack.version, str(doc.get("source", "")), items)


def _requirement(item, path: Path, known: set[str], active: set[str]) -> Requirement:
    line = item.line_of("id") if hasattr(item, "line_of") else None

    def fail(message: str, key: str | None = None):
        at = item.line_of(key) if key and hasattr(item, "line_of") else line
        raise RuleFileError(message, Location(str(path), at, key=str(item.get("id", "?")) if isinstance(item, dict) else None))

    if not isinstance(item, dict) or not item.get("id") or not item.get("text"):
        fail("each requirement needs an id (its place in the source) and a text")
    status = item.get("status")
    if status not in STATUSES:
        fail(f"status must be one of {', '.join(STATUSES)}, not {status!r}", "status")
    rules = [str(r) for r in (item.get("rules") or [])]
    unknown = [r for r in rules if r not in known]
    if unknown:
        fail(f"names rule(s) the pack does not have: {', '.join(unknown)}", "rules")
    if status == "implemented" and not any(r in active for r in rules):
        fail("implemented, but names no rule active in this pack version", "rules")
    if status != "implemented" and not str(item.get("why") or "").strip():
        fail(f"status {status} needs a 'why'", "status")
    return Requirement(str(item["id"]), str(item["text"]), status, rules, str(item.get("why") or ""),
                       [r for r in rules if r in active])


def _no_duplicates(items: list[Requirement], raw: list, path: Path) -> None:
    seen: set[str] = set()
    for req, item in zip(items, raw):
        if req.id in seen:
            raise RuleFileError(f"requirement {req.id} is listed twice",
                                Location(str(path), item.line_of("id") if hasattr(item, "line_of") else None))
        seen.add(req.id)


def render(coverage: Coverage, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps({"pack": coverage.pack, "version": coverage.version, "source": coverage.source,
                           "counts": coverage.counts(), "implemented_share": round(coverage.share_implemented(), 4),
                           "requirements": [asdict(r) for r in coverage.requirements]}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "status", "rules", "text", "why"])
        for r in coverage.requirements:
            writer.writerow([r.id, r.status, " ".join(r.rules), r.text, r.why])
        return out.getvalue().rstrip("\n")
    lines = [f"{coverage.pack} {coverage.version}: {coverage.source}".rstrip(": ")]
    for r in coverage.requirements:
        detail = ", ".join(r.rules) if r.status == "implemented" else r.why
        lines.append(f"  {r.id:<16} {r.status:<14} {r.text[:40]:<40}  {detail}")
    counts = coverage.counts()
    lines.append(f"{counts['total']} requirements: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES)
                 + f"; implemented {coverage.share_implemented():.0%} of those that apply")
    return "\n".join(lines)
