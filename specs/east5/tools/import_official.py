#!/usr/bin/env python3
"""Import the regulator's EAST 5.0 workbooks into the data files the east5 spec and pack are built from.

Usage::

    python specs/east5/tools/import_official.py                      # read the shared folder, write specs/east5/official/
    python specs/east5/tools/import_official.py --source DIR         # the workbooks are in DIR
    python specs/east5/tools/import_official.py --check              # write nothing; exit 1 when the files differ

Read (openpyxl, values only, offline):

* 规范附件4 (rule workbook): sheet 检核规则 (3,860 rules ``JHGZnnnn``: 检核类型, table, field, text, 是否强校验) and
  sheet 检核规则 (可删除) (899 rules ``JHGZnnnnn`` the regulator marked as removable);
* 规范附件3 (structure workbook): sheet 数据元说明 (data elements: code, name, description, format) and sheet
  数据结构 (every field of every table: code, number, data element, format);
* 四期答疑口径整合 (the four Q&A batches): 表2 规范调整表 (spec changes: formats, descriptions) and 表3 检核规则调整表
  (rule changes 修改 / 删除 / 调整为弱校验, under the *final* rule numbers, with the batch); 表1 答疑口径 only for the
  final rule numbers the answers cite (校核规则序号).

Written (``specs/east5/official/``, UTF-8, LF, sorted, byte-identical on every run):

* ``rules.csv``     the official rule register: one row per rule of both sheets (and one per Q&A rule that maps
                    to no workbook rule), with its final number where it can be mapped, the final table/field,
                    the official 检核类型 label, text and 是否强校验, the removable flag, and its history through the
                    four batches (status and strong/weak after them);
* ``fields.csv``    every field of the 70 final tables: official format and data element (数据结构, then 表2
                    changes), or ``new_in_final`` where the workbook has no such field;
* ``elements.csv``  every data element of 数据元说明 with the code list its description enumerates, and the 表2
                    changes to it;
* ``qa_rule_changes.csv`` / ``qa_spec_changes.csv``  表3 and 表2 as imported, with the pack version of the batch;
* ``summary.json``  the counts.

Mapping ``JHGZ`` → final number.  The final standard renumbered the rules: the workbook is the generation before
(74 tables; see the official README).  The final numbering keeps the workbook's order, leaving out rules of
dropped tables and fields and adding rules for new ones.  So the mapping is anchored where a document ties a
final number to a workbook rule, and interpolated between anchors only where the count of workbook rules left
between two anchors equals the gap in final numbers:

1. ``qa``       表3 gives the final number, table, field and the text *before* the change: the workbook rule of that
                final table and field with that text (normalised; else the only close one);
2. ``nonnull``  the final non-null numbers of the spec (``required:`` of specs/east5/tables, east5.md Appendix A):
                the unconditional 为空校验 rule of that table and field;
3. ``cited``    a Q&A answer citing one final number for one table and field, when exactly one workbook rule of that
                table and field lies between the anchors around the number;
4. ``sequence`` interpolated between two consecutive anchors (workbook order, anchors kept only when increasing);
5. ``twin``     the 定期 deposit tables were merged into the 活期 ones (个人存款分户账 …): their rules take the number of
                the 活期 rule with the same final field and text.

Rules of tables or fields dropped from the final version get no number (status ``not_in_final``).
"""
from __future__ import annotations

import argparse
import bisect
import csv
import difflib
import io
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parent
REPO = SPEC_DIR.parent.parent
OUT_DIR = SPEC_DIR / "official"
DEFAULT_SOURCE = REPO.parent / "shared" / "reference" / "official" / "east5"

WORKBOOKS = {
    "rules": "规范附件4*.xlsx",
    "structure": "规范附件3*.xlsx",
    "qa": "*四期答疑口径整合.xlsx",
}
OUTPUTS = ("rules.csv", "fields.csv", "elements.csv", "qa_rule_changes.csv", "qa_spec_changes.csv", "summary.json")

BATCHES = {"第一期答疑": "2022.1", "第二期答疑": "2022.2", "第三期答疑": "2022.3", "第四期答疑": "2022.4"}

# Workbook table names that the final version renamed or merged (east5.md §1 "Naming differences draft → final";
# 附件3 删除的表和数据项).  Other workbook tables keep their name.
TABLE_RENAMES = {
    "股东信息表": "GDJGLFXXB",
    "个人活期存款分户账": "GRCKFHZ", "个人定期存款分户账": "GRCKFHZ",
    "个人活期存款分户账明细记录": "GRCKFHZMX", "个人定期存款分户账明细记录": "GRCKFHZMX",
    "对公活期存款分户账": "DGCKFHZ", "对公定期存款分户账": "DGCKFHZ",
    "对公活期存款分户账明细记录": "DGCKFHZMX", "对公定期存款分户账明细记录": "DGCKFHZMX",
    "贷款核销表": "ZCHXB",
    "信用卡持卡人授信情况表": "XYKSXQKB",
    "信用卡持卡人分期业务表": "XYKFQYWB",
    "贸易背景信息表": "JYBJXXB",
}
# Merged into the 活期 table of the same final table: numbered like their 活期 twin (see ``twin`` above).
SECONDARY_TABLES = {"个人定期存款分户账", "个人定期存款分户账明细记录", "对公定期存款分户账", "对公定期存款分户账明细记录"}
# Workbook tables with no final counterpart (east5.md §1).
DROPPED_TABLES = {"贷款展期表", "人行金融机构资产负债项目报表", "代客资金交易信息表", "客户理财账户信息表"}

