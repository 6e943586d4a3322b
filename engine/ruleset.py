"""Load a rule pack: pack.yaml (name, version, spec, derivation options) plus rule files.

Every rule is checked at load time — kind known, parameters well-typed, fields exist,
expressions parse and pass the allow-list, SQL compiles — and any mistake is reported with
file, line and rule id.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field as dc_field, replace
from pathlib import Path

import jsonschema

from .aliases import check_aliases, pack_aliases
from .derive import derive_rules
from .binder import Binder
from .excuses import load_excuses
from .errors import Location, RuleFileError
from .expr import ExpressionError
from .parameters import resolve as resolve_parameters, substitute_rule
from .rules import REGISTRY, CompileContext, Rule, RuleError
from .spec import Catalog, check_schema, load_catalog, node_line
from .workdays import pack_calendar_file
from .yamlio import LocDict, load_yaml

COMMON_KEYS = {"id", "table", "kind", "field", "when", "severity", "category", "number", "message", "note",
               "since", "changes", "examples"}
SETTABLE_COMMON = {"field", "when", "severity", "category", "message"}
SEVERITY_ALIASES = {"强校验": "strong", "弱校验": "weak", "提示": "info"}


@dataclass
class RulePack:
    """A rule pack resolved at one of its versions (``version``); ``at`` gives another version."""

    name: str
    version: str
    path: Path
    catalog: Catalog
    rules: list[Rule] = dc_field(default_factory=list)
    digest: str = ""
    versions: list[dict] = dc_field(default_factory=list)
    base_catalog: Catalog | None = None
    base_rules: list[Rule] = dc_field(default_factory=list)
    options: dict = dc_field(default_factory=dict)

    @property
    def version_rank(self) -> dict[str, int]:
        return {v["id"]: i for i, v in enumerate(self.versions)}

    @property
    def latest(self) -> str:
        return self.versions[-1]["id"]

    def at(self, version: str) -> "RulePack":
        if version not in self.version_rank:
            raise RuleFileError(f"pack {self.name} has no version '{version}' "
                                f"(versions: {', '.join(v['id'] for v in self.versions)})")
        catalog = self.base_catalog.at(self.version_rank, version)
        rules = [r for r in (resolve_rule(rule, version, self.version_rank) for rule in self.base_rules) if r]
        for rule in rules:
            _fill_messages(rule, catalog)
        return RulePack(self.name, version, self.path, catalog, rules, self.digest, self.versions,
                        self.base_catalog, self.base_rules, self.options)

    def for_table(self, table: str) -> list[Rule]:
        return [r for r in self.rules if r.table == table]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def resolve_rule(rule: Rule, version: str, rank: dict[str, int]) -> Rule | None:
    """The rule as it stands in ``version``: None before ``since`` or once retired."""
    if rule.since and rank[rule.since] > rank[version]:
        return None
    resolved = replace(rule, params=dict(rule.params))
    for change in sorted(rule.changes, key=lambda c: rank[c["version"]]):
        if rank[change["version"]] > rank[version]:
            break
        if change.get("retire"):
            return None
        for key, value in change.get("set", {}).items():
            if key == "message":
                resolved.message_zh, resolved.message_en = value.get("zh", ""), value.get("en", "")
                resolved.given_message = bool(value)
            elif key == "severity":
                resolved.severity = SEVERITY_ALIASES.get(value, value)
            elif key in SETTABLE_COMMON:
                setattr(resolved, key, value)
            else:
                resolved.params[key] = value
    if not resolved.given_message:
        resolved.message_zh = resolved.message_en = ""
    return resolved


PACK_PATH_VARIABLE = "JIANHE_PACK_PATH"
REQUIREMENTS_FILE = "requirements.yaml"


SIDE_FILE_KEYS = ("excuses", "calendar", "aliases")  # pack.yaml keys naming YAML files that hold no rules


def side_files(pack_file: Path, meta: dict) -> set[Path]:
    """pack.yaml, the requirements register and the files pack.yaml names for other uses: every YAML file
    of the pack folder that is not a rule file (paths as ``rglob`` gives them)."""
    folder = pack_file.parent
    return {pack_file, folder / REQUIREMENTS_FILE} | {folder / str(meta[k]) for k in SIDE_FILE_KEYS if k in meta}


def pack_roots() -> list[Path]:
    """Where a pack given by name is looked for, in order: the folders of $JIANHE_PACK_PATH
    (each holding pack folders), ./rulesets, the packs shipped in the installed distribution
    (jianhe/rulesets) and those of a source checkout (rulesets/ beside engine/)."""
    extra = [Path(p) for p in os.environ.get(PACK_PATH_VARIABLE, "").split(os.pathsep) if p]
    package = Path(__file__).resolve().parent.parent
    return [*extra, Path.cwd() / "rulesets", package / "jianhe" / "rulesets", package / "rulesets"]


def resolve_pack_dir(ref: Path | str) -> Path:
    """A pack folder, a pack.yaml, or a pack name (e.g. 'east5') found in :func:`pack_roots`."""
    path = Path(ref)
    if path.exists():
        return path
    roots = pack_roots()
    if len(path.parts) == 1:
        for root in roots:
            candidate = root / path
            if (candidate / "pack.yaml").is_file():
                return candidate
    known = sorted({p.parent.name for root in roots if root.is_dir() for p in root.glob("*/pack.yaml")})
    raise RuleFileError(f"rule pack not found: {ref} (packs by name: {', '.join(known) or 'none'}; "
                        f"add folders of packs with ${PACK_PATH_VARIABLE} or give --pack DIR)")


def load_pack(pack_dir: Path | str, version: str | None = None, parameters: dict | None = None) -> RulePack:
    """Load, check and resolve a pack at ``version`` (default: its latest version); ``parameters``
    override the defaults declared under ``parameters:`` in pack.yaml."""
    pack_dir = resolve_pack_dir(pack_dir)
    pack_file = pack_dir / "pack.yaml" if pack_dir.is_dir() else pack_dir
    if not pack_file.exists():
        raise RuleFileError(f"rule pack not found: {pack_file}")
    meta = load_yaml(pack_file)
    check_schema(meta, "pack", pack_file)
    spec_dir = (pack_file.parent / meta["spec"]).resolve()
    if not spec_dir.is_dir():
        raise RuleFileError(f"spec folder not found: {spec_dir}", Location(str(pack_file), meta.line_of("spec"), key="spec"))
    catalog = load_catalog(spec_dir)
    if "tables" in meta:
        try:
            catalog = catalog.subset(meta["tables"])
        except RuleFileError as exc:
            raise RuleFileError(exc.message, Location(str(pack_file), meta.line_of("tables"), key="tables")) from None
    versions = [dict(v) for v in meta.get("versions", [{"id": str(meta["version"])}])]
    rank = {v["id"]: i for i, v in enumerate(versions)}
    if "versions" in meta:
        _check_codelist_versions(catalog, rank)
    else:  # a pack of one version takes each code list as the spec first states it
        catalog = catalog.without_codelist_changes()
    derived = derive_rules(catalog, meta.get("derive", {}))
    written: list[Rule] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256(pack_file.read_bytes())
    values = resolve_parameters(meta.get("parameters", {}), parameters, pack_file)
    if parameters:  # overridden thresholds make a different pack
        digest.update(repr(sorted(values.items())).encode("utf-8"))
    for path in sorted(spec_dir.rglob("*.yaml")):
        digest.update(path.read_bytes())
    excuses_file = pack_file.parent / meta["excuses"] if "excuses" in meta else None
    calendar_file = pack_calendar_file(pack_file, meta)
    side = side_files(pack_file, meta)
    rule_files = sorted(p for p in pack_file.parent.rglob("*.yaml") if p not in side)
    binder = Binder(catalog) if rule_files else None
    for path in rule_files:
        digest.update(path.read_bytes())
        for rule in _load_rule_file(path, catalog, rank, binder, values):
            if rule.id in seen:
                raise RuleFileError(f"duplicate rule id '{rule.id}' (first defined at {seen[rule.id]})",
                                    Location(str(path), int(rule.source.rsplit(':', 1)[1]), rule=rule.id))
            seen[rule.id] = rule.source
            written.append(rule)
    overridden = {r.id for r in written}
    base_rules = [r for r in derived if r.id not in overridden] + written
    check_aliases(pack_file.parent, meta, {r.id for r in base_rules})
    if "aliases" in meta:
        digest.update((pack_file.parent / meta["aliases"]).read_bytes())
    options = {"require_all_tables": bool(meta.get("require_all_tables", False)), "parameters": values}
    if excuses_file:
        digest.update(excuses_file.read_bytes())
        options["excuses"] = load_excuses(excuses_file, {r.id for r in base_rules},
                                          pack_aliases(pack_file.parent, meta))
    if calendar_file:  # working days for years the calendar package does not know (deadline rules)
        digest.update(calendar_file.read_bytes())
        options["calendar"] = str(calendar_file)
    pack = RulePack(meta["pack"], versions[-1]["id"], pack_file.parent, catalog, [], digest.hexdigest()[:16],
                    versions, catalog, base_rules, options)
    return pack.at(version or pack.latest)


def _check_codelist_versions(catalog: Catalog, rank: dict[str, int]) -> None:
    for cl in catalog.codelists.values():
        for change in cl.changes:
            if change["version"] not in rank:
                raise RuleFileError(f"code list '{cl.name}' changes in unknown pack version '{change['version']}' "
                                    f"(versions: {', '.join(rank)})", Location(str(catalog.path / "codelists.yaml")))


def _load_rule_file(path: Path, catalog: Catalog, rank: dict[str, int], binder: "Binder",
                    parameters: dict | None = None) -> list[Rule]:
    doc = load_yaml(path)

    def rule_of(err_path) -> str | None:
        parts = list(err_path)
        if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
            item = doc["rules"][parts[1]]
            return str(item.get("id")) if isinstance(item, dict) else None
        return None

    check_schema(doc, "rules", path, rule_of)
    for item in doc["rules"]:
        substitute_rule(item, parameters or {}, path)
    return [_build_rule(item, path, catalog, doc.get("table"), rank, binder) for item in doc["rules"]]


def _build_rule(item: LocDict, path: Path, catalog: Catalog, default_table: str | None,
                rank: dict[str, int], binder: "Binder") -> Rule:
    rid = str(item["id"])

    def fail(message: str, key: str | None = None):
        line = item.line_of(key) if key else item.line
        raise RuleFileError(message, Location(str(path), line, rule=rid, key=key))

    kind = REGISTRY.get(item["kind"])
    if kind is None:
        fail(f"unknown rule kind '{item['kind']}' (known: {', '.join(sorted(REGISTRY))})", "kind")
    table_ref = item.get("table", default_table)
    if not table_ref:
        fail("rule has no 'table' (and the file gives no default)")
    table = catalog.table(table_ref)
    if table is None:
        fail(f"unknown table '{table_ref}'", "table" if "table" in item else None)
    params = {k: v for k, v in item.items() if k not in COMMON_KEYS}
    for key in params:
        if key not in kind.params_schema:
            fail(f"unknown key '{key}' for rule kind '{kind.name}' (allowed: "
                 f"{', '.join(sorted(COMMON_KEYS | set(kind.params_schema)))})", key)
    for key in kind.required_params:
        if key not in params:
            fail(f"rule kind '{kind.name}' needs '{key}'")
    schema = {"type": "object", "properties": kind.params_schema}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(params))
    if errors:
        err = errors[0]
        key = str(err.path[0]) if err.path else None
        raise RuleFileError(err.message, Location(str(path), node_line(item, list(err.path)) or item.line, rule=rid, key=key))
    field_ref = item.get("field")
    rule = Rule(
        id=rid, table=table.code, kind=kind.name,
        severity=SEVERITY_ALIASES.get(item.get("severity", "strong"), item.get("severity", "strong")),
        category=item.get("category", ""),
        message_zh=item.get("message", {}).get("zh", ""), message_en=item.get("message", {}).get("en", ""),
        field=table.field(field_ref).code if field_ref and table.field(field_ref) else field_ref,
        when=item.get("when"), params=dict(params), origin="written",
        number_kind=item.get("number", "official" if rid.isdigit() else "draft" if rid.startswith("JHGZ") else "local"),
        source=f"{path}:{item.line}", since=item.get("since"), changes=[dict(c) for c in item.get("changes", [])],
        examples=dict(item.get("examples", {})), given_message=bool(item.get("message")),
    )
    for version_key, where in ([("since", item)] if "since" in item else []) + [("version", c) for c in item.get("changes", [])]:
        if where[version_key] not in rank:
            line = where.line_of(version_key) if isinstance(where, LocDict) else item.line
            raise RuleFileError(f"unknown pack version '{where[version_key]}' (versions: {', '.join(rank)})",
                                Location(str(path), line, rule=rid, key=version_key))
    for change in item.get("changes", []):
        for key in change.get("set", {}):
            if key not in SETTABLE_COMMON and key not in kind.params_schema:
                raise RuleFileError(f"a change cannot set '{key}' on a {kind.name} rule",
                                    Location(str(path), change.line, rule=rid, key="set"))
    ctx = CompileContext(catalog, table)
    if rule.when:
        try:
            ctx.when_sql(rule)
        except (RuleError, ExpressionError) as exc:
            fail(f"in 'when': {exc}", "when")
    try:
        kind.check(rule, ctx)
        rule.category = rule.category or kind.default_category(rule, ctx)
    except (RuleError, ExpressionError) as exc:
        fail(str(exc), _guess_key(item, str(exc), kind.params_schema))
    problem = binder.when_problem(rule, ctx)
    if problem:
        fail(f"in 'when': the condition does not bind in DuckDB: {problem}", "when")
    problem = binder.problem(rule, ctx)
    if problem:
        fail(f"the rule's SQL does not bind in DuckDB: {problem}", _guess_key(item, problem, kind.params_schema))
    for change in item.get("changes", []):  # every later form of the rule must compile too
        changed = resolve_rule(rule, change["version"], rank)
        if changed is None:
            continue
        try:
            kind.check(changed, CompileContext(catalog, table))
            problem = binder.problem(changed, CompileContext(catalog, table))
        except (RuleError, ExpressionError) as exc:
            problem = str(exc)
        if problem:
            raise RuleFileError(f"in the change for version {change['version']}: {problem}",
                                Location(str(path), change.line, rule=rid, key="changes"))
    return rule


def _guess_key(item: LocDict, message: str, params: dict) -> str | None:
    """Point the error at the key whose value the message quotes, else at the kind's own keys."""
    for key, value in item.items():
        if key not in ("id", "kind", "severity", "category", "number") and any(
                f"'{v}'" in message for v in _scalars(value) if v):
            return key
    for key in list(params) + ["field"]:
        if key in item:
            return key
    return None


def _scalars(value) -> list[str]:
    """Every string inside a value (lists and mappings included), to find what a message quotes."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _scalars(v)]
    if isinstance(value, list):
        return [s for v in value for s in _scalars(v)]
    return []


def _fill_messages(rule: Rule, catalog: Catalog) -> None:
    """Generated bilingual messages where the rule gives none (after version changes applied)."""
    if rule.message_zh and rule.message_en:
        return
    ctx = CompileContext(catalog, catalog.tables[rule.table])
    zh, en = REGISTRY[rule.kind].messages(rule, ctx)
    if rule.when:
        zh, en = f"当{rule.when}时，{zh}", f"when {rule.when}: {en}"
    rule.message_zh = rule.message_zh or zh
    rule.message_en = rule.message_en or en
