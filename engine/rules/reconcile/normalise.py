"""Normalisation of match keys and compared values, as SQL applied identically to both sides.

Each step is a template over one SQL expression; a rule lists the steps it wants, in order
(default ``halfwidth, trim, upper``). An empty result is NULL, so an empty key component never
matches another empty one.
"""
from __future__ import annotations

from ...dialects.quoting import sql_quote

# full-width forms U+FF01–U+FF5E map to ASCII U+0021–U+007E; the ideographic space U+3000 and the
# no-break space U+00A0 to a space
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
_FULL_CLASS = "[\\x{FF01}-\\x{FF5E}\\x{3000}\\x{00A0}]"

STEPS: dict[str, str] = {
    # translate() is costly per call: only text with a multi-byte character (cheap test) that holds a
    # full-width one (regular expression) is translated
    "halfwidth": ("CASE WHEN strlen({0}) <> length({0}) AND regexp_matches({0}, '" + _FULL_CLASS + "') "
                  "THEN translate({0}, " + sql_quote(_FULL) + ", " + sql_quote(_HALF) + ") ELSE {0} END"),
    # leading and trailing spaces (full-width and no-break spaces are spaces after halfwidth); control
    # characters are not trimmed: validate reports them (FILE.CONTROL_CHARS)
    "trim": "trim({0})",
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
