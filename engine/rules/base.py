"""What every rule kind shares: the Rule record, the compile context and the kind interface.

A *row* kind turns a rule into a predicate that is TRUE when a row fails; the planner fuses
all row predicates of a table into one scan. A *set* kind (unique, reference, tie-out,
distribution) returns a query yielding the failing rows (_file, _line, _key, _value).
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import ClassVar

from ..expr import compile_expression
from ..dialects.quoting import quote_ident, sql_quote
from ..spec import Catalog, Field, TableSpec

CATEGORIES = ("为空", "默认值", "日期格式", "特殊字符", "唯一性", "长度", "字典值", "关联", "数值比较", "其他")
SEVERITIES = ("strong", "weak", "info")


class RuleError(ValueError):
    """A rule is well-formed YAML but makes no sense (unknown field, bad regex …)."""


class NotExpressible(ValueError):
    """The rule has no Great Expectations expectation with the same meaning (the reason)."""


@dataclass
class Rule:
    id: str
    table: str
    kind: str
    severity: str = "strong"
    category: str = "其他"
    message_zh: str = ""
    message_en: str = ""
    field: str | None = None
    when: str | None = None
    params: dict = dc_field(default_factory=dict)
    origin: str = "written"  # derived | written | builtin
    number_kind: str = "local"  # official | draft | local
    source: str | None = None  # file:line of the rule's definition
    since: str | None = None  # first pack version holding the rule (None: the first)
    changes: list = dc_field(default_factory=list)  # [{version, reason, set | retire}]
    examples: dict = dc_field(default_factory=dict)  # conformance fixtures {pass: [...], fail: [...]}
    given_message: bool = False  # message written by hand (kept across version changes)


@dataclass
class CompileContext:
    catalog: Catalog
    table: TableSpec
    show_pii: bool = False
    params: dict = dc_field(default_factory=dict)  # run parameters, e.g. previous_date

    def with_params(self, **params) -> "CompileContext":
        return CompileContext(self.catalog, self.table, self.show_pii, {**self.params, **params})

    def relation(self, table_code: str) -> str:
        """The DuckDB relation holding a loaded table."""
        return quote_ident(f"t_{table_code}")

    def column(self, ref: str, table: TableSpec | None = None) -> str:
        return quote_ident(self.field(ref, table).code)

    def field(self, ref: str, table: TableSpec | None = None) -> Field:
        table = table or self.table
        found = table.field(ref)
        if found is None:
            raise RuleError(f"unknown field '{ref}' in table {table.code}")
        return found

    def value(self, ref: str, table: TableSpec | None = None) -> str:
        """SQL for a field's value as evidence, masked when the field is personal data."""
        f = self.field(ref, table)
        return mask_sql(f.pii, quote_ident(f.code)) if f.pii and not self.show_pii else quote_ident(f.code)

    def values(self, refs: list[str] | tuple[str, ...], table: TableSpec | None = None) -> str:
        if len(refs) == 1:
            return self.value(refs[0], table)
        parts = [f"{sql_quote(self.field(r, table).code + '=')} || coalesce({self.value(r, table)}, '')" for r in refs]
        return f"concat_ws('; ', {', '.join(parts)})"

    def when_sql(self, rule: Rule) -> str:
        if not rule.when:
            return "TRUE"
        return compile_expression(rule.when, self.table).sql

    def key_sql(self, table: TableSpec | None = None) -> str:
        table = table or self.table
        if not table.key:
            return "NULL"
        return f"concat_ws('|', {', '.join(mask_or_plain(self, k, table) for k in table.key)})"


def with_value(rule: Rule, table: TableSpec, clean: dict, value: str) -> list[dict]:
    """The clean row with the rule's field set to ``value``: the failing fixture of most row kinds."""
    return [{**clean, table.field(rule.field).code: value}]


def mask_or_plain(ctx: CompileContext, ref: str, table: TableSpec) -> str:
    return f"coalesce({ctx.value(ref, table)}, '')"


def is_empty(col: str) -> str:
    return f"({col} IS NULL OR {col} = '')"


