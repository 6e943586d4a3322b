"""The reconciliation classes: one place for their codes, the platform's terms and definitions.

Every record in a reconcile rule's scope lands in exactly one *group* — the records of both
sides sharing one normalised match key (a record whose key is incomplete is a group of its
own) — and every group in exactly one class. Records the keys leave unpaired may still be paired
one to one by the rule's second match (``fallback``): such a pair is a group of its own. The
definitions below are what the SQL in ``sql.py`` beside this module computes; README and the
reports print them from here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecClass:
    code: str
    term: str  # the platform's word: 一致 错报 少报 多报 漏报 瞒报, or 匹配异常
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    discrepancy: bool = True


CLASSES: dict[str, RecClass] = {c.code: c for c in (
    RecClass("matched", "一致", "一致", "matched",
             "双方各一条记录、匹配键相同（1:1），余额差额不超过容差，其他比对字段均一致",
             "one record on each side with the same key (1:1); balances within tolerance and every "
             "other compared field equal (numbers within tolerance, dates within the allowed days, "
             "text equal after normalisation)", False),
    RecClass("misreported", "错报", "错报", "misreported",
             "1:1（匹配键相同，或匹配键不同、经第二次匹配配对），余额差额不超过容差但至少一个比对字段或匹配键字段不一致；"
             "或余额相差一个单位倍数（债务方 × 10⁴ 或 × 10⁻⁴ ≈ 债权方，误差不超过单位容差，即元/万元填错），"
             "按倍数换算后的余额差额不超过容差",
             "1:1 (same key, or paired by the second match with a key field differing) and the balances agree "
             "within tolerance but at least one other compared field or key field differs; or the balances "
             "differ by a unit factor (debt × 10⁴ or × 10⁻⁴ ≈ creditor within the scale tolerance: 元 reported as "
             "万元 or the reverse) and the balance corrected by that factor agrees within tolerance"),
    RecClass("under_reported", "少报", "少报", "under-reported",
             "1:1，债权方余额 − 债务方余额 > 容差（容差 = max(绝对容差, 相对容差 × |债权方余额|)）；"
             "余额相差单位倍数的，按倍数换算后仍少于债权方余额超过容差",
             "1:1 and creditor balance − debt balance > tolerance (tolerance = max(abs, rel × |creditor "
             "balance|)); when the balances differ by a unit factor, the gap left after correcting it"),
    RecClass("over_reported", "多报", "多报", "over-reported",
             "1:1，债务方余额 − 债权方余额 > 容差；余额相差单位倍数的，按倍数换算后仍多于债权方余额超过容差",
             "1:1 and debt balance − creditor balance > tolerance; when the balances differ by a unit factor, "
             "the gap left after correcting it"),
    RecClass("debt_only", "多报", "多报（仅债务方有记录）", "debt side only",
             "债务方一条记录，债权方（银行/登记机构）在本规则范围内没有相同匹配键的记录；匹配键不完整的债务方记录也归此类",
             "one debt-side record whose key no creditor-side record in the rule's scope carries; a "
             "debt-side record with an incomplete key is also in this class"),
    RecClass("duplicate", "多报", "重复填报", "duplicated entries",
             "债务方两条及以上记录匹配键相同，债权方没有该匹配键的记录；或债务方两条及以上完全相同的记录（各比对字段均相同）"
             "对应债权方一条记录，且每条的余额均与债权方一致（同一笔债务重复填报）",
             "two or more debt-side records share a key that no creditor-side record carries; or two or more "
             "identical debt-side records (every compared value equal), each agreeing in balance with the one "
             "creditor-side record of the key: one debt entered more than once"),
    RecClass("omitted", "漏报", "漏报", "omitted",
             "债权方有记录、债务方没有相同匹配键的记录，且不满足瞒报条件",
             "creditor-side record(s) whose key no debt-side record carries, and not concealed"),
    RecClass("concealed", "瞒报", "瞒报", "concealed",
             "债权方有记录、债务方没有，债务人统一社会信用代码已在平台登记，且债权方余额合计 ≥ 瞒报金额阈值",
             "creditor-side record(s) whose key no debt-side record carries, the debtor's USCC is "
             "registered on the platform, and the creditor balance (summed over the key) is at least "
             "the concealment threshold"),
    RecClass("one_to_many", "匹配异常", "一对多", "one-to-many",
             "债务方一条记录对应债权方两条及以上记录（同一匹配键），不自动配对，列出双方余额合计",
             "one debt-side record and two or more creditor-side records share a key: flagged, not "
             "paired; both balance sums are shown"),
    RecClass("many_to_one", "匹配异常", "多对一", "many-to-one",
             "债务方两条及以上记录对应债权方一条记录（同一匹配键），不自动配对，列出双方余额合计",
             "two or more debt-side records and one creditor-side record share a key: flagged, not "
             "paired; both balance sums are shown"),
    RecClass("many_to_many", "匹配异常", "多对多", "many-to-many",
             "双方各有两条及以上记录匹配键相同",
             "two or more records on each side share a key"),
)}

DISCREPANCIES = tuple(code for code, c in CLASSES.items() if c.discrepancy)

# what a monthly comparison calls a key's change on one side, against last month's agreed data
CHANGES: dict[str, tuple[str, str]] = {
    "new": ("新增", "key not in last month's agreed data"),
    "changed": ("变更", "key in both months, a compared field or the number of records changed"),
    "settled": ("结清", "key in both months, balance now 0 (last month > 0)"),
    "vanished": ("消失", "key in last month's agreed data, not reported this month"),
    "unchanged": ("未变", "key in both months, every compared field equal"),
}

RECIPIENT_KINDS: dict[str, tuple[str, str]] = {
    "unit": ("债务单位", "the debt unit (its USCC is registered on the platform)"),
    "supervisor": ("主管部门", "the 主管部门 of a unit not on the platform (it verifies whether the unit must be)"),
    "finance": ("地方财政部门", "the finance department of the region (only the region could be identified)"),
    "province": ("省级财政部门", "the provincial finance department (neither unit nor region identified)"),
    "branch": ("银行分支机构", "the lending branch of the bank (bank loans: the creditor side's recipient)"),
    "bank": ("银行总行", "the bank's head office (the branch is not in its branch directory, or none is given)"),
}

# the status of a difference, from the recipients' replies (待确认 until every recipient confirms it)
STATUSES: dict[str, str] = {
    "待确认": "awaiting confirmation: no reply yet, or not every recipient has confirmed",
    "已确认": "confirmed by every recipient (the difference is agreed and to be corrected)",
    "有异议": "a recipient disputes it (the reply says why)",
}
