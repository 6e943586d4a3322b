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

A pack whose derivation names an official-id file with the regulator's own rule register
(``derive: {official_ids: …}`` whose file says ``register: official/rules.csv``, as east5 does)
needs no hand-written register: every rule of the regulator's register gets its status from the
pack as it is now (:func:`register_coverage`) — implemented by the rules carrying its number
(final number or JHGZ), retired in the Q&A batch that deleted it, not applicable when its table or
field is not in the final version, removable (检核规则 (可删除)), not expressible with the reason
given in the spec's ``unexpressed/*.yaml`` lists, else not implemented. Rules added to the pack
later are picked up by their ids the next time the command runs.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from .derive import OfficialIds, official_ids
from .errors import Location, RuleFileError
from .ruleset import REQUIREMENTS_FILE, RulePack
from .yamlio import load_yaml

FILENAME = REQUIREMENTS_FILE
STATUSES = ("implemented", "partial", "not_checkable", "retired", "not_applicable")
# statuses of a rule of the regulator's register (register_coverage)
REGISTER_STATUSES = ("implemented", "not_expressible", "not_implemented", "retired", "not_applicable", "removable")
NOT_APPLYING = ("retired", "not_applicable", "removable")
BATCH_NAMES = {"2022.1": "填报口径第一期", "2022.2": "填报口径第二期", "2022.3": "填报口径第三期", "2022.4": "填报口径第四期"}


@dataclass
class Requirement:
    id: str
    text: str
    status: str
    rules: list[str] = field(default_factory=list)
    why: str = ""
    active_rules: list[str] = field(default_factory=list)  # of ``rules``, those active in the pack version
    category: str = ""  # official 检核类型 (regulator's register only), as are the three below
    number: str = ""  # final number
    table: str = ""
    field: str = ""


@dataclass
class Coverage:
    pack: str
    version: str
    source: str
    requirements: list[Requirement]
    statuses: tuple[str, ...] = STATUSES

    def counts(self, requirements: list[Requirement] | None = None) -> dict[str, int]:
        requirements = self.requirements if requirements is None else requirements
        counted = Counter(r.status for r in requirements)
        return {"total": len(requirements), **{s: counted.get(s, 0) for s in self.statuses}}

    def by_category(self) -> dict[str, dict[str, int]]:
        """Counts per official 检核类型, in the register's order of first appearance."""
        groups: dict[str, list[Requirement]] = {}
        for r in self.requirements:
            groups.setdefault(r.category, []).append(r)
        return {category: self.counts(items) for category, items in groups.items()}

    def share_implemented(self) -> float:
        """Implemented share of the requirements that apply (retired, not applicable, removable excluded)."""
        applicable = [r for r in self.requirements if r.status not in NOT_APPLYING]
        return sum(r.status == "implemented" for r in applicable) / len(applicable) if applicable else 1.0


def register_path(pack: RulePack) -> Path:
    return Path(pack.path) / FILENAME


def load_coverage(pack: RulePack) -> Coverage:
    """Read and check the pack's register; errors name file, line and requirement."""
    path = register_path(pack)
    if not path.is_file():
        official = official_register(pack)
        if official is not None:
            return register_coverage(pack, official)
        raise RuleFileError(f"pack {pack.name} has no requirement register ({path.name} beside pack.yaml)")
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("requirements"), list):
        raise RuleFileError("expected a mapping with a 'requirements' list", Location(str(path), 1))
    known = {r.id for r in pack.base_rules}
    active = {r.id for r in pack.rules}
    items = [_requirement(item, path, known, active) for item in doc["requirements"]]
    _no_duplicates(items, doc["requirements"], path)
    return Coverage(pack.name, pack.version, str(doc.get("source", "")), items)


def official_register(pack: RulePack) -> OfficialIds | None:
    """The pack's official-id file when it names the regulator's register (pack.yaml derive.official_ids)."""
    meta = load_yaml(Path(pack.path) / "pack.yaml")
    derive = dict(meta.get("derive") or {}) if isinstance(meta, dict) else {}
    official = official_ids(Path(pack.base_catalog.path if pack.base_catalog else pack.catalog.path), derive)
    return official if official is not None and official.register is not None else None