def filled(col: str) -> str:
    return f"({col} IS NOT NULL AND {col} <> '')"


def mask_sql(pii: str, col: str) -> str:
    """Mask personal data in evidence: names keep the last character, numbers keep both ends."""
    if pii == "name":
        return f"CASE WHEN length({col}) <= 1 THEN {col} ELSE repeat('*', length({col}) - 1) || right({col}, 1) END"
    if pii == "address":
        return f"CASE WHEN length({col}) <= 6 THEN {col} ELSE left({col}, 6) || '***' END"
    return (f"CASE WHEN length({col}) <= 6 THEN repeat('*', length({col})) "
            f"ELSE left({col}, 3) || repeat('*', length({col}) - 5) || right({col}, 2) END")


class RuleKind:
    """Base of all rule kinds; subclasses live one per module and register in rules/__init__."""

    name: ClassVar[str]
    scope: ClassVar[str] = "row"  # row | set
    category: ClassVar[str] = "其他"
    needs_field: ClassVar[bool] = True
    needs_params: ClassVar[tuple[str, ...]] = ()  # run parameters without which the rule cannot run
    params_schema: ClassVar[dict] = {}
    required_params: ClassVar[tuple[str, ...]] = ()
    table_level: ClassVar[bool] = False  # judged on a whole table: conformance runs its fixtures alone
    gx_unsupported: ClassVar[str | None] = None  # why GX cannot express the kind (None: the generic reason)
    fires_on: ClassVar[str | None] = None  # "filled" | "empty": the only values of its field it can fail (lint)
    cannot_run_on: ClassVar[dict[str, str]] = {}  # "pushdown" | "spark" → why the kind cannot run there

    def check(self, rule: Rule, ctx: CompileContext) -> None:
        """Raise RuleError when the rule cannot work on this table (called at load time)."""
        if self.needs_field:
            if not rule.field:
                raise RuleError(f"rule kind '{self.name}' needs 'field'")
            ctx.field(rule.field)
        if rule.when:
            ctx.when_sql(rule)
        if self.scope == "row":
            self.violation(rule, ctx)
        else:
            self.failures_sql(rule, ctx)

    def default_category(self, rule: Rule, ctx: CompileContext) -> str:
        """The 检核类型 of a rule that does not name one."""
        return self.category

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        """SQL TRUE when a row breaks the rule, ignoring its ``when`` (see ``predicate``)."""
        raise NotImplementedError

    def predicate(self, rule: Rule, ctx: CompileContext) -> str:
        """The row kind's failure predicate with the rule's ``when`` applied: the one place that
        joins the two, so the planner, the binder and ``rules show`` judge the same condition."""
        pred = self.violation(rule, ctx)
        return f"({ctx.when_sql(rule)}) AND {pred}" if rule.when else pred

    def evidence(self, rule: Rule, ctx: CompileContext) -> str:
        return ctx.value(rule.field) if rule.field else "NULL"

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        raise NotImplementedError

    def tables_needed(self, rule: Rule) -> set[str]:
        return {rule.table}

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[tuple[str, dict]]:
        """(GX expectation type, kwargs) saying the rule in GX, or NotExpressible with the reason."""
        raise NotExpressible(self.gx_unsupported or f"rule kind '{self.name}' has no GX expectation")

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        """Why the rule can never fire or never pass, judged from its own parameters (``jianhe lint``;
        the ``when`` and ``fires_on`` are judged by lint itself)."""
        return []

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict] | None:
        """Rows (over the table's clean conformance row) on which a *derived* rule of this kind
        fails; None when the kind generates none (written rules carry their own examples)."""
        return None

    def messages(self, rule: Rule, ctx: CompileContext) -> tuple[str, str]:
        f = ctx.field(rule.field) if rule.field else None
        label = f"{ctx.table.name}.{f.name}" if f else ctx.table.name
        return f"{label}不满足{self.name}规则", f"{ctx.table.code}.{f.code if f else ''} fails the {self.name} rule"
