"""Rules implied by the spec: every required flag, format code, code list, key and link.

Ids are stable: the official rule number where the spec records one, else
``<TABLE>.<FIELD>.<kind>`` — so baselines and waivers survive spec edits. A pack may name an
official-id file of its spec (``derive: {official_ids: official_ids.yaml}``, generated from the
regulator's rule register): a derived rule listed there takes the official number, 检核类型,
strong/weak flag and history, its local id staying valid as an alias (:func:`official_aliases`),
and the file may add rules the spec implies without deriving them (a date's length, a key that
must map to one value).
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path

from .errors import Location, RuleFileError
from .rules import Rule
from .rules.format import format_category
from .spec import Catalog, TableSpec
from .yamlio import load_yaml


def derive_rules(catalog: Catalog, options: dict) -> list[Rule]:
    enabled = {k: options.get(k, True) for k in ("required", "format", "codelist", "key", "links")}
    enabled["masking"] = options.get("masking", False)
    severity = options.get("severity", "strong")
    rules: list[Rule] = []
    for table in catalog.tables.values():
        rules += _table_rules(table, enabled, severity)
    excluded = {str(x) for x in options.get("exclude", [])}
    rules = [r for r in rules if r.id not in excluded]
    official = official_ids(catalog, options)
    if official is None:
        return rules
    return [r for r in official.apply(rules, catalog, severity) if r.id not in excluded]


# keys of an official-id entry that are not rule parameters
ENTRY_KEYS = {"id", "official", "category", "severity", "changes", "table", "field", "kind", "examples"}


@dataclass
class OfficialIds:
    """The official-id file of a spec: derived id -> official identity, plus added rules."""

    path: Path
    register: Path | None  # the regulator's rule register (rules.csv) the ids come from
    renamed: dict[str, dict] = dc_field(default_factory=dict)
    added: list[dict] = dc_field(default_factory=list)
    unexpressed: Path | None = None  # folder of *.yaml: [{official, why}] — register rules no rule can express

    def aliases(self) -> dict[str, str]:
        """Old (local) id -> official id of every renamed derived rule."""
        return {old: str(e["id"]) for old, e in self.renamed.items() if "id" in e}

    def workbook_ids(self) -> dict[str, str]:
        """Workbook (JHGZ) number -> id of the rule making its check: a rule may carry twins of the register
        (one check on a table the final version merged), listed in its entry's ``official``."""
        entries = [*self.renamed.values(), *self.added]
        return {number.strip(): str(e["id"]) for e in entries if "id" in e
                for number in str(e.get("official") or "").split("/") if number.strip()}

    def apply(self, rules: list[Rule], catalog: Catalog, severity: str) -> list[Rule]:
        out = [self._renamed(r) if r.id in self.renamed else r for r in rules]
        for entry in self.added:
            table = catalog.tables.get(entry["table"])
            if table is not None and table.field(entry["field"]) is not None:
                out.append(self._added(entry, table, severity))
        return out

    def _renamed(self, rule: Rule) -> Rule:
        entry = self.renamed[rule.id]
        if "id" in entry:
            rule.id = str(entry["id"])
            rule.number_kind = "draft" if rule.id.startswith("JHGZ") else "official"
        rule.category = entry.get("category", rule.category)
        rule.severity = entry.get("severity", rule.severity)
        rule.changes = [dict(c) for c in entry.get("changes", [])]
        return rule

    def _added(self, entry: dict, table: TableSpec, severity: str) -> Rule:
        rid = str(entry["id"])
        return Rule(id=rid, table=table.code, kind=entry["kind"], severity=entry.get("severity", severity),
                    category=entry["category"], field=entry["field"], origin="derived",
                    number_kind="draft" if rid.startswith("JHGZ") else "official", source=str(self.path),
                    params={k: v for k, v in entry.items() if k not in ENTRY_KEYS},
                    changes=[dict(c) for c in entry.get("changes", [])], examples=dict(entry.get("examples", {})))