def register_rows(register: Path) -> list[dict]:
    """The regulator's rule register (specs/…/official/rules.csv) in its own order."""
    if not register.is_file():
        raise RuleFileError(f"official rule register not found: {register}")
    with open(register, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_unexpressed(folder: Path | None, known: set[str]) -> dict[str, str]:
    """Official id -> why no rule can express it, from every ``folder/*.yaml`` (lists of {official, why})."""
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder and folder.is_dir() else []:
        doc = load_yaml(path) or []
        if not isinstance(doc, list):
            raise RuleFileError("expected a list of {official: <final number or JHGZ>, why: ...}", Location(str(path), 1))
        for item in doc:
            line = getattr(item, "line", None)
            if not isinstance(item, dict) or not str(item.get("official") or "").strip() or not str(item.get("why") or "").strip():
                raise RuleFileError("each entry needs 'official' (final number or JHGZ) and 'why'", Location(str(path), line))
            number = str(item["official"]).strip()
            if number not in known:
                raise RuleFileError(f"'{number}' is neither a final number nor a JHGZ number of the register",
                                    Location(str(path), line, key="official"))
            out.setdefault(number, str(item["why"]).strip())
    return out


def register_coverage(pack: RulePack, official: OfficialIds) -> Coverage:
    """Every rule of the regulator's register with its status in the pack as loaded (see the module docstring)."""
    rows = register_rows(official.register)
    known = {r[k] for r in rows for k in ("final", "jhgz") if r[k]}
    unexpressed = load_unexpressed(official.unexpressed, known)
    active = {r.id for r in pack.rules}
    every = {r.id: r for r in pack.base_rules}
    twins = official.workbook_ids()
    items = [_register_requirement(row, active, every, unexpressed, pack, twins) for row in rows]
    source = f"official rule register {official.register.parent.name}/{official.register.name} ({len(rows)} rules)"
    return Coverage(pack.name, pack.version, source, items, REGISTER_STATUSES)


def _register_requirement(row: dict, active: set[str], every: dict, unexpressed: dict[str, str],
                          pack: RulePack, twins: dict[str, str]) -> Requirement:
    ids = [i for i in (row["final"], row["jhgz"], twins.get(row["jhgz"])) if i]
    ids = list(dict.fromkeys(ids))
    status, rules, why = _register_status(row, ids, active, every, unexpressed, pack)
    return Requirement(row["jhgz"] or row["final"], row["final_text"] or row["text"], status, rules, why,
                       [r for r in rules if r in active], row["category"] or "（答疑新增）", row["final"],
                       row["final_table"] or row["table_code"] or row["table"], row["final_field"] or row["field_code"])


def _register_status(row: dict, ids: list[str], active: set[str], every: dict, unexpressed: dict[str, str],
                     pack: RulePack) -> tuple[str, list[str], str]:
    if row["status"] == "removable":
        return "removable", [], "检核规则 (可删除): the regulator marks it removable"
    if row["status"] == "not_in_final":
        where = (f"field {row['field']} ({row['field_code']}) is not in {row['final_table']}" if row["final_table"]
                 else f"table {row['table']} is not among the final tables")
        return "not_applicable", [], f"{where} (final version of the standard)"
    if row["status"] == "deleted":
        batch = next((item.split(":")[0] for item in row["history"].split("|") if item.endswith(":删除")), "")
        return "retired", [i for i in ids if i in every], f"deleted by {BATCH_NAMES.get(batch, batch)} ({batch})"
    implemented = [i for i in ids if i in active]
    if implemented:
        return "implemented", implemented, ""
    reason = next((unexpressed[i] for i in ids if i in unexpressed), None)
    if reason:
        return "not_expressible", [], reason
    inactive = [i for i in ids if i in every]
    return "not_implemented", inactive, (f"rule {inactive[0]} is not active in {pack.version}" if inactive
                                          else "no rule of the pack carries this number")


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


def _is_register(coverage: Coverage) -> bool:
    return coverage.statuses == REGISTER_STATUSES


def render(coverage: Coverage, fmt: str = "table") -> str:
    if fmt == "json":
        extra = {"by_category": coverage.by_category()} if _is_register(coverage) else {}
        return json.dumps({"pack": coverage.pack, "version": coverage.version, "source": coverage.source,
                           "counts": coverage.counts(), **extra,
                           "implemented_share": round(coverage.share_implemented(), 4),
                           "requirements": [asdict(r) for r in coverage.requirements]}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        register = _is_register(coverage)
        writer.writerow(["id", "status", "rules", "text", "why"]
                        + (["number", "category", "table", "field"] if register else []))
        for r in coverage.requirements:
            writer.writerow([r.id, r.status, " ".join(r.rules), r.text, r.why]
                            + ([r.number, r.category, r.table, r.field] if register else []))
        return out.getvalue().rstrip("\n")
    if _is_register(coverage):
        return _register_table(coverage)
    lines = [f"{coverage.pack} {coverage.version}: {coverage.source}".rstrip(": ")]
    for r in coverage.requirements:
        detail = ", ".join(r.rules) if r.status == "implemented" else r.why
        lines.append(f"  {r.id:<16} {r.status:<14} {r.text[:40]:<40}  {detail}")
    counts = coverage.counts()
    lines.append(f"{counts['total']} requirements: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES)
                 + f"; implemented {coverage.share_implemented():.0%} of those that apply")
    return "\n".join(lines)


def _register_table(coverage: Coverage) -> str:
    """Counts per official 检核类型 (the rules themselves are in the JSON and CSV outputs)."""
    heads = ("official", *coverage.statuses)
    lines = [f"{coverage.pack} {coverage.version}: {coverage.source}",
             f"  {_pad('检核类型', 38)}" + "".join(f"{h:>16}" for h in heads)]
    rows = list(coverage.by_category().items()) + [("total", coverage.counts())]
    for category, counts in rows:
        lines.append(f"  {_pad(category, 38)}" + f"{counts['total']:>16}"
                     + "".join(f"{counts[s]:>16}" for s in coverage.statuses))
    lines.append(f"implemented {coverage.share_implemented():.0%} of the {sum(r.status not in NOT_APPLYING for r in coverage.requirements)} "
                 "rules that apply (retired, not applicable and removable rules excluded)")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if ord(ch) > 0x2e80 else 1 for ch in text)
    return text + " " * max(width - used, 1)


@dataclass(frozen=True)
class OfficialRule:
    """A rule of the regulator's register as its workbook shows it: place in the workbook, label, text."""

    order: int
    category: str
    text: str


def official_rules_of(pack_name: str | None) -> dict[str, OfficialRule]:
    """Rule id (final number, else JHGZ) -> the register's entry, for the pack called ``pack_name`` when its
    derivation names the regulator's register (empty otherwise): the 检核结果及备案表 follows the workbook."""
    from .changelog import _folder_of  # finds a pack folder by the name a report records

    folder = _folder_of(pack_name) if pack_name else None
    if folder is None:
        return {}
    meta = load_yaml(folder / "pack.yaml")
    derive = dict(meta.get("derive") or {})
    official = official_ids((folder / meta["spec"]).resolve(), derive) if derive.get("official_ids") else None
    if official is None or official.register is None or not official.register.is_file():
        return {}
    return dict(_official_rules(str(official.register), official.register.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _official_rules(register: str, _mtime: int) -> tuple[tuple[str, OfficialRule], ...]:
    out: dict[str, OfficialRule] = {}
    for order, row in enumerate(register_rows(Path(register))):
        if row["status"] in ("removable", "not_in_final"):
            continue
        entry = OfficialRule(order, row["category"], row["final_text"] or row["text"])
        for number in (row["final"], row["jhgz"]):
            if number:
                out.setdefault(number, entry)
    return tuple(out.items())
