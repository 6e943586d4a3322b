"""Load and validate table specs and code lists (specs/<standard>/).

A spec says what the data is: tables, ordered fields with format codes, keys, links,
PII classes; code lists are named data. Every mistake is reported with file and line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema

from .errors import Location, RuleFileError
from .formats import FormatCode, parse_format
from .yamlio import LocDict, LocList, load_yaml


@dataclass(frozen=True)
class Field:
    code: str
    name: str
    format: FormatCode
    position: int
    element: str | None = None
    required: bool = False
    required_rule: str | None = None
    pii: str | None = None
    codelist: str | None = None
    multi: bool = False
    line: int | None = None  # where the field is defined, for error messages


@dataclass(frozen=True)
class Link:
    fields: tuple[str, ...]
    table: str
    to: tuple[str, ...]
    rule: str | None = None
    severity: str | None = None
    line: int | None = None


@dataclass
class TableSpec:
    code: str
    name: str
    kind: str
    fields: list[Field]
    key: tuple[str, ...] = ()
    key_rule: str | None = None
    links: list[Link] = dc_field(default_factory=list)
    number: str | None = None
    source_file: str = ""

    def __post_init__(self) -> None:
        self._by_code = {f.code: f for f in self.fields}
        self._by_name = {f.name: f for f in self.fields}

    def field(self, ref: str) -> Field | None:
        """Look a field up by code (DKJE) or Chinese name (贷款金额)."""
        return self._by_code.get(ref) or self._by_name.get(ref)

    @property
    def field_codes(self) -> list[str]:
        return [f.code for f in self.fields]


@dataclass(frozen=True)
class CodeList:
    name: str
    values: tuple[str, ...]
    other: bool = False
    other_prefixes: tuple[str, ...] = ()
    element: str | None = None
    version: str | None = None
    changes: tuple[dict, ...] = ()

    def at(self, version_rank: dict[str, int], version: str) -> "CodeList":
        """The list as it stands in a pack version (changes up to and including it applied)."""
        values, other, prefixes = list(self.values), self.other, self.other_prefixes
        for change in sorted(self.changes, key=lambda c: version_rank[c["version"]]):
            if version_rank[change["version"]] > version_rank[version]:
                break
            values += [v for v in change.get("add", []) if v not in values]
            values = [v for v in values if v not in change.get("remove", [])]
            other = change.get("other", other)
            prefixes = tuple(change.get("other_prefixes", prefixes))
        return CodeList(self.name, tuple(values), other, prefixes, self.element, version, self.changes)


@dataclass
class Catalog:
    """All tables and code lists of one standard (e.g. specs/east5)."""

    name: str
    tables: dict[str, TableSpec]
    codelists: dict[str, CodeList]
    path: Path | None = None

    def at(self, version_rank: dict[str, int], version: str) -> "Catalog":
        return Catalog(self.name, self.tables, {n: c.at(version_rank, version) for n, c in self.codelists.items()},
                       self.path)

    def without_codelist_changes(self) -> "Catalog":
        """Every code list without its history by pack version: for a pack that has no versions (the
        spec it shares with a versioned pack may record changes under versions it does not know)."""
        return Catalog(self.name, self.tables, {n: replace(c, changes=()) for n, c in self.codelists.items()},
                       self.path)

    def subset(self, refs: list[str]) -> "Catalog":
        """Only the named tables; links to tables outside the subset are dropped."""
        codes = []
        for ref in refs:
            table = self.table(ref)
            if table is None:
                raise RuleFileError(f"pack names unknown table '{ref}'")
            codes.append(table.code)
        tables = {c: replace(self.tables[c], links=[l for l in self.tables[c].links if l.table in codes]) for c in codes}
        return Catalog(self.name, tables, self.codelists, self.path)

    def table(self, ref: str) -> TableSpec | None:
        """Look a table up by file code (GRXDYWJJB) or Chinese name (个人信贷业务借据表)."""
        if ref in self.tables:
            return self.tables[ref]
        return next((t for t in self.tables.values() if t.name == ref), None)


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads(resources.files("engine.schemas").joinpath(f"{name}.schema.json").read_text("utf-8"))


def node_line(doc, path) -> int | None:
    """Best line for a jsonschema error path inside a LocDict/LocList tree."""
    line = getattr(doc, "line", None) or 1
    node = doc
    for step in path:
        if isinstance(node, LocDict) and step in node:
            line = node.line_of(step)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and step < len(node):
            line = getattr(node[step], "line", None) or node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def check_schema(doc, schema_name: str, path: Path, rule_of=None) -> None:
    """Validate ``doc`` against a bundled JSON schema; the first error names file, line and key."""
    validator = jsonschema.Draft202012Validator(schema(schema_name))
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.path), list(map(str, e.path))))
    if not errors:
        return
    err = errors[0]
    key = "/".join(str(p) for p in err.path) or None
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        bad = extra[0] if extra else None
        line = node_line(doc, list(err.path) + ([bad] if bad else []))
        message = f"unknown key '{bad}'" if bad else err.message
        key = "/".join([*map(str, err.path), bad]) if bad else key
    else:
        line = node_line(doc, list(err.path))
        message = err.message
    rule = rule_of(err.path) if rule_of else None
    raise RuleFileError(message, Location(str(path), line, rule=rule, key=key))


def _required(value) -> tuple[bool, str | None]:
    if value is True:
        return True, None
    if value in (False, None):
        return False, None
    return True, str(value)


def load_table(path: Path) -> TableSpec:
    doc = load_yaml(path)
    check_schema(doc, "table", path)
    fields: list[Field] = []
    seen: set[str] = set()
    for pos, f in enumerate(doc["fields"], start=1):
        where = Location(str(path), f.line, key=f"fields/{pos - 1}")
        if f["code"] in seen:
            raise RuleFileError(f"duplicate field code '{f['code']}'", where)
        seen.add(f["code"])
        try:
            fmt = parse_format(f["format"])
        except ValueError as exc:
            raise RuleFileError(str(exc), Location(str(path), f.line_of("format"), key=f"fields/{pos - 1}/format")) from None
        required, rule_no = _required(f.get("required"))
        pii = f.get("pii")
        fields.append(Field(f["code"], f["name"], fmt, pos, f.get("element"), required, rule_no,
                            None if pii == "none" else pii, f.get("codelist"), bool(f.get("multi", False)), f.line))
    table = TableSpec(
        code=doc["table"], name=doc["name"], kind=doc["kind"], fields=fields,
        key=tuple(doc.get("key", ())), key_rule=str(doc["key_rule"]) if "key_rule" in doc else None,
        links=[Link(tuple(l["fields"]), l["table"], tuple(l["to"]), str(l["rule"]) if "rule" in l else None,
                    l.get("severity"), l.line) for l in doc.get("links", [])],
        number=str(doc["number"]) if "number" in doc else None, source_file=str(path),
    )
    for k in table.key:
        if not table.field(k):
            raise RuleFileError(f"key field '{k}' is not a field of {table.code}",
                                Location(str(path), doc.line_of("key"), key="key"))
    for i, link in enumerate(table.links):
        for f in link.fields:
            if not table.field(f):
                raise RuleFileError(f"link field '{f}' is not a field of {table.code}",
                                    Location(str(path), doc["links"][i].line, key=f"links/{i}"))
    return table


def load_codelists(path: Path) -> dict[str, CodeList]:
    doc = load_yaml(path)
    check_schema(doc, "codelists", path)
    return {
        name: CodeList(name, tuple(str(v) for v in c["values"]), bool(c.get("other", False)),
                       tuple(c.get("other_prefixes", ())), c.get("element"), c.get("version"),
                       tuple(dict(ch) for ch in c.get("changes", ())))
        for name, c in doc["codelists"].items()
    }


def load_catalog(spec_dir: Path) -> Catalog:
    """Load every table in ``spec_dir/tables`` and the code lists, then cross-check them."""
    spec_dir = Path(spec_dir)
    if not spec_dir.is_dir():
        raise RuleFileError(f"spec folder not found: {spec_dir}")
    codelists_file = spec_dir / "codelists.yaml"
    codelists = load_codelists(codelists_file) if codelists_file.exists() else {}
    tables: dict[str, TableSpec] = {}
    for path in sorted((spec_dir / "tables").glob("*.yaml")):
        table = load_table(path)
        if table.code in tables:
            raise RuleFileError(f"table {table.code} is defined twice (also in {tables[table.code].source_file})",
                                Location(str(path), 1, key="table"))
        tables[table.code] = table
    catalog = Catalog(spec_dir.name, tables, codelists, spec_dir)
    _cross_check(catalog)
    return catalog


def _cross_check(catalog: Catalog) -> None:
    for table in catalog.tables.values():
        for f in table.fields:
            if f.codelist and f.codelist not in catalog.codelists:
                raise RuleFileError(f"field {f.code} uses unknown code list '{f.codelist}'",
                                    Location(table.source_file, f.line, key=f"{f.code}/codelist"))
        for link in table.links:
            target = catalog.table(link.table)
            if target is None:
                raise RuleFileError(f"link to unknown table '{link.table}'", Location(table.source_file, link.line, key="links"))
            for t in link.to:
                if not target.field(t):
                    raise RuleFileError(f"link target field '{t}' is not a field of {target.code}",
                                        Location(table.source_file, link.line, key="links"))
