"""The shape every dialect shares: parse the engine's DuckDB SQL with sqlglot, walk the tree
once children first applying the dialect's fixes (a table keyed by node type, in the style of
sqlglot's own ``Generator.TRANSFORMS``), and write the result in the target dialect — or raise the
dialect's ``Untranslatable`` subclass naming what has no faithful equivalent.

sqlglot does the bulk of a translation; a fix is where the two engines *mean* different things
for the same syntax (a cast's leniency, a regex dialect, text ordering). A dialect registers
itself by its names (``DIALECTS``); callers ask ``engine.dialects.dialect_for("postgresql")``.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .regex import NotPortable, RegexTarget

DEEP = 20000  # unrolled check sums (LEI: 20 nested levels) parse deep

Fix = Callable[["Dialect", exp.Expression], exp.Expression]


class Untranslatable(ValueError):
    """The DuckDB SQL uses something this dialect cannot run with the same meaning."""


def walk(node: exp.Expression, fun: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply ``fun`` to every node, children first (each fix sees its operands already fixed)."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, walk(value, fun))
        elif isinstance(value, list):
            node.set(key, [walk(v, fun) if isinstance(v, exp.Expression) else v for v in value])
    return fun(node)


@lru_cache(maxsize=None)
def _parsed_template(sql: str, read: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read=read)


DIALECTS: dict[str, Dialect] = {}


class Dialect:
    """The engine's DuckDB SQL → one target (sqlglot's name for it in ``write``)."""

    name: ClassVar[str] = ""  # as messages name it
    write: ClassVar[str] = ""  # sqlglot's dialect
    names: ClassVar[tuple[str, ...]] = ()  # registry keys (SQLAlchemy's dialect name among them)
    error: ClassVar[type[Untranslatable]] = Untranslatable
    regex: ClassVar[RegexTarget]
    parse_error: ClassVar[str] = "cannot parse: {}"
    constant_error: ClassVar[str] = "{} must be a constant string"
    fixes: ClassVar[dict[type[exp.Expression], Fix]] = {}

    def __init_subclass__(cls, **settings) -> None:
        """``class Postgres(Dialect, name=…, write=…, names=…)``: the settings above, then the
        dialect registered under each of its names."""
        unknown = set(settings) - set(Dialect.__annotations__)
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown dialect settings {sorted(unknown)}")
        super().__init_subclass__()
        for key, value in settings.items():
            setattr(cls, key, value)
        for alias in cls.names:
            DIALECTS[alias] = cls()

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], str | Untranslatable] = {}  # parsing is the cost: each text once

    # what callers ask ---------------------------------------------------------------------------

    def expression(self, sql: str) -> str:
        """A predicate, evidence or key expression."""
        return self._cached("expression", sql)

    def query(self, sql: str) -> str:
        """A whole SELECT."""
        return self._cached("query", sql)

    def _cached(self, what: str, sql: str) -> str:
        key = (what, sql)
        if key not in self._done:
            try:
                self._done[key] = self._deep(what, sql)
            except Untranslatable as exc:
                self._done[key] = exc
        done = self._done[key]
        if isinstance(done, Untranslatable):
            raise done
        return done

    def _deep(self, what: str, sql: str) -> str:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, DEEP))
        try:
            tree = self.translate(self.parse(f"SELECT {sql}" if what == "expression" else sql))
            return self.generate(tree.expressions[0] if what == "expression" else tree)
        except RecursionError:
            raise self.error("the SQL is nested too deeply to transpile") from None
        finally:
            sys.setrecursionlimit(limit)

    # the steps a dialect may extend -------------------------------------------------------------

    def parse(self, sql: str) -> exp.Expression:
        try:
            return sqlglot.parse_one(sql, read="duckdb")
        except SqlglotError as exc:
            raise self.error(self.parse_error.format(str(exc).splitlines()[0])) from None

    def translate(self, tree: exp.Expression) -> exp.Expression:
        return walk(tree, self.fix)

    def generate(self, tree: exp.Expression) -> str:
        return tree.sql(self.write)

    def fix(self, node: exp.Expression) -> exp.Expression:
        """The fix for this node's type (or the nearest base type's), if the dialect has one."""
        fix = _fix_for(type(self), type(node))
        return node if fix is None else fix(self, node)

    # what fixes share ---------------------------------------------------------------------------

    def template(self, sql: str, **args: exp.Expression) -> exp.Expression:
        """Parse a template in the target dialect and put the given expressions in for its
        ``__name`` columns."""
        def put(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column) and not node.table and node.name.startswith("__"):
                return args[node.name[2:]].copy()
            return node
        return _parsed_template(sql, self.write).copy().transform(put)

    def constant(self, node: exp.Expression | None, what: str) -> str:
        """The text of a string literal; anything else cannot be translated faithfully."""
        if not isinstance(node, exp.Literal) or not node.is_string:
            raise self.error(self.constant_error.format(what))
        return node.this

    def pattern(self, node: exp.Expression, full: bool, describe: str) -> exp.Expression:
        """``node.expression``, an RE2 pattern, in the dialect's regex flavour (as a literal)."""
        pattern = self.constant(node.expression, "a regular expression")
        try:
            translated = self.regex.full_match(pattern) if full else self.regex.search(pattern)
        except NotPortable as exc:
            raise self.error(f"regular expression {describe}: {exc}") from None
        return exp.Literal.string(translated)


@lru_cache(maxsize=None)
def _fix_for(dialect: type[Dialect], node_type: type[exp.Expression]) -> Fix | None:
    for cls in node_type.__mro__:
        if cls in dialect.fixes:
            return dialect.fixes[cls]
    return None


__all__ = ["DIALECTS", "Dialect", "Untranslatable", "walk"]
