"""Export a pack's rules as Great Expectations 1.x expectation suites (one per table).

Only what GX can say with the same meaning is exported; every other rule is listed with the
reason (in the suite's ``meta.jianhe.not_exported`` and on stdout). The suites expect the batch
jianhe itself reads: one text column per field, named by the field code, with empty fields as
null (GX's missing values; e.g. pandas ``read_csv(..., dtype=str, keep_default_na=False,
na_values=[''])`` or ``df.replace('', None)``). On such a batch each exported expectation's
``unexpected_count`` equals jianhe's failure count for the rule (before 备注 excuses), which
tests/export/test_gx_differential.py checks by running both.

Each rule kind states its own expectations (``RuleKind.gx_expectations`` in engine/rules/, or
``gx_unsupported``: why it has none); this module asks the kind and adds the ``when``. The
mapping (jianhe skips empty values in all but ``required``; GX ignores nulls likewise):

- required → expect_column_values_to_not_be_null
- format: numbers, dates (a real calendar date, year 0000 included, or 99991231), months, times →
  expect_column_values_to_match_regex; text widths (``C..n``) count UTF-8 *bytes*, GX counts
  characters: not exported (nor are ``length`` rules in bytes)
- length (characters) → expect_column_value_lengths_to_be_between, or a regex for a list of lengths
- regex → expect_column_values_to_match_regex, when the RE2 pattern has a portable form
- codelist → expect_column_values_to_be_in_set, or a regex for ``其他-XX`` forms and multi-values
- unique → expect_column_values_to_be_unique / expect_compound_columns_to_be_unique
- compare of two text fields → expect_column_pair_values_a_to_be_greater_than_b / _to_be_equal
- not_default with a text default → expect_column_values_to_not_be_in_set
- forbidden_chars → expect_column_values_to_not_match_regex
- a ``when`` made of ``field = 'text'`` / ``field IN (...)`` joined by AND → ``row_condition``

Numeric and date comparisons (range, compare of numbers or dates) read text as numbers or dates
and skip what is not one; GX compares typed values — not exported, as are cross-table, table-level
and expression rules.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..errors import UsageError
from ..ruleset import RulePack
from ..rules import REGISTRY, CompileContext, Rule
from ..rules.base import NotExpressible
from ..spec import TableSpec

SEVERITY = {"strong": "critical", "weak": "warning", "info": "info"}
DATA_CONVENTION = ("one text column per field, named by the field code; empty fields as null "
                   "(GX's missing values)")


@dataclass
class Suite:
    table: TableSpec
    expectations: list[dict] = dc_field(default_factory=list)
    not_exported: list[dict] = dc_field(default_factory=list)

    def to_json(self, pack: RulePack) -> dict:
        return {
            "name": f"{pack.name}.{self.table.code}",
            "id": None,
            "expectations": self.expectations,
            "meta": {"jianhe": {"pack": pack.name, "version": pack.version, "digest": pack.digest,
                                "table": self.table.code, "table_name": self.table.name, "data": DATA_CONVENTION,
                                "exported": len({e["meta"]["rule_id"] for e in self.expectations}),
                                "not_exported": self.not_exported}},
            "notes": f"{self.table.code} {self.table.name}: rules of jianhe pack {pack.name} {pack.version} "
                     f"that GX can express. Data: {DATA_CONVENTION}.",
        }


def export_suites(pack: RulePack, tables: list[str] | None = None) -> list[Suite]:
    """One suite per table (all of the pack's, or those named)."""
    suites = []
    for code in tables or sorted(pack.catalog.tables):
        table = pack.catalog.tables[code]
        ctx = CompileContext(pack.catalog, table)
        suite = Suite(table)
        for rule in pack.for_table(code):
            try:
                kwargs_list = expectations_for(rule, ctx)
                condition = row_condition(rule, table)
            except NotExpressible as exc:
                suite.not_exported.append({"rule": rule.id, "kind": rule.kind, "reason": str(exc)})
                continue
            for kind, kwargs in kwargs_list:
                if condition is not None:
                    kwargs["row_condition"] = condition
                suite.expectations.append({
                    "type": kind, "kwargs": kwargs,
                    "meta": {"rule_id": rule.id, "table": code, "kind": rule.kind, "severity": rule.severity,
                             "message_zh": rule.message_zh, "message_en": rule.message_en},
                    "severity": SEVERITY[rule.severity]})
        suites.append(suite)
    return suites


def write_suites(pack: RulePack, out: Path, table: str | None = None) -> list[Suite]:
    """``table`` given: its suite to the file ``out``; else one ``<CODE>.json`` per table in the folder ``out``."""
    out = Path(out)
    if table is not None:
        spec = pack.catalog.table(table)
        if spec is None:
            raise UsageError(f"unknown table '{table}' (known: {', '.join(sorted(pack.catalog.tables))})")
        suites = export_suites(pack, [spec.code])
        if out.is_dir():
            out = out / f"{spec.code}.json"
        targets = [out]
    else:
        if out.suffix.lower() == ".json":
            raise UsageError("without --table the suites go to a folder (one <TABLE>.json each); give --out DIR")
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} is a file; without --table the suites go to a folder "
                             "(one <TABLE>.json each)")
        suites = export_suites(pack)
        out.mkdir(parents=True, exist_ok=True)
        targets = [out / f"{s.table.code}.json" for s in suites]
    for suite, target in zip(suites, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(suite.to_json(pack), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return suites


# --- one rule ------------------------------------------------------------------------------------

def expectations_for(rule: Rule, ctx: CompileContext) -> list[tuple[str, dict]]:
    """(expectation type, kwargs) for the rule, as its kind states it, or NotExpressible with the reason."""
    kind = REGISTRY.get(rule.kind)
    if kind is None:
        raise NotExpressible(f"rule kind '{rule.kind}' has no GX expectation")
    return kind.gx_expectations(rule, ctx)


# --- when → row_condition -------------------------------------------------------------------------

def row_condition(rule: Rule, table: TableSpec) -> dict | None:
    """A GX row condition equal to the rule's ``when`` (AND of ``field = 'text'`` and ``field IN
    ('a', ...)``: where the field is NULL both skip the row), or NotExpressible."""
    if not rule.when:
        return None
    try:
        tree = sqlglot.parse_one(rule.when, read="duckdb")
    except SqlglotError:
        raise NotExpressible("its when condition does not parse") from None
    parts = []

    def collect(node: exp.Expression) -> None:
        node = node.unnest()
        if isinstance(node, exp.And):
            collect(node.this)
            collect(node.expression)
        elif isinstance(node, exp.EQ) and _field(node.this, table) and _text(node.expression) is not None:
            parts.append({"type": "comparison", "column": {"name": _field(node.this, table)}, "operator": "==",
                          "parameter": _text(node.expression)})
        elif (isinstance(node, exp.In) and _field(node.this, table) and node.expressions
              and all(_text(e) is not None for e in node.expressions)):
            parts.append({"type": "comparison", "column": {"name": _field(node.this, table)}, "operator": "IN",
                          "parameter": [_text(e) for e in node.expressions]})
        else:
            raise NotExpressible(f"its when condition ({rule.when}) is not field = 'text' / field IN (...) joined by AND")
    collect(tree)
    return parts[0] if len(parts) == 1 else {"type": "and", "conditions": parts}


def _field(node: exp.Expression, table: TableSpec) -> str | None:
    if isinstance(node, exp.Column) and not node.table:
        f = table.field(node.name)
        return f.code if f else None
    return None


def _text(node: exp.Expression) -> str | None:
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


__all__ = ["NotExpressible", "Suite", "export_suites", "expectations_for", "row_condition", "write_suites"]
