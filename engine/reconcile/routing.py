"""Who follows a finding up, as the platform routes feedback (通知 附件4 二, 附件1 三, 附件3 二, 附件5 一).

On the debt side, one recipient:

1. The debt unit, when the debtor's USCC (normalised) is registered on the platform (its 主管部门
   is named: it reviews the unit's corrections, 三(二)2 第二步).
2. Else the unit's 主管部门, when the list of units and their 主管部门 names it: it verifies whether
   the unit must be on the platform (附件3 二) and reports it to the finance department of its
   level (附件1 三.1, 附件4 三).
3. Else the finance department of a region, when one can be identified: the region code the
   records carry (debt side first, then the creditor side), else positions 3–8 of the USCC (the
   registering authority's GB/T 2260 code) — in both cases only a code in force in the shipped
   GB/T 2260 list counts.
4. Else the provincial finance department of the configured province (``routing.province``).

On the creditor side (bank loans), a second recipient: the lending branch, as the bank record (else
the debt record) names it and the head office's branch directory lists it (附件5 一); a branch the
directory does not list under its head office goes to the head office (附件2 二).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..identifiers import read_data

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政区划", "自治区直辖县级行政单位"}
KIND_ORDER = {"unit": 0, "supervisor": 1, "finance": 2, "province": 3, "branch": 4, "bank": 5}


@dataclass(frozen=True)
class Recipient:
    kind: str  # unit | supervisor | finance | province (debt side) · branch | bank (creditor side)
    code: str
    # a recipient is its kind and code: names as records write them may differ
    name: str = field(compare=False)
    note: str = field(default="", compare=False)  # who else acts: the unit's 主管部门, the finance department …

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
          use_uscc: bool, province: str | None, supervised: list[tuple[str, str, str | None, str | None]] = (),
          unit_supervisors: dict[str, str] | None = None) -> Recipient:
    """``registered``: (USCC, unit name) of the group's registered debtors, debt side first;
    ``supervised``: (USCC, 主管部门, its code, its region) of the group's debtors the list of units names."""
    if registered:
        uscc, name = registered[0]
        sup = (unit_supervisors or {}).get(uscc)
        return Recipient("unit", uscc, name or uscc, f"主管部门：{sup}（审核确认）" if sup else "")
    if supervised:
        _, supervisor, code, region = supervised[0]
        note = "核实该单位是否应纳入债务监测平台（附件3 二）"
        if region and region in divisions():
            note += f"，汇总报送同级财政部门：{department(region)}（附件4 三）"
        return Recipient("supervisor", code or supervisor, supervisor, note)
    region = region_of(hints, debtors, use_uscc)
    if region:
        return Recipient("finance", region, department(region))
    if province:
        return Recipient("province", province, department(province))
    return Recipient("province", "", "省级财政部门")


def route_branch(candidates: list[tuple[str | None, str | None, str | None, str | None]],
                 directory: dict[tuple[str, str], str | None] | None) -> Recipient | None:
    """The lending branch: ``candidates`` are (head office code, its name, branch code, branch name) as the
    records give them, creditor side first (codes normalised); ``directory`` the (head, branch) → name
    pairs of the branch directory, None when the folder has none."""
    heads = [(h, hn) for h, hn, _, _ in candidates if h]
    for head, _, branch, name in candidates:
        if not branch:
            continue
        if directory is None:
            return Recipient("branch", branch, name or branch)
        if (head, branch) in directory:
            return Recipient("branch", branch, directory[(head, branch)] or name or branch)
    if not heads:
        return None
    head, head_name = heads[0]
    listed = [b for _, _, b, _ in candidates if b]
    note = (f"经办机构 {listed[0]} 不在总行的分支机构名录中（附件2 二）" if listed and directory is not None
            else "未填报经办机构")
    return Recipient("bank", head, head_name or head, note)
