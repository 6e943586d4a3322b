"""Load a rule pack: pack.yaml (name, version, spec, derivation options) plus rule files.

Every rule is checked at load time — kind known, parameters well-typed, fields exist,
expressions parse and pass the allow-list, SQL compiles — and any mistake is reported with
file, line and rule id.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import jsonschema

from .derive import derive_rules
from .errors import Location, RuleFileError
from .expr import ExpressionError
from .rules import REGISTRY, CompileContext, Rule, RuleError
from .spec import Catalog, check_schema, load_catalog, node_line
from .yamlio import LocDict, load_yaml

COMMON_KEYS = {"id", "table", "kind", "field", "when", "severity", "category", "number", "message", "note"}
SEVERITY_ALIASES = {"强校验": "strong", "弱校验": "weak", "提示": "info"}


@dataclass
class RulePack:
    name: str
    version: str
    path: Path
    catalog: Catalog
    rules: list[Rule] = dc_field(default_factory=list)
    digest: str = ""

    def for_table(self, table: str) -> list[Rule]:
        return [r for r in self.rules if r.table == table]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_pack(pack_dir: Path) -> RulePack:
    pack_dir = Path(pack_dir)
    pack_file = pack_dir / "pack.yaml" if pack_dir.is_dir() else pack_dir
    if not pack_file.exists():
        raise RuleFileError(f"rule pack not found: {pack_file}")
    meta = load_yaml(pack_file)
    check_schema(meta, "pack", pack_file)
    catalog = load_catalog((pack_file.parent / meta["spec"]).resolve())
    derived = derive_rules(catalog, meta.get("derive", {}))
    written: list[Rule] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256(pack_file.read_bytes())
    for path in sorted(p for p in pack_file.parent.rglob("*.yaml") if p != pack_file):
        digest.update(path.read_bytes())
        for rule in _load_rule_file(path, catalog):
            if rule.id in seen:
                raise RuleFileError(f"duplicate rule id '{rule.id}' (first defined at {seen[rule.id]})",
                                    Location(str(path), int(rule.source.rsplit(':', 1)[1]), rule=rule.id))
            seen[rule.id] = rule.source
            written.append(rule)
    overridden = {r.id for r in written}
    rules = [r for r in derived if r.id not in overridden] + written
    for rule in rules:
        _fill_messages(rule, catalog)
    return RulePack(meta["pack"], str(meta["version"]), pack_file.parent, catalog, rules, digest.hexdigest()[:16])


def _load_rule_file(path: Path, catalog: Catalog) -> list[Rule]:
    doc = load_yaml(path)

    def rule_of(err_path) -> str | None:
        parts = list(err_path)
        if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
            item = doc["rules"][parts[1]]
            return str(item.get("id")) if isinstance(item, dict) else None
        return None

    check_schema(doc, "rules", path, rule_of)
    return [_build_rule(item, path, catalog, doc.get("table")) for item in doc["rules"]]


def _build_rule(item: LocDict, path: Path, catalog: Catalog, default_table: str | None) -> Rule:
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
        source=f"{path}:{item.line}",
    )
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
    return rule


def _guess_key(item: LocDict, message: str, params: dict) -> str | None:
    """Point the error at the key whose value the message quotes, else at the kind's own keys."""
    for key, value in item.items():
        if key not in ("id", "kind", "severity", "category", "number") and isinstance(value, str) \
                and value and f"'{value}'" in message:
            return key
    for key in list(params) + ["field"]:
        if key in item:
            return key
    return None


def _fill_messages(rule: Rule, catalog: Catalog) -> None:
    if rule.message_zh and rule.message_en:
        return
    ctx = CompileContext(catalog, catalog.tables[rule.table])
    zh, en = REGISTRY[rule.kind].messages(rule, ctx)
    if rule.when:
        zh, en = f"当{rule.when}时，{zh}", f"when {rule.when}: {en}"
    rule.message_zh = rule.message_zh or zh
    rule.message_en = rule.message_en or en
