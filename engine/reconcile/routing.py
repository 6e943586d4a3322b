"""Who follows a finding up, as the platform routes feedback.

1. The debt unit, when the debtor's USCC (normalised) is registered on the platform.
2. Else the finance department of a region, when one can be identified: the region code the
   records carry (debt side first, then the creditor side), else positions 3–8 of the USCC (the
   registering authority's GB/T 2260 code) — in both cases only a code in force in the shipped
   GB/T 2260 list counts.
3. Else the provincial finance department named by the rule (``routing.province``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..identifiers import read_data

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政区划", "自治区直辖县级行政单位"}
KIND_ORDER = {"unit": 0, "finance": 1, "province": 2}


@dataclass(frozen=True)
class Recipient:
    kind: str  # unit | finance | province
    code: str
    name: str

    @property
    def sort_key(self) -> tuple:
        return (KIND_ORDER[self.kind], self.code)


@lru_cache(maxsize=1)
def divisions() -> dict[str, str]:
    """GB/T 2260 codes in force → names (the shipped list)."""
    return {r["code"]: r["name"] for r in read_data("gbt2260.csv") if not r["valid_to"]}


def department(code: str) -> str:
    """The finance department of a region: 海南省财政厅, 海口市财政局, 海口市龙华区财政局, 琼海市财政局,
    北京市财政局, 北京市东城区财政局."""
    names = divisions()
    name = names.get(code, code)
    if code.endswith("0000"):
        return name + ("财政局" if name.endswith("市") else "财政厅")
    if not code.endswith("00"):
        parent = names.get(code[:4] + "00", "")
        province = names.get(code[:2] + "0000", "")
        if parent and parent not in PLACEHOLDERS:
            name = parent + name
        elif province.endswith("市"):  # a district of a 直辖市: 北京市东城区
            name = province + name
    return name + "财政局"


def region_of(hints: list[str | None], debtors: list[str | None], use_uscc: bool) -> str | None:
    """The first region code in force among the records' region fields, then the USCCs' positions 3–8."""
    names = divisions()
    candidates = [h for h in hints if h]
    if use_uscc:
        candidates += [d[2:8] for d in debtors if d and len(d) >= 8]
    return next((c for c in candidates if c in names), None)


def route(registered: list[tuple[str, str | None]], hints: list[str | None], debtors: list[str | None],
          use_uscc: bool, province: str | None) -> Recipient:
    """``registered``: (USCC, unit name) of the group's registered debtors, debt side first."""
    if registered:
        uscc, name = registered[0]
        return Recipient("unit", uscc, name or uscc)
    region = region_of(hints, debtors, use_uscc)
    if region:
        return Recipient("finance", region, department(region))
    if province:
        return Recipient("province", province, department(province))
    return Recipient("province", "", "省级财政部门")
