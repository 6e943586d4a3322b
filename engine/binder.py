"""Bind written rules in DuckDB at load time, so a rule that would fail at run time is a
rule-file error (with file, line and rule id) instead of a crash in the middle of a run.

The binder holds every table of the catalog as an empty relation of the same shape as a loaded
table; binding a rule's SQL against it catches type errors (e.g. ``'abc' + 1``) that the
expression allow-list cannot see.
"""
from __future__ import annotations

import duckdb

from .identifiers import install_macros
from .rules import REGISTRY, CompileContext, Rule
from .spec import Catalog


class Binder:
    def __init__(self, catalog: Catalog):
        from .sources.load import create_relation

        self.con = duckdb.connect()
        install_macros(self.con)
        for table in catalog.tables.values():
            create_relation(self.con, table)

    def when_problem(self, rule: Rule, ctx: CompileContext) -> str | None:
        """The precondition alone, so a bad ``when`` is blamed on ``when``."""
        if not rule.when:
            return None
        return self._bind(f"SELECT coalesce({ctx.when_sql(rule)}, FALSE) AS w FROM {ctx.relation(ctx.table.code)}")

    def problem(self, rule: Rule, ctx: CompileContext) -> str | None:
        """None when the rule's SQL binds; else DuckDB's first line of complaint."""
        kind = REGISTRY[rule.kind]
        if kind.needs_params:
            ctx = ctx.with_params(**{p: "20240101" for p in kind.needs_params if p not in ctx.params})
        if kind.scope == "row":
            sql = f"SELECT coalesce({kind.predicate(rule, ctx)}, FALSE) AS p, CAST({kind.evidence(rule, ctx)} AS VARCHAR) AS v " \
                  f"FROM {ctx.relation(ctx.table.code)}"
        else:
            sql = kind.failures_sql(rule, ctx)
        return self._bind(sql)

    def _bind(self, sql: str) -> str | None:
        """A relation is bound when it is made (its columns' types are known), and not run: half
        the time of running it with LIMIT 0, for thousands of rules per pack."""
        try:
            self.con.sql(sql).types
        except duckdb.Error as exc:
            return str(exc).splitlines()[0]
        return None
