"""What rule kinds share to state a rule as Great Expectations 1.x expectations.

A kind that GX can express with the same meaning overrides ``RuleKind.gx_expectations`` with
these helpers; engine/export/gx.py asks the kind and never names one.
"""
from __future__ import annotations

from ..dialects.regex import char
from .base import CompileContext, NotExpressible, Rule

Expectation = tuple[str, dict]  # (expectation type, kwargs)


def column(rule: Rule, ctx: CompileContext, ref: str | None = None) -> str:
    """The batch column of a field: its code (the rule's own field when ``ref`` is None)."""
    return ctx.field(ref or rule.field).code


def match_regex(column_name: str, pattern: str) -> list[Expectation]:
    return [("expect_column_values_to_match_regex", {"column": column_name, "regex": pattern})]


def literal(text: str) -> str:
    """A literal text as a regex that PostgreSQL and Python (GX's engines) read alike."""
    return "".join(char(c) for c in text)


__all__ = ["Expectation", "NotExpressible", "column", "literal", "match_regex"]