# Fields the final version renamed (workbook name → final name), per final table: the workbook field and the final
# one hold the same fact (数据结构 变更说明 / 删除的表和数据项; the code changed with the name).
FIELD_RENAMES = {
    "CZXXB": {"客户姓名": "客户名称"},
    "JJKXXB": {"客户姓名": "客户名称", "员工标志": "员工卡标志"},
    "LCCPXSMXB": {"客户姓名": "客户名称"},
    "GRKHGXB": {"关系人姓名": "关系人名称"},
    "GLGXB": {"关联关系状态": "关系状态"},
    "GRJCXXB": {"上本行黑名单标志": "上黑名单标志"},
    "GRCKFHZ": {"活期存款账号": "个人存款账号", "定期存款账号": "个人存款账号",
                "个人活期存款账户类型": "个人存款账户类型", "个人定期存款账户类型": "个人存款账户类型"},
    "GRCKFHZMX": {"活期存款账号": "个人存款账号", "定期存款账号": "个人存款账号"},
    "DGCKFHZ": {"活期存款账号": "对公存款账号", "定期存款账号": "对公存款账号",
                "对公活期存款账户类型": "对公存款账户类型", "对公定期存款账户类型": "对公存款账户类型"},
    "DGCKFHZMX": {"活期存款账号": "对公存款账号", "定期存款账号": "对公存款账号"},
    "DGKHXXB": {"基本账户开户行号": "基本存款账户开户行号", "基本账户开户行名称": "基本存款账户开户行名称",
                "财务人员": "财务负责人", "财务人员证件类别": "财务负责人证件类别", "财务人员证件号码": "财务负责人证件号码"},
    "GDJGLFXXB": {"股东名称": "股东或关联方名称", "股东类型": "股东或关联方类型", "股东证件类别": "股东或关联方证件类别",
                  "股东证件号码": "股东或关联方证件号码", "股东状态": "股东或关联方状态"},
    "LCCPZCJYXXB": {"交易对手方是否为本行理财产品": "交易对手方是否为本机构理财产品"},
    "PJCPXXB": {"受益人名称": "收款人名称", "受益人账号": "收款人账号", "受益人开户行名称": "收款人开户行名称",
                "票据贸易背景": "贸易背景"},
    "SDSHXXB": {"POS终端号": "终端号"},
    "XDHTB": {"主要担保方式": "担保类型"},
    "XYKSXQKB": {"应收利息": "应收息费"},
    "YTDKXXB": {"代理参贷标志": "银团成员类型"},
    "ZCHXB": {"信贷借据号": "借据号", "信贷合同号": "合同号", "信贷资产类型": "资产类型", "实核贷款本金": "实核本金"},
}

CATEGORY_SHORT = {  # official 检核类型 label → the pack's category
    "1缺失类-为空校验": "为空", "1缺失类-默认值校验（日期和数值为0）": "默认值", "2格式规范类-日期格式": "日期格式",
    "2格式规范类-特殊字符校验": "特殊字符", "2格式规范类-唯一性校验": "唯一性", "2格式规范类-长度校验": "长度",
    "2格式规范类-字典值校验": "字典值", "3表间关联类-关联校验": "关联", "4业务类-其他类": "其他", "4业务类-数值比较类": "数值比较",
}


# ----------------------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------------------

def _find(source: Path, pattern: str) -> Path:
    found = sorted(source.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no workbook matching {pattern!r} in {source}")
    return found[0]


def read_workbooks(source: Path) -> dict[str, list[tuple]]:
    """Every sheet used, as (row number, cells) with text stripped of surrounding blanks."""
    import openpyxl  # imported here: --help works without it

    sheets = {
        "rules": ("rules", "检核规则"), "removable": ("rules", "检核规则 (可删除)"),
        "elements": ("structure", "数据元说明"), "structure": ("structure", "数据结构"),
        "qa_answers": ("qa", "表1-答疑口径"), "qa_spec": ("qa", "表2-规范调整表"), "qa_rules": ("qa", "表3-检核规则调整表"),
    }
    books: dict[str, object] = {}
    out: dict[str, list[tuple]] = {}
    for key, (book, sheet) in sheets.items():
        if book not in books:
            books[book] = openpyxl.load_workbook(_find(source, WORKBOOKS[book]), read_only=True, data_only=True)
        rows = []
        for number, cells in enumerate(books[book][sheet].iter_rows(values_only=True), start=1):
            rows.append((number, tuple(_cell(c) for c in cells)))
        out[key] = rows
    for wb in books.values():
        wb.close()
    return out


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def norm(text) -> str:
    """Text compared across documents: no blanks, half-width punctuation, no final full stop."""
    text = re.sub(r"\s+", "", str(text or ""))
    text = text.translate(str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "“": '"', "”": '"',
                                         "‘": "'", "’": "'", "！": "!", "？": "?", "、": ","}))
    return text.rstrip("。.")


