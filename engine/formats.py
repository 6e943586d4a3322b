"""EAST format codes (C8, C..100, I..4, D20.2, F, YYYYMMDD …) judged on the text as written.

Each format compiles to a DuckDB predicate that is TRUE when a non-empty value violates it.
Lengths of C formats count UTF-8 bytes (DuckDB ``strlen``), as the standard says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERN = re.compile(
    r"^(?:(?P<c>C)(?P<cvar>\.\.)?(?P<cw>\d+)"
    r"|(?P<i>I)(?:\.\.(?P<iw>\d+))?"
    r"|(?P<d>D)(?P<dw>\d+)(?:\.(?P<dd>\d+))?"
    r"|(?P<f>F)"
    r"|(?P<date>YYYYMMDD)|(?P<ym>YYYYMM)|(?P<time>hhmmss))$",
    re.ASCII,
)

DATE_DEFAULT = "99991231"
YEARMONTH_DEFAULT = "999912"
TIME_DEFAULT = "000000"


@dataclass(frozen=True)
class FormatCode:
    code: str
    kind: str  # char | int | decimal | float | date | yearmonth | time
    width: int | None = None
    scale: int | None = None
    fixed: bool = False

    @property
    def default(self) -> str | None:
        """The value the interface spec uses for 'not applicable' (采集技术接口说明 §二(四))."""
        return {"date": DATE_DEFAULT, "yearmonth": YEARMONTH_DEFAULT, "time": TIME_DEFAULT,
                "int": "0", "decimal": "0", "float": "0"}.get(self.kind)

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int", "decimal", "float")

    def describe(self) -> str:
        return {
            "char": f"{'exactly' if self.fixed else 'at most'} {self.width} UTF-8 bytes",
            "int": "an integer without sign '+' or leading zeros" + (f", at most {self.width} digits" if self.width else ""),
            "decimal": f"a decimal of at most {self.width} characters and {self.scale or 0} decimals, no '+', no padding zeros",
            "float": "a number",
            "date": f"a real date YYYYMMDD or {DATE_DEFAULT}",
            "yearmonth": f"a real month YYYYMM or {YEARMONTH_DEFAULT}",
            "time": "a time hhmmss (000000–235959)",
        }[self.kind]


def parse_format(code: str) -> FormatCode:
    """Parse a format code; raises ValueError naming the code when it is not one we know."""
    m = _PATTERN.match(code.strip())
    if not m:
        raise ValueError(f"unknown format code '{code}' (expected Cn, C..n, I, I..n, Dw.d, F, YYYYMMDD, YYYYMM or hhmmss)")
    if m["c"]:
        width = int(m["cw"])
        if width == 0:
            raise ValueError(f"format code '{code}' has zero width")
        return FormatCode(code, "char", width, fixed=not m["cvar"])
    if m["i"]:
        return FormatCode(code, "int", int(m["iw"]) if m["iw"] else None)
    if m["d"]:
        width, scale = int(m["dw"]), int(m["dd"] or 0)
        if scale >= width:
            raise ValueError(f"format code '{code}': decimals must be fewer than the width")
        return FormatCode(code, "decimal", width, scale)
    if m["f"]:
        return FormatCode(code, "float")
    if m["date"]:
        return FormatCode(code, "date", 8, fixed=True)
    if m["ym"]:
        return FormatCode(code, "yearmonth", 6, fixed=True)
    return FormatCode(code, "time", 6, fixed=True)


def violation_sql(fmt: FormatCode, col: str) -> str:
    """Predicate TRUE when the (non-empty) text in ``col`` breaks the format."""
    if fmt.kind == "char":
        return f"strlen({col}) {'<>' if fmt.fixed else '>'} {fmt.width}"
    if fmt.kind == "int":
        digits = f"{{0,{fmt.width - 1}}}" if fmt.width else "*"
        return f"NOT regexp_full_match({col}, '-?(0|[1-9][0-9]{digits})')"
    if fmt.kind == "decimal":
        frac = f"(\\.[0-9]{{1,{fmt.scale}}})?" if fmt.scale else ""
        return f"(strlen({col}) > {fmt.width} OR NOT regexp_full_match({col}, '-?(0|[1-9][0-9]*){frac}'))"
    if fmt.kind == "float":
        return f"NOT regexp_full_match({col}, '-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?')"
    if fmt.kind == "date":
        return (f"({col} <> '{DATE_DEFAULT}' AND (NOT regexp_full_match({col}, '[0-9]{{8}}') "
                f"OR try_strptime({col}, '%Y%m%d') IS NULL))")
    if fmt.kind == "yearmonth":
        return f"({col} <> '{YEARMONTH_DEFAULT}' AND NOT regexp_full_match({col}, '[1-9][0-9]{{3}}(0[1-9]|1[0-2])'))"
    return f"NOT regexp_full_match({col}, '([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]')"
