"""Rules implied by the spec: every required flag, format code, code list, key and link.

Ids are stable: the official rule number where the spec records one, else
``<TABLE>.<FIELD>.<kind>`` — so baselines and waivers survive spec edits.
"""
from __future__ import annotations

from .rules import Rule
from .rules.format import format_category
from .spec import Catalog, TableSpec


def derive_rules(catalog: Catalog, options: dict) -> list[Rule]:
    enabled = {k: options.get(k, True) for k in ("required", "format", "codelist", "key", "links")}
    enabled["masking"] = options.get("masking", False)
    severity = options.get("severity", "strong")
    rules: list[Rule] = []
    for table in catalog.tables.values():
        rules += _table_rules(table, enabled, severity)
    excluded = {str(x) for x in options.get("exclude", [])}
    return [r for r in rules if r.id not in excluded]


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
