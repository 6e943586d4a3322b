"""Normalisation of match keys and compared values, as SQL applied identically to both sides.

Each step is a template over one SQL expression; a rule lists the steps it wants, in order
(default ``halfwidth, trim, upper``). An empty result is NULL, so an empty key component never
matches another empty one.
"""
from __future__ import annotations

from ..formats import sql_quote

# full-width forms U+FF01–U+FF5E map to ASCII U+0021–U+007E; the ideographic space U+3000 to a space
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
_SPACE_CHARS = " \t\r\n\u00a0"

STEPS: dict[str, str] = {
    "halfwidth": "translate({0}, " + sql_quote(_FULL) + ", " + sql_quote(_HALF) + ")",
    "trim": "trim({0}, " + sql_quote(_SPACE_CHARS) + ")",
    "upper": "upper({0})",
    "lower": "lower({0})",
    "strip_spaces": "regexp_replace({0}, '\\s+', '', 'g')",
    "strip_separators": "regexp_replace({0}, '[\\s\\-‐‑–—_/·.]+', '', 'g')",
    "strip_leading_zeros": "regexp_replace({0}, '^0+([0-9A-Za-z])', '\\1')",
}
DEFAULT_STEPS = ("halfwidth", "trim", "upper")
NUMBER_STEPS = ("halfwidth", "trim")


def normalise_sql(expr: str, steps: tuple[str, ...] | list[str]) -> str:
    """``expr`` with every step applied in order; '' becomes NULL."""
    for step in steps:
        expr = STEPS[step].replace("{0}", expr)
    return f"nullif({expr}, '')"


def number_sql(expr: str) -> str:
    """A decimal from text written with full-width digits, spaces or thousands separators; else NULL."""
    text = normalise_sql(expr, NUMBER_STEPS)
    return f"TRY_CAST(replace({text}, ',', '') AS DECIMAL(38, 10))"


def date_sql(expr: str) -> str:
    """A date from YYYYMMDD (or YYYY-MM-DD) text, full-width digits allowed; else NULL."""
    text = normalise_sql(expr, NUMBER_STEPS)
    return f"CAST(try_strptime({text}, ['%Y%m%d', '%Y-%m-%d']) AS DATE)"