# ----------------------------------------------------------------------------------------------------------
# The final tables (field lists and final non-null numbers from the spec)
# ----------------------------------------------------------------------------------------------------------

@dataclass
class FinalField:
    code: str
    name: str
    order: int
    required: int | None


@dataclass
class FinalTable:
    code: str
    name: str
    number: int | str
    fields: list[FinalField]

    def by_name(self, name: str) -> FinalField | None:
        return next((f for f in self.fields if f.name == name), None)

    def by_code(self, code: str) -> FinalField | None:
        return next((f for f in self.fields if f.code == code), None)


def load_final_tables(spec_dir: Path) -> dict[str, FinalTable]:
    tables = {}
    for path in sorted((spec_dir / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        fields = [FinalField(f["code"], f["name"], i + 1, f["required"] if isinstance(f.get("required"), int) and
                             not isinstance(f.get("required"), bool) else None)
                  for i, f in enumerate(doc["fields"])]
        tables[doc["table"]] = FinalTable(doc["table"], doc["name"], doc.get("number", ""), fields)
    return tables


class Resolver:
    """Workbook table/field names → final table code / field code."""

    def __init__(self, tables: dict[str, FinalTable]):
        self.tables = tables
        self.by_name = {t.name: t.code for t in tables.values()}

    def table(self, name: str | None) -> str | None:
        if not name or name in DROPPED_TABLES:
            return None
        return TABLE_RENAMES.get(name) or self.by_name.get(name)

    def field(self, table: str | None, name: str | None, code: str | None = None) -> str | None:
        if not table:
            return None
        t = self.tables[table]
        renamed = FIELD_RENAMES.get(table, {}).get(name or "")
        f = t.by_name(renamed or name or "")
        if f is None and code and not renamed:
            f = t.by_code(code)
        return f.code if f else None


# ----------------------------------------------------------------------------------------------------------
# The rule register
# ----------------------------------------------------------------------------------------------------------

@dataclass
class Rule:
    jhgz: str
    seq: int                      # position in its sheet
    sheet: str
    category: str
    table: str
    table_code: str
    field: str
    field_code: str
    text: str
    strong: str                   # 是 / 否 (empty in the removable sheet)
    removable: bool
    remark: str = ""
    final_table: str | None = None
    final_field: str | None = None
    final: int | None = None
    basis: str = ""
    history: list[dict] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.jhgz[4:])


@dataclass
class QaRuleChange:
    row: int
    final: int
    table: str
    field: str
    before: str
    after: str
    change: str                   # 修改 / 删除 / 调整为弱校验 (an empty type with a new text is a 修改)
    note: str
    batch: str
    version: str


def read_rules(sheets, resolver: Resolver) -> list[Rule]:
    rules = []
    for sheet_key, sheet_name, removable in (("rules", "检核规则", False), ("removable", "检核规则 (可删除)", True)):
        for _, c in sheets[sheet_key]:
            if not (c and isinstance(c[0], str) and re.fullmatch(r"JHGZ\d+", c[0])):
                continue
            table = resolver.table(c[2])
            rules.append(Rule(
                jhgz=c[0], seq=len(rules), sheet=sheet_name, category=c[1] or "", table=c[2] or "", table_code=c[3] or "",
                field=c[4] or "", field_code=c[5] or "", text=str(c[6] or ""),
                strong="" if removable else (c[7] or ""), removable=removable, remark="" if not removable else str(c[7] or ""),
                final_table=table, final_field=resolver.field(table, c[4], c[5])))
    return rules


def read_qa_rule_changes(sheets) -> list[QaRuleChange]:
    out = []
    for row, c in sheets["qa_rules"][1:]:
        if not isinstance(c[0], int):
            continue
        change = c[5] or ("修改" if c[4] else "")
        out.append(QaRuleChange(row, c[0], c[1] or "", c[2] or "", str(c[3] or ""), str(c[4] or ""), change,
                                str(c[6] or ""), c[7] or "", BATCHES.get(c[7] or "", "")))
    return out


def read_citations(sheets) -> set[tuple[int, str, str]]:
    """(final number, table, field) of answers citing exactly one rule for exactly one field."""
    out = set()
    for _, c in sheets["qa_answers"][1:]:
        number, table, fld = c[4], c[2], c[3]
        if isinstance(number, int) and table and fld and not re.search(r"[、，,;；\n/]", str(fld)):
            out.add((number, table, str(fld)))
    return out


_UNCONDITIONAL = re.compile(r"^(.+?)(不允许|不能|不可|不得|不应|允许)(为)?空$")


def _unconditional_nonnull(rule: Rule) -> bool:
    m = _UNCONDITIONAL.match(norm(rule.text))
    return bool(m) and not re.search(r"[时,;]", m.group(1))


def _lis(pairs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest strictly increasing run of final numbers over (position, final, weight) sorted by position,
    preferring heavier anchors on ties of length (weights break ties only through order of insertion)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for i, (_, n, _) in enumerate(pairs):
        k = bisect.bisect_left(tails, n)
        if k > 0:
            prev[i] = tail_idx[k - 1]
        if k == len(tails):
            tails.append(n)
            tail_idx.append(i)
        else:
            tails[k] = n
            tail_idx[k] = i
    out = []
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.append(pairs[i])
        i = prev[i]
    return out[::-1]


def map_final_numbers(rules: list[Rule], changes: list[QaRuleChange], citations, resolver: Resolver,
                      tables: dict[str, FinalTable]) -> dict:
    main = [r for r in rules if not r.removable]
    by_pos = {r.seq: r for r in main}
    candidates: dict[int, dict[int, str]] = defaultdict(dict)  # rule seq → {final: basis}, first basis wins

    def anchor(rule: Rule, number: int, basis: str):
        candidates[rule.seq].setdefault(number, basis)

    # 1. final non-null numbers of the spec
    for t in tables.values():
        for f in t.fields:
            if f.required is None:
                continue
            for r in main:
                if r.final_table == t.code and r.final_field == f.code and r.category == "1缺失类-为空校验" \
                        and _unconditional_nonnull(r):
                    anchor(r, f.required, "nonnull")
    # 2. 表3: final number + table + field + the text before the change
    for ch in changes:
        table = resolver.table(ch.table)
        fld = resolver.field(table, ch.field)
        cands = [r for r in main if r.final_table == table and table and (fld is None or r.final_field == fld)]
        exact = [r for r in cands if norm(r.text) == norm(ch.before)]
        if not exact and cands:
            scored = sorted(((difflib.SequenceMatcher(None, norm(r.text), norm(ch.before)).ratio(), r.seq) for r in cands),
                            reverse=True)
            best = scored[0][0]
            second = scored[1][0] if len(scored) > 1 else 0.0
            if best >= 0.8 and best > second or best >= 0.6 and best - second >= 0.3:
                exact = [by_pos[scored[0][1]]]
        for r in exact:
            anchor(r, ch.final, "qa")
    primary = [r for r in main if r.final_table and r.final_field and r.table not in SECONDARY_TABLES]
    position = {r.seq: i for i, r in enumerate(primary)}

    def consistent():
        # at most one number per rule: on equal positions the larger number sorts first
        pairs = sorted(((position[s], n, 0) for s, ns in candidates.items() if s in position for n in ns),
                       key=lambda p: (p[0], -p[1]))
        return _lis(pairs)

    kept = consistent()
    # 3. answers citing one number for one field: an anchor when exactly one candidate lies between the anchors
    kept_pos = [p for p, _, _ in kept]
    kept_num = [n for _, n, _ in kept]
    for number, tname, fname in sorted(citations):
        table = resolver.table(tname)
        fld = resolver.field(table, fname)
        if not (table and fld):
            continue
        k = bisect.bisect_left(kept_num, number)
        if k < len(kept_num) and kept_num[k] == number:
            continue  # already anchored
        lo = kept_pos[k - 1] if k > 0 else -1
        hi = kept_pos[k] if k < len(kept_pos) else len(primary)
        cands = [r for r in primary[lo + 1:hi] if r.final_table == table and r.final_field == fld]
        if len(cands) == 1 and cands[0].seq not in candidates:
            anchor(cands[0], number, "cited")
    kept = consistent()
    used = {(primary[p].seq, n) for p, n, _ in kept}
    conflicts = []
    for s in sorted(candidates):
        if s not in position:
            continue
        for n, basis in sorted(candidates[s].items()):
            if (s, n) not in used:
                conflicts.append(f"{by_pos[s].jhgz}: {basis} {n} not used (out of order with the other anchors"
                                 + (", or a second number for the rule)" if len(candidates[s]) > 1 else ")"))
    result: dict[int, tuple[int, str]] = {}
    for p, n, _ in kept:
        result[primary[p].seq] = (n, candidates[primary[p].seq][n])
    # anchors of secondary (定期) rules stand as they are (one number each)
    for s, ns in candidates.items():
        if by_pos[s].table in SECONDARY_TABLES and len(ns) == 1:
            (n, basis), = ns.items()
            result[s] = (n, basis)
    # 4. interpolation
    for (p1, n1, _), (p2, n2, _) in zip(kept, kept[1:]):
        between = primary[p1 + 1:p2]
        if len(between) == n2 - n1 - 1:
            for k, r in enumerate(between):
                result[r.seq] = (n1 + 1 + k, "sequence")
    # 5. 定期 twins
    twins = defaultdict(list)
    for r in primary:
        if r.seq in result:
            twins[(r.final_table, r.final_field, r.category, _twin_text(r))].append(result[r.seq][0])
    for r in main:
        if r.table in SECONDARY_TABLES and r.seq not in result and r.final_field:
            numbers = twins.get((r.final_table, r.final_field, r.category, _twin_text(r)), [])
            if len(set(numbers)) == 1:
                result[r.seq] = (numbers[0], "twin")
    for r in main:
        if r.seq in result:
            r.final, r.basis = result[r.seq]
    return {"conflicts": conflicts}


def _twin_text(rule: Rule) -> str:
    text = norm(rule.text)
    for a, b in (("定期存款", "存款"), ("活期存款", "存款"), ("定期", ""), ("活期", "")):
        text = text.replace(a, b)
    return text


def apply_history(rules: list[Rule], changes: list[QaRuleChange]) -> list[Rule]:
    """Attach the 表3 changes to the rules holding their final number; changes with no workbook rule become rows
    of their own (``jhgz`` empty)."""
    by_final = defaultdict(list)
    for r in rules:
        if r.final is not None:
            by_final[r.final].append(r)
    extra: dict[int, Rule] = {}
    order = {v: i for i, v in enumerate(BATCHES.values())}
    for ch in sorted(changes, key=lambda c: (order.get(c.version, 9), c.row)):
        targets = by_final.get(ch.final)
        if not targets:
            if ch.final not in extra:
                extra[ch.final] = Rule("", 0, "表3-检核规则调整表", "", ch.table, "", ch.field, "", ch.before, "", False,
                                       final=ch.final, basis="qa")
            targets = [extra[ch.final]]
        for r in targets:
            r.history.append({"version": ch.version, "change": ch.change, "text": ch.after, "row": ch.row})
    return sorted(extra.values(), key=lambda r: r.final)


def rule_state(rule: Rule) -> tuple[str, str, str]:
    """(status, text, strong) after the four batches."""
    status = "active" if rule.final_table and (rule.final_field or not rule.field_code or "/" in rule.field_code) \
        else "not_in_final"
    if rule.removable:
        status = "removable"
    text, strong = rule.text, rule.strong
    for h in rule.history:
        if h["change"] == "删除":
            status = "deleted"
        elif h["change"] == "调整为弱校验":
            strong = "否"
        elif h["change"] == "修改":
            status = "active" if status == "deleted" else status
            text = h["text"] or text
    if rule.sheet == "表3-检核规则调整表" and status != "deleted":
        status = "active"
    return status, text, strong


def history_text(rule: Rule) -> str:
    return "|".join(f"{h['version']}:{h['change']}" for h in rule.history)


# ----------------------------------------------------------------------------------------------------------
# Structure: fields, data elements, Q&A spec changes
# ----------------------------------------------------------------------------------------------------------

@dataclass
class WorkbookField:
    row: int
    table_code: str
    table: str
    name: str
    code: str
    number: str
    element: str
    element_code: str
    format: str
    change: str


def read_structure(sheets) -> list[WorkbookField]:
    out, table_code, table = [], None, None
    for row, c in sheets["structure"][5:]:
        c = c + (None,) * (16 - len(c))
        if c[2] and c[3]:
            table_code, table = c[2], c[3]
            continue
        if table_code and c[6] and c[5]:
            out.append(WorkbookField(row, table_code, table, str(c[5]), str(c[6]), str(c[7] or ""), str(c[8] or ""),
                                     str(c[9] or ""), re.sub(r"\s+", "", str(c[11] or "")), str(c[13] or "")))
    return out


@dataclass
class Element:
    row: int
    group: str
    code: str
    name: str
    english: str
    description: str
    format: str


def read_elements(sheets) -> list[Element]:
    out, group = [], ""
    for row, c in sheets["elements"][5:]:
        c = c + (None,) * (6 - len(c))
        if c[0]:
            group = str(c[0])
        if c[1] and c[2]:
            out.append(Element(row, group, str(c[1]), str(c[2]), str(c[3] or ""), str(c[4] or ""),
                               re.sub(r"\s+", "", str(c[5] or ""))))
    return out


@dataclass
class QaSpecChange:
    row: int
    table: str
    item: str
    description: str
    remark: str
    format: str
    note: str
    batch: str
    version: str

    @property
    def element(self) -> tuple[str, str] | None:
        """(name, code) of a data-element change (表名 （数据元）)."""
        if "数据元" not in self.table:
            return None
        m = re.match(r"^(.+?)[（(]\s*(\d+)\s*[)）]$", self.item)
        return (m.group(1), m.group(2)) if m else (self.item, "")


def read_qa_spec_changes(sheets) -> list[QaSpecChange]:
    out = []
    for row, c in sheets["qa_spec"][1:]:
        c = c + (None,) * (7 - len(c))
        if not c[0]:
            continue
        out.append(QaSpecChange(row, str(c[0]), str(c[1] or ""), str(c[2] or ""), str(c[3] or ""),
                                re.sub(r"\s+", "", str(c[4] or "")), str(c[5] or ""), c[6] or "", BATCHES.get(c[6] or "", "")))
    return out


_NOT_A_VALUE = re.compile(r"参照|默认值|填报|填写|银行自定义$|^如|例如|单位[:：为]|以上|以下|根据|是指|YYYY|hhmm|百分比|%|《|》")


def enumerate_values(description: str) -> tuple[list[str], bool]:
    """The code list a data element's description enumerates (values, 其他-XX allowed); ([], False) when the
    description is prose.  Heuristic, conservative: a sentence whose every item is short and not prose."""
    text = description.replace("\n", "。")
    other = bool(re.search(r"其他-(XX|银行自定义)|其它-XX", text))
    m = re.search(r"[（(]序号\+名称[)）][:：](.+?)。", text)
    candidates = [m.group(1)] if m else [s for s in re.split(r"。", text) if s]
    separators = r"[；;]" if m else r"[，、,；;]"  # numbered lines (2.1农、林、牧、渔业) hold commas
    best: list[str] = []
    for sentence in candidates:
        sentence = re.sub(r"^.*?(枚举类型|枚举值)[^:：]*[:：]", "", sentence)
        items = [i.strip() for i in re.split(separators, sentence) if i.strip()]
        items = [i for i in items if not re.match(r"^其[他它]-", i) and not re.search(r"其[他它]-(XX|银行自定义)", i)]
        if len(items) < 2 or any(len(i) > 40 or _NOT_A_VALUE.search(i) for i in items):
            continue
        if len(items) > len(best):
            best = items
    return best, other


def format_accepts_all(loose: str, strict: str) -> bool:
    """True when every text the format ``strict`` accepts is accepted by ``loose`` (format codes of
    engine/formats.py; unknown codes compare as unequal)."""
    a, b = _fmt(loose), _fmt(strict)
    if a is None or b is None:
        return loose == strict
    ka, wa, sa, fa = a
    kb, wb, sb, fb = b
    if ka == "char":
        if kb == "char":
            return (wa == wb) if fa else (wb <= wa)
        if kb in ("date", "yearmonth", "time"):
            return (wa == wb) if fa else (wb <= wa)
        if kb == "int":
            return not fa and wb is not None and wb + 1 <= wa
        if kb == "decimal":
            return not fa and wb <= wa
        return False
    if ka == kb and ka in ("date", "yearmonth", "time", "float"):
        return True
    if ka == "float":
        return kb in ("int", "decimal")
    if ka == "decimal":
        if kb == "decimal":
            return wb <= wa and sb <= sa
        if kb == "int":
            return wb is not None and wb + 1 <= wa
        return False
    if ka == "int":
        return kb == "int" and (wa is None or (wb is not None and wb <= wa))
    return False


def _fmt(code: str):
    m = re.fullmatch(r"C(\.\.)?(\d+)|I(?:\.\.(\d+))?|D(\d+)(?:\.(\d+))?|(F)|(YYYYMMDD)|(YYYYMM)|(hhmmss)", code or "")
    if not m:
        return None
    if m.group(2):
        return ("char", int(m.group(2)), 0, not m.group(1))
    if code.startswith("I"):
        return ("int", int(m.group(3)) if m.group(3) else None, 0, False)
    if m.group(4):
        return ("decimal", int(m.group(4)), int(m.group(5) or 0), False)
    if m.group(6):
        return ("float", None, None, False)
    if m.group(7):
        return ("date", 8, 0, True)
    if m.group(8):
        return ("yearmonth", 6, 0, True)
    return ("time", 6, 0, True)


SEMANTIC = {"001005": "YYYYMMDD", "001006": "YYYYMM", "001007": "hhmmss"}  # 日期 C8, 年月 C6, 时间 C6


def spec_format(official: str, element_code: str) -> tuple[str, str]:
    """The format code the spec uses for an official format: dates, months and times of the 日期/年月/时间
    elements by their pattern (数据元说明: YYYYMMDD 默认值 99991231 …); C80 read as C..80."""
    if element_code in SEMANTIC and official == {"YYYYMMDD": "C8", "YYYYMM": "C6", "hhmmss": "C6"}[SEMANTIC[element_code]]:
        return SEMANTIC[element_code], f"{official} of data element {element_code}"
    if official == "C80":
        return "C..80", "表2 writes C80 for a field that was C8 (a date): read as C..80"
    return official, ""


def _element_change_applies(changed: tuple[str, str], element: str, element_code: str, field_names) -> bool:
    """Whether a 表2 data-element change (name, code) is about this element (or a field of that name).  The codes
    表2 gives are not reliable (利率 is written 003017, 账户状态's code; 参加行行名 001031, 地区代码's): the name
    decides, the code only together with a similar name (股东或关联方类别 for 股东类别 002027)."""
    name, code = changed
    if name == element or name in field_names:
        return True
    return bool(code) and code == element_code and difflib.SequenceMatcher(None, name, element).ratio() >= 0.6


def build_fields(tables: dict[str, FinalTable], structure: list[WorkbookField], elements: list[Element],
                 spec_changes: list[QaSpecChange], resolver: Resolver) -> list[dict]:
    by_table = defaultdict(list)
    for wf in structure:
        table = resolver.table(wf.table)
        if table:
            by_table[table].append(wf)
    rows = []
    for t in sorted(tables.values(), key=lambda t: (int(t.number) if str(t.number).isdigit() else 9999, t.code)):
        for f in t.fields:
            sources = [wf for wf in by_table.get(t.code, []) if resolver.field(t.code, wf.name, wf.code) == f.code]
            row = {"table": t.code, "table_name": t.name, "order": f.order, "field": f.code, "field_name": f.name}
            if not sources:
                rows.append({**row, "basis": "new_in_final", "workbook_format": "", "official_format": "", "spec_format": "",
                             "element": "", "element_code": "", "number": "", "source": "", "qa_changes": "",
                             "note": "no field of this name or code in 附件3 数据结构: the format is not published"})
                continue
            formats = []
            for wf in sources:
                fmt, changes = wf.format, []
                for ch in spec_changes:
                    if not ch.format:
                        continue
                    el = ch.element
                    if el and _element_change_applies(el, wf.element, wf.element_code, (wf.name, f.name)):
                        fmt = ch.format
                        changes.append(f"{ch.version} 数据元 {el[0]} {ch.format} (表2 row {ch.row})")
                    elif not el and resolver.table(ch.table) == t.code and \
                            resolver.field(t.code, re.sub(r"（.*?）", "", ch.item)) == f.code:
                        fmt = ch.format
                        changes.append(f"{ch.version} {ch.format} (表2 row {ch.row})")
                formats.append((fmt, wf, changes))
            # a merged table (活期 + 定期) takes the format that accepts every source's values
            chosen = next((x for x in formats if all(format_accepts_all(spec_format(x[0], x[1].element_code)[0],
                                                                         spec_format(y[0], y[1].element_code)[0])
                                                     for y in formats)), formats[0])
            fmt, wf, changes = chosen
            sfmt, why = spec_format(fmt, wf.element_code)
            notes = [why] if why else []
            if len({x[0] for x in formats}) > 1:
                notes.append("sources differ: " + ", ".join(f"{x[1].table_code} {x[0]}" for x in formats))
            renamed = wf.name != f.name
            rows.append({**row, "basis": "qa" if changes else ("renamed" if renamed else "workbook"),
                         "workbook_format": wf.format, "official_format": fmt, "spec_format": sfmt,
                         "element": wf.element, "element_code": wf.element_code, "number": wf.number,
                         "source": "; ".join(f"附件3 数据结构 row {x[1].row} ({x[1].table_code}.{x[1].code}"
                                             + (f" {x[1].name}" if x[1].name != f.name else "") + ")" for x in formats),
                         "qa_changes": "; ".join(changes), "note": "; ".join(notes)})
    return rows


def build_elements(elements: list[Element], spec_changes: list[QaSpecChange]) -> list[dict]:
    rows = []
    for e in elements:
        values, other = enumerate_values(e.description)
        changes = [ch for ch in spec_changes if ch.element and _element_change_applies(ch.element, e.name, e.code, ())]
        final_desc, final_fmt, notes = e.description, e.format, []
        for ch in changes:
            if ch.description:
                final_desc = ch.description
            if ch.format:
                final_fmt = ch.format
            notes.append(f"{ch.version} {ch.note or '调整'} (表2 row {ch.row})")
        fvalues, fother = enumerate_values(final_desc)
        rows.append({"code": e.code, "name": e.name, "group": e.group, "format": e.format, "values": "|".join(values),
                     "other": "yes" if other else "", "final_format": final_fmt, "final_values": "|".join(fvalues),
                     "final_other": "yes" if fother else "", "qa_changes": "; ".join(notes),
                     "source": f"附件3 数据元说明 row {e.row}", "english": e.english, "description": e.description})
    return rows


# ----------------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------------

RULE_COLUMNS = ["jhgz", "final", "final_basis", "sheet", "category", "table", "table_code", "field", "field_code",
                "final_table", "final_field", "strong", "removable", "status", "final_strong", "history", "text",
                "final_text", "remark"]
FIELD_COLUMNS = ["table", "table_name", "order", "field", "field_name", "basis", "official_format", "spec_format",
                 "workbook_format", "element", "element_code", "number", "qa_changes", "source", "note"]
ELEMENT_COLUMNS = ["code", "name", "group", "format", "final_format", "other", "values", "final_other", "final_values",
                   "qa_changes", "source", "english", "description"]


def _csv(columns: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns, lineterminator="\n", extrasaction="raise")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buf.getvalue()


def generate(source: Path, spec_dir: Path = SPEC_DIR) -> dict[str, str]:
    """The contents of every output file, by name."""
    sheets = read_workbooks(source)
    tables = load_final_tables(spec_dir)
    resolver = Resolver(tables)
    rules = read_rules(sheets, resolver)
    changes = read_qa_rule_changes(sheets)
    mapping = map_final_numbers(rules, changes, read_citations(sheets), resolver, tables)
    extra = apply_history(rules, changes)
    register = []
    for r in rules + extra:
        status, text, strong = rule_state(r)
        register.append({
            "jhgz": r.jhgz, "final": r.final, "final_basis": r.basis, "sheet": r.sheet, "category": r.category,
            "table": r.table, "table_code": r.table_code, "field": r.field, "field_code": r.field_code,
            "final_table": r.final_table or resolver.table(r.table) or "",
            "final_field": r.final_field or resolver.field(resolver.table(r.table), r.field) or "",
            "strong": r.strong, "removable": "yes" if r.removable else "", "status": status, "final_strong": strong,
            "history": history_text(r), "text": r.text, "final_text": text if text != r.text else "", "remark": r.remark})
    structure = read_structure(sheets)
    elements = read_elements(sheets)
    spec_changes = read_qa_spec_changes(sheets)
    fields = build_fields(tables, structure, elements, spec_changes, resolver)
    element_rows = build_elements(elements, spec_changes)
    qa_rules = [{"row": c.row, "final": c.final, "version": c.version, "batch": c.batch, "change": c.change,
                 "table": c.table, "field": c.field,
                 "jhgz": " ".join(r.jhgz for r in rules if r.final == c.final and not r.removable),
                 "before": c.before, "after": c.after, "note": c.note} for c in changes]
    qa_spec = [{"row": c.row, "version": c.version, "batch": c.batch, "table": c.table, "item": c.item,
                "format": c.format, "note": c.note, "description": c.description, "remark": c.remark}
               for c in spec_changes]
    main = [r for r in register if r["sheet"] == "检核规则"]
    summary = {
        "source": {k: _find(source, v).name for k, v in WORKBOOKS.items()},
        "rules": {
            "workbook": len(main),
            "removable_sheet": sum(1 for r in register if r["removable"]),
            "qa_only": len(extra),
            "by_category": dict(sorted(Counter(r["category"] for r in main).items())),
            "strong_in_workbook": sum(1 for r in main if r["strong"] == "是"),
            "in_final_tables": sum(1 for r in main if r["status"] != "not_in_final"),
            "mapped_to_final": sum(1 for r in main if r["final"] not in (None, "")),
            "mapped_by_basis": dict(sorted(Counter(r["final_basis"] for r in main if r["final_basis"]).items())),
            "status": dict(sorted(Counter(r["status"] for r in register).items())),
            "downgraded_to_weak": sorted({int(r["final"]) for r in register if r["final"] not in (None, "")
                                          and "调整为弱校验" in r["history"]}),
            "deleted": sorted({int(r["final"]) for r in register if r["final"] not in (None, "") and r["status"] == "deleted"}),
        },
        "qa_rule_changes": {"rows": len(changes), "not_mapped_to_a_workbook_rule": [r.final for r in extra]},
        "mapping_conflicts": mapping["conflicts"],
        "fields": {"final_fields": len(fields), "by_basis": dict(sorted(Counter(f["basis"] for f in fields).items()))},
        "elements": {"count": len(element_rows), "enumerated": sum(1 for e in element_rows if e["values"])},
    }
    return {
        "rules.csv": _csv(RULE_COLUMNS, register),
        "fields.csv": _csv(FIELD_COLUMNS, fields),
        "elements.csv": _csv(ELEMENT_COLUMNS, element_rows),
        "qa_rule_changes.csv": _csv(list(qa_rules[0]), qa_rules),
        "qa_spec_changes.csv": _csv(list(qa_spec[0]), qa_spec),
        "summary.json": json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
    }


def workbooks_present(source: Path) -> bool:
    return source.is_dir() and all(any(source.glob(pattern)) for pattern in WORKBOOKS.values())


def stale_files(files: dict[str, str], out_dir: Path = OUT_DIR) -> list[str]:
    """Names of the output files whose committed text differs from ``files`` (or that are missing)."""
    return [name for name, text in files.items()
            if not (out_dir / name).exists() or (out_dir / name).read_text("utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                    help=f"folder holding the official workbooks (default: {DEFAULT_SOURCE})")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default: {OUT_DIR})")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file differs from what the "
                                                         "workbooks give")
    args = ap.parse_args(argv)
    if not workbooks_present(args.source):
        print(f"official workbooks not found in {args.source} (expected {', '.join(WORKBOOKS.values())})", file=sys.stderr)
        return 2
    files = generate(args.source)
    if args.check:
        stale = stale_files(files, args.out)
        for name in stale:
            print(f"{args.out / name}: differs from the workbooks (re-run {Path(__file__).name})", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, "utf-8", newline="")
    summary = json.loads(files["summary.json"])["rules"]
    print(f"{summary['workbook']} workbook rules ({summary['mapped_to_final']} mapped to final numbers), "
          f"{summary['removable_sheet']} removable, {summary['qa_only']} Q&A-only; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