def official_ids(catalog: Catalog | Path, options: dict) -> OfficialIds | None:
    """The official-id file ``options['official_ids']`` names (relative to the spec folder), or None."""
    name = options.get("official_ids")
    if not name:
        return None
    spec_dir = catalog.path if isinstance(catalog, Catalog) else catalog
    path = (Path(spec_dir) / name).resolve()
    if not path.is_file():
        raise RuleFileError(f"official-id file not found: {path} (derive.official_ids in pack.yaml)")
    return _load_official_ids(path, path.stat().st_mtime_ns)


def official_aliases(catalog: Catalog | Path, options: dict) -> dict[str, str]:
    """Old derived id -> official id, for the pack's derivation options (empty without an official-id file)."""
    official = official_ids(catalog, options)
    return official.aliases() if official else {}


@lru_cache(maxsize=8)
def _load_official_ids(path: Path, _mtime: int) -> OfficialIds:
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("rules") or {}, dict) \
            or not isinstance(doc.get("added") or [], list):
        raise RuleFileError("expected a mapping with 'rules' (derived id -> entry) and 'added' (a list)",
                            Location(str(path), 1))
    renamed = {str(k): dict(v) for k, v in (doc.get("rules") or {}).items()}
    added = [dict(e) for e in doc.get("added") or []]
    for i, entry in enumerate(added):
        missing = [k for k in ("id", "table", "field", "kind", "category") if k not in entry]
        if missing:
            line = doc["added"][i].line if hasattr(doc["added"][i], "line") else None
            raise RuleFileError(f"added rule needs {', '.join(missing)}", Location(str(path), line))
    register = (path.parent / doc["register"]) if doc.get("register") else None
    unexpressed = (path.parent / doc["unexpressed"]) if doc.get("unexpressed") else None
    return OfficialIds(path, register, renamed, added, unexpressed)


# 采集技术接口说明 masking: ID numbers become 6 bytes + SM3 (70 chars, checked as ≥ 64), personal names
# keep one character (≤ 3 allowed for foreign names' last three letters), phones become 64 hex digits.
MASKING = {"id_number": {"min": 64}, "name": {"max": 3}, "phone": {"pattern": "[0-9a-f]{64}"}}


def _rule(table: TableSpec, rid: str, kind: str, severity: str, category: str, **kw) -> Rule:
    return Rule(id=rid, table=table.code, kind=kind, severity=severity, category=category,
                origin="derived", source=table.source_file, **kw)


def _table_rules(table: TableSpec, enabled: dict, severity: str) -> list[Rule]:
    out: list[Rule] = []
    for f in table.fields:
        if enabled["required"] and f.required:
            rid = f.required_rule or f"{table.code}.{f.code}.required"
            out.append(_rule(table, rid, "required", severity, "为空", field=f.code,
                             number_kind="official" if f.required_rule else "local"))
        if enabled["format"]:
            out.append(_rule(table, f"{table.code}.{f.code}.format", "format", severity, format_category(f.format),
                             field=f.code))
        if enabled["masking"] and f.pii in MASKING:
            out.append(_rule(table, f"{table.code}.{f.code}.masked", "regex" if f.pii == "phone" else "length",
                             severity, "长度", field=f.code, params=dict(MASKING[f.pii])))
        if enabled["codelist"] and f.codelist:
            out.append(_rule(table, f"{table.code}.{f.code}.codelist", "codelist", severity, "字典值", field=f.code))
    if enabled["key"] and table.key:
        rid = table.key_rule or f"{table.code}.key.unique"
        out.append(_rule(table, rid, "unique", severity, "唯一性", params={"fields": list(table.key)},
                         number_kind="official" if table.key_rule else "local"))
    if enabled["links"]:
        for link in table.links:
            rid = link.rule or f"{table.code}.{'+'.join(link.fields)}.reference"
            out.append(_rule(table, rid, "reference", link.severity or severity, "关联",
                             field=link.fields[0] if len(link.fields) == 1 else None,
                             params={"fields": list(link.fields),
                                     "targets": [{"table": link.table, "fields": list(link.to)}]},
                             number_kind="official" if link.rule else "local"))
    return out
