"""regex: a non-empty field must fully match a regular expression (RE2 syntax, as DuckDB)."""
from functools import lru_cache

import duckdb

from ..dialects.quoting import sql_quote
from ..formats import FormatCode
from ..spec import Catalog, TableSpec
from ..dialects.regex import NotPortable, portable_full_match
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind, filled, with_value
from .expect import Expectation, column, match_regex
from .probe import all_match, samples


class Regex(RuleKind):
    name = "regex"
    category = "其他"
    fires_on = "filled"
    params_schema = {"pattern": {"type": "string", "minLength": 1}}
    required_params = ("pattern",)

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        pattern = rule.params["pattern"]
        problem = re2_problem(pattern)
        if problem:
            raise RuleError(f"invalid regular expression {pattern!r} (RE2 syntax, e.g. \\x{{4e00}} or \\p{{Han}}): {problem}")
        col = ctx.column(rule.field)
        return f"({filled(col)} AND NOT regexp_full_match({col}, {sql_quote(pattern)}))"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        """The pattern in a form PostgreSQL and Python read alike, when it has one."""
        try:
            return match_regex(column(rule, ctx), portable_full_match(rule.params["pattern"]))
        except NotPortable as exc:
            raise NotExpressible(f"pattern {rule.params['pattern']!r}: {exc}") from None

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        spec_field = table.field(rule.field) if rule.field else None
        message = spec_field and implied_by_format(rule.params.get("pattern", ""), spec_field.format)
        return [message] if message else []

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return with_value(rule, table, clean, "13800138000")

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return (f"{ctx.table.name}.{f.name}非空时必须符合模式 {rule.params['pattern']}",
                f"{ctx.table.code}.{f.code}, when filled, must match {rule.params['pattern']}")


@lru_cache(maxsize=1024)
def implied_by_format(pattern: str, fmt: FormatCode) -> str | None:
    """Why the pattern adds nothing to the format rule (every sample of the format matches), or None."""
    probes = samples(fmt)
    if len(probes) < 3 or not all_match(pattern, probes):
        return None
    return f"overlaps the format rule: every value of format {fmt.code} already matches '{pattern}'"


@lru_cache(maxsize=None)
def re2_problem(pattern: str) -> str | None:
    """Compile the pattern with DuckDB's own RE2, the engine that will run it; None when fine."""
    try:
        duckdb.connect().execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    return None
