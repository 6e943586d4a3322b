"""Export a pack's rules as Great Expectations 1.x expectation suites (one per table).

Only what GX can say with the same meaning is exported; every other rule is listed with the
reason (in the suite's ``meta.jianhe.not_exported`` and on stdout). The suites expect the batch
jianhe itself reads: one text column per field, named by the field code, with empty fields as
null (GX's missing values; e.g. pandas ``read_csv(..., dtype=str, keep_default_na=False,
na_values=[''])`` or ``df.replace('', None)``). On such a batch each exported expectation's
``unexpected_count`` equals jianhe's failure count for the rule (before 备注 excuses), which
tests/export/test_gx_differential.py checks by running both.

The mapping (jianhe skips empty values in all but ``required``; GX ignores nulls likewise):

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
from ..formats import DATE_DEFAULT, YEARMONTH_DEFAULT
from ..dialects.regex import NotPortable, char, portable_full_match as full_match, portable_search as translate
from ..ruleset import RulePack
from ..rules import REGISTRY, CompileContext, Rule
from ..rules.forbidden_chars import CHARSETS
from ..spec import TableSpec

SEVERITY = {"strong": "critical", "weak": "warning", "info": "info"}
DATA_CONVENTION = ("one text column per field, named by the field code; empty fields as null "
                   "(GX's missing values)")
MD31 = "(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])"
MD30 = "(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
FEB = "02(?:0[1-9]|1[0-9]|2[0-8])"
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00|0000)"
FORMAT_REGEX = {  # the text each format code accepts, as formats.violation_sql judges it
    "date": f"{DATE_DEFAULT}|[0-9]{{4}}(?:{MD31}|{MD30}|{FEB})|{LEAP_YEAR}0229",
    "yearmonth": f"{YEARMONTH_DEFAULT}|[1-9][0-9]{{3}}(?:0[1-9]|1[0-2])",
    "time": "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]",
    "float": r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?",
}
NOT_EXPRESSIBLE = {
    "range": "reads the text as a number and skips what is not one; GX compares typed values",
    "expression": "a jianhe expression (helpers, typed arithmetic) has no GX expectation",
    "reference": "cross-table (the value must exist in another table)",
    "tieout": "cross-table (sum or count of another table's rows)",
    "distribution": "table-level (no single record fails; GX reports no unexpected count)",
    "scope": "needs the previous collection date (--previous-date)",
}


class NotExpressible(ValueError):
    """The rule has no GX expectation with the same meaning."""


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
    """(expectation type, kwargs) for the rule, or NotExpressible with the reason."""
    build = BUILDERS.get(rule.kind)
    if build is None:
        raise NotExpressible(NOT_EXPRESSIBLE.get(rule.kind, f"rule kind '{rule.kind}' has no GX expectation"))
    return build(rule, ctx)


def _column(rule: Rule, ctx: CompileContext, ref: str | None = None) -> str:
    return ctx.field(ref or rule.field).code


def _regex(column: str, pattern: str) -> list[tuple[str, dict]]:
    return [("expect_column_values_to_match_regex", {"column": column, "regex": pattern})]


def _required(rule, ctx):
    return [("expect_column_values_to_not_be_null", {"column": _column(rule, ctx)})]


def _format(rule, ctx):
    fmt = REGISTRY["format"]._format(rule, ctx)
    column = _column(rule, ctx)
    if fmt.kind == "char":
        raise NotExpressible(f"format {fmt.code} counts UTF-8 bytes; GX counts characters")
    if fmt.kind == "int":
        digits = f"{{0,{fmt.width - 1}}}" if fmt.width else "*"
        return _regex(column, f"^-?(?:0|[1-9][0-9]{digits})\\Z")
    if fmt.kind == "decimal":
        frac = f"(?:\\.[0-9]{{1,{fmt.scale}}})?" if fmt.scale else ""
        # at most ``width`` characters (the text is ASCII once it matches, so bytes = characters)
        return _regex(column, f"^(?=.{{1,{fmt.width}}}\\Z)-?(?:0|[1-9][0-9]*){frac}\\Z")
    return _regex(column, f"^(?:{FORMAT_REGEX[fmt.kind]})\\Z")


def _length(rule, ctx):
    p = rule.params
    column = _column(rule, ctx)
    if p.get("unit") == "bytes":
        raise NotExpressible("counts UTF-8 bytes; GX counts characters")
    if "lengths" in p:
        alternatives = "|".join(f".{{{int(n)}}}" for n in p["lengths"])
        return _regex(column, f"(?s)^(?:{alternatives})\\Z")
    kwargs = {"column": column}
    if "min" in p:
        kwargs["min_value"] = int(p["min"])
    if "max" in p:
        kwargs["max_value"] = int(p["max"])
    return [("expect_column_value_lengths_to_be_between", kwargs)]


def _regex_rule(rule, ctx):
    try:
        return _regex(_column(rule, ctx), full_match(rule.params["pattern"]))
    except NotPortable as exc:
        raise NotExpressible(f"pattern {rule.params['pattern']!r}: {exc}") from None


def _literal(text: str) -> str:
    return "".join(char(c) for c in text)


def _codelist(rule, ctx):
    values, prefixes, multi = REGISTRY["codelist"].resolve(rule, ctx)
    column = _column(rule, ctx)
    if not prefixes and not multi:
        return [("expect_column_values_to_be_in_set", {"column": column, "value_set": list(values)})]
    item = "|".join([_literal(v) for v in values] + [f"{_literal(p + '-')}.+" for p in prefixes])
    body = f"(?:{item})(?:;(?:{item}))*" if multi else f"(?:{item})"
    return _regex(column, f"(?s)^{body}\\Z")


def _unique(rule, ctx):
    if "maps_to" in rule.params:
        raise NotExpressible("'A maps to one B' has no GX expectation")
    columns = [_column(rule, ctx, f) for f in rule.params["fields"]]
    if len(columns) == 1:
        return [("expect_column_values_to_be_unique", {"column": columns[0]})]
    return [("expect_compound_columns_to_be_unique", {"column_list": columns, "ignore_row_if": "any_value_is_missing"})]


def _compare(rule, ctx):
    p = rule.params
    kind = REGISTRY["compare"]._kind(rule, ctx)
    if kind != "text":
        raise NotExpressible(f"compares as {kind}s, skipping values that are not; GX compares typed values")
    if "other" not in p:
        raise NotExpressible("compare with a constant has no GX expectation on text")
    a, b = _column(rule, ctx), _column(rule, ctx, p["other"])
    op = p["op"]
    missing = {"ignore_row_if": "either_value_is_missing"}
    if op in ("=", "=="):
        return [("expect_column_pair_values_to_be_equal", {"column_A": a, "column_B": b, **missing})]
    if op in (">", ">="):
        return [("expect_column_pair_values_a_to_be_greater_than_b",
                 {"column_A": a, "column_B": b, "or_equal": op == ">=", **missing})]
    if op in ("<", "<="):
        return [("expect_column_pair_values_a_to_be_greater_than_b",
                 {"column_A": b, "column_B": a, "or_equal": op == "<=", **missing})]
    raise NotExpressible(f"operator {op} has no GX column-pair expectation")


def _not_default(rule, ctx):
    f = ctx.field(rule.field)
    if f.format.is_numeric and "default" not in rule.params:
        raise NotExpressible("the numeric default 0 is any text that reads as zero")
    default = REGISTRY["not_default"]._default(rule, ctx)
    return [("expect_column_values_to_not_be_in_set", {"column": f.code, "value_set": [default]})]


def _forbidden_chars(rule, ctx):
    p = rule.params
    chars = p["chars"] if "chars" in p else CHARSETS[p.get("charset", "standard")]
    return [("expect_column_values_to_not_match_regex",
             {"column": _column(rule, ctx), "regex": "[" + "".join(char(c) for c in dict.fromkeys(chars)) + "]"})]


BUILDERS = {"required": _required, "format": _format, "length": _length, "regex": _regex_rule,
            "codelist": _codelist, "unique": _unique, "compare": _compare, "not_default": _not_default,
            "forbidden_chars": _forbidden_chars}


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
