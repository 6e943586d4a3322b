#!/usr/bin/env python3
"""Write the official 业务类 rules (数值比较类, 其他类) of the east5 pack from the official rule register.

Usage::

    python specs/east5/tools/official_business.py           # write the three files below
    python specs/east5/tools/official_business.py --check   # write nothing; exit 1 when one is not current

Every active rule of ``../official/rules.csv`` in the categories 4业务类-数值比较类 and 4业务类-其他类 ends up in
one of three places:

* already written in another rule file of the pack under its official id (final number, else the JHGZ
  number) — left there;
* ``rulesets/east5/rules/official_comparisons.yaml`` / ``official_other.yaml`` — when its text (the last
  revised one) matches one of the ``PATTERNS`` below, each a text form the regulator repeats (date windows
  "不为空且不为99991231时，应当晚于19490101且小于等于采集日期", date orders "A和B均不为空且不为99991231时，A应晚于或
  等于B", ranges, comparisons under "不等于0时", "不允许所有数据都为相同值" …), with its condition;
* ``specs/east5/unexpressed/comparisons_other.yaml`` — with the reason no rule kind can say it (``UNEXPRESSED``)
  or, for a text no pattern reads, "text not read by any pattern".

Severity is the register's 是否强校验 (``final_strong`` 否 → weak).  Rules deleted by a Q&A batch are written
with ``changes: [{version, retire: true}]`` so that ``--pack-version`` before the batch still checks them; a
batch that revised a text (修改) becomes a change that sets the new parameters where the old text reads as a
different check, and is only cited in the note where it reworded the same check (e.g. 2022.1 removed the
stray "开户日期" from "欠本日期开户日期不为空…").  Values of the data element 比例 are percentages (附件3
数据元说明 001003: "百分比为单位 … 如4.5%则填报为4.50"): the texts that bound such a field by 1 (the JHGZ38xx
rules of the 理财 tables, never revised by a batch) are checked against 100, as the Q&A batches corrected
their numbered twins (3089, 3091, 3186, 3191, 3193, 3205) — a bound of 1 would fail every valid 4.50.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Callable

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_output import write_or_check  # noqa: E402

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parent
REPO = SPEC_DIR.parent.parent
REGISTER = SPEC_DIR / "official" / "rules.csv"
QA_CHANGES = SPEC_DIR / "official" / "qa_rule_changes.csv"
FIELDS = SPEC_DIR / "official" / "fields.csv"
RULES_DIR = REPO / "rulesets" / "east5" / "rules"
OUT = {"数值比较": RULES_DIR / "official_comparisons.yaml", "其他": RULES_DIR / "official_other.yaml"}
UNEXPRESSED = SPEC_DIR / "unexpressed" / "comparisons_other.yaml"
CATEGORIES = {"4业务类-数值比较类": "数值比较", "4业务类-其他类": "其他"}
BATCH_NAMES = {"2022.1": "填报口径第一期", "2022.2": "填报口径第二期", "2022.3": "填报口径第三期", "2022.4": "填报口径第四期"}
DEFAULT_DATE = "99991231"
PERCENT_ELEMENT = "001003"  # 比例: percent, 4.5% → 4.50

# Official rules no rule kind can state (id → what the engine lacks).
UNEXPRESSED_WHY = {
    "3036": "a calendar check (同一银行机构全国范围内应当每天都有交易记录): no rule kind enumerates the days of the "
            "reporting period to find one without a transaction",
}
UNREAD = "text not read by any pattern of specs/east5/tools/official_business.py"


class Unread(ValueError):
    """The text names a field the table does not have, or no pattern reads it."""


NAME_ALIASES = {"客户证件号码": "证件号码", "贷款五级分类": "五级分类"}
# a text's value → the code list's spelling (数据元 003026 计息方式 lists 不记利息; the rule text says 不计利息)
VALUE_SPELLING = {"不计利息": "不记利息"}


@dataclass
class Table:
    code: str
    name: str
    fields: dict[str, str]  # Chinese name → code
    formats: dict[str, str]  # code → format
    elements: dict[str, str]  # code → data element code
    codelists: dict[str, str] = dc_field(default_factory=dict)  # code → code list name

    primary: str | None = None  # the register's field of the rule being read

    def code_of(self, name: str, strict: bool = False) -> str:
        """The field a text names: its exact name, a generic name (NAME_ALIASES), a unique name it
        abbreviates (票据到期日 → 票据到期日期), else the register's field of the rule."""
        name = NAME_ALIASES.get(name.strip(), name.strip())
        if name in self.fields:
            return self.fields[name]
        if name in self.fields.values():
            return name
        near = {c for n, c in self.fields.items() if n.startswith(name) or (name.startswith(n) and len(n) > 3)}
        if len(near) == 1:
            return near.pop()
        if self.primary and not strict:
            return self.primary
        raise Unread(f"{self.code} has no field '{name}'")

    def subject(self, name: str) -> str:
        """The checked field of a one-field rule: the register's field (texts copied from a neighbour
        name the wrong one, e.g. JHGZ3836/3837 报告登记日期 for 发行/募集登记日期)."""
        return self.primary or self.code_of(name)

    def is_date(self, code: str) -> bool:
        return self.formats.get(code, "").upper() in ("YYYYMMDD", "DATE")


def load_tables(spec_dir: Path = SPEC_DIR) -> dict[str, Table]:
    elements = {}
    with open(FIELDS, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            elements[(r["table"], r["field"])] = r["element_code"]
    out = {}
    for path in sorted((spec_dir / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        code = doc["table"]
        out[code] = Table(code, doc["name"], {f["name"]: f["code"] for f in doc["fields"]},
                          {f["code"]: str(f.get("format", "")) for f in doc["fields"]},
                          {f["code"]: elements.get((code, f["code"]), "") for f in doc["fields"]},
                          {f["code"]: f["codelist"] for f in doc["fields"] if f.get("codelist")})
    return out


def codelist_values(spec_dir: Path = SPEC_DIR) -> dict[str, list[str]]:
    doc = yaml.safe_load((spec_dir / "codelists.yaml").read_text("utf-8"))
    return {name: [str(v) for v in c.get("values", [])] for name, c in doc["codelists"].items()}


# ---------------------------------------------------------------------------------------------- patterns
# Each pattern reads a normalised text (quotes and the final 。 removed) into a rule body: kind, field,
# parameters and ``when``.  A condition prefix ("X为V时，", "X不为0时，", "X大于零时，") is read first and
# becomes ``when``; the rest must match one pattern.

NOT_DEFAULT = r"(?:均)?(?:不为空且(?:均)?不为99991231时|非空且(?:均)?非99991231时)"
GE = r"(?:应当?)(?:晚于或等于|大于等于|大于或等于)"
OPS = {"大于等于": ">=", "大于或等于": ">=", "小于等于": "<=", "小于或等于": "<=", "大于": ">", "小于": "<"}


def _num(text: str) -> float | int:
    value = 0 if text == "零" else float(text)
    return int(value) if float(value).is_integer() else value


def window(t: Table, m: re.Match) -> dict:
    """X不为空且不为99991231时，应当晚于19490101且小于等于采集日期 (or one of the two bounds, or 大于采集日期)."""
    f = t.subject(m["f"])
    if "CJRQ" not in t.formats:
        raise Unread(f"{t.code} has no 采集日期")
    rest = m["rest"]
    parts = []
    if "晚于19490101" in rest:
        parts.append(f"ymd({f}) > ymd('19490101')")
    if "小于等于采集日期" in rest:
        parts.append(f"ymd({f}) <= ymd(CJRQ)")
    elif "大于采集日期" in rest:
        parts.append(f"ymd({f}) > ymd(CJRQ)")
    if not parts or rest.replace("晚于19490101", "").replace("小于等于采集日期", "").replace(
            "大于采集日期", "").strip("且") != "":
        raise Unread(f"window bounds '{rest}'")
    return {"kind": "expression", "field": f, "expr": f"{f} = '{DEFAULT_DATE}' OR ({' AND '.join(parts)})"}


def _pair(t: Table, a_name: str, b_name: str) -> tuple[str, str]:
    """The two compared fields; the register's field replaces the first when the text names neither
    as it (JHGZ3834: 产品实际终止日期, whose text repeats 3833's 产品终止日期)."""
    a, b = t.code_of(a_name), t.code_of(b_name)
    if t.primary and t.primary not in (a, b):
        a = t.primary
    if a == b:
        raise Unread(f"'{a_name}' and '{b_name}' are one field")
    return a, b


def date_order(t: Table, m: re.Match) -> dict:
    """A和B均不为空且不为99991231时，A应晚于或等于B (compare skips empty and 99991231 on either side)."""
    a, b = _pair(t, m["x"], m["y"])
    return {"kind": "compare", "field": a, "op": ">=", "other": b, "type": "date"}


def bounded(t: Table, m: re.Match) -> dict:
    """X(非空时)应大于等于N(小于等于M): a range; 比例 fields bounded by 1 are read in percent (see docstring)."""
    f = t.subject(m["f"])
    body = {"kind": "range", "field": f}
    lo_op, lo = m["lo_op"], _num(m["lo"])
    body["min"] = lo
    if lo_op == "大于":
        body["min_inclusive"] = False
    if m["hi"] is not None:
        body["max"] = _num(m["hi"])
    if t.elements.get(f) == PERCENT_ELEMENT and body.get("max") == 1:
        body["max"], body["percent_of"] = 100, 1
        if lo == -1:
            body["min"] = -100
    return body


def field_compare(t: Table, m: re.Match) -> dict:
    """A应小于等于B / A不等于0时，应大于等于B (numbers)."""
    a, b = _pair(t, m["a"], m["b"])
    body = {"kind": "compare", "field": a, "op": OPS[m["op"]], "other": b, "type": "number"}
    if m["nonzero"]:
        body["when"] = f"num({a}) <> 0"
    return body


def not_same(t: Table, m: re.Match) -> dict:
    """A不能与B相同 / A不应等于B / 均不为空时…不能为同一柜员 (text; empty on either side is not judged)."""
    a, b = _pair(t, m["a"], m["b"])
    return {"kind": "compare", "field": a, "op": "!=", "other": b, "type": "text"}


def not_value(t: Table, m: re.Match) -> dict:
    """X不能为V / X不应为V (after a condition)."""
    f = t.subject(m["f"])
    return {"kind": "compare", "field": f, "op": "!=", "value": VALUE_SPELLING.get(m["v"], m["v"]), "type": "text"}


def all_same(t: Table, m: re.Match) -> dict:
    """X不允许所有数据都为相同值: a set rule over the table (see DISTRIBUTION_NOTE)."""
    return {"kind": "distribution", "field": t.subject(m["f"])}


def t_plus_n(t: Table, m: re.Match) -> dict:
    """X的格式应为T+N，其中N为大于等于零的整数 (digits) / 为数字 (a number: digits, maybe a decimal part)."""
    pattern = r"T\+[0-9]+" if m["n"] == "大于等于零的整数" else r"T\+[0-9]+(\.[0-9]+)?"
    return {"kind": "regex", "field": t.subject(m["f"]), "pattern": pattern}


PATTERNS: list[tuple[re.Pattern, Callable[[Table, re.Match], dict]]] = [
    (re.compile(r"^(?P<f>[^，,]+?)不允许所有数据都为相同值$"), all_same),
    (re.compile(rf"^(?P<f>[^，,和与、及]+?){NOT_DEFAULT}，应当?(?P<rest>.+)$"), window),
    (re.compile(rf"^(?P<conds>[^，]+?){NOT_DEFAULT}，(?P<x>[^，]+?){GE}(?P<y>[^，]+)$"), date_order),
    (re.compile(r"^(?P<f>[^，]+?)(?:非空时，?|不为空时，?|不允许为空)?应当?(?P<lo_op>大于等于|大于或等于|大于)"
                r"(?P<lo>-?\d+(?:\.\d+)?|零)(?:[，,]?并?小于等于(?P<hi>-?\d+(?:\.\d+)?))?$"), bounded),
    (re.compile(r"^(?P<a>[^，]+?)(?P<nonzero>不等于0时，)?应?当?(?P<op>大于等于|大于或等于|小于等于|小于或等于)(?P<b>[^，\d][^，]*)$"),
     field_compare),
    (re.compile(r"^(?P<a>[^，]+?)(?:非空时)?(?:不能|不应)(?:与|等于)(?P<b>[^，]+?)(?:相同|一致)?$"), not_same),
    (re.compile(r"^(?P<a>[^，]+?)与(?P<b>[^，]+?)均不为空时，.*不能为同一柜员$"), not_same),
    (re.compile(r"^(?P<a>[^，]+?)与(?P<b>[^，]+?)不能相同$"), not_same),
    (re.compile(r"^(?P<f>[^，]+?)(?:不能|不应)为(?P<v>[^，]+)$"), not_value),
    (re.compile(r"^(?P<f>[^，]+?)的格式应为T\+N，其中N为(?P<n>大于等于零的整数|数字)$"), t_plus_n),
]

CONDITIONS: list[tuple[re.Pattern, Callable[[Table, re.Match], str]]] = [
    (re.compile(r"^(?P<f>[^，]+?)不为0时，(?P<rest>.+)$"), lambda t, m: f"num({t.code_of(m['f'], strict=True)}) <> 0"),
    (re.compile(r"^(?P<f>[^，]+?)大于零时，(?P<rest>.+)$"), lambda t, m: f"num({t.code_of(m['f'], strict=True)}) > 0"),
    (re.compile(r"^(?P<f>[^，]+?[^不])为(?P<v>[^，时]+)时?，(?P<rest>.+)$"),
     lambda t, m: f"{t.code_of(m['f'], strict=True)} = '{m['v']}'"),
]


def normalise(text: str) -> str:
    text = re.sub(r"[“”\"]", "", text.strip()).rstrip("。）)").strip()
    return text.replace(",", "，")


def read_text(t: Table, text: str) -> dict:
    """The rule body a text states; ``Unread`` when no pattern reads it."""
    text = normalise(text)
    for pattern, build in PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return build(t, m)
            except Unread:
                continue
    for pattern, condition in CONDITIONS:
        m = pattern.match(text)
        if m:
            try:
                when = condition(t, m)
            except Unread:
                continue
            body = read_text(t, m["rest"])
            if "when" in body:
                raise Unread(f"two conditions in '{text}'")
            return {**body, "when": when}
    raise Unread(f"no pattern reads '{text}'")


# ----------------------------------------------------------------------------------------------- fixtures
def examples(body: dict, t: Table, lists: dict[str, list[str]]) -> dict:
    """A failing and a passing partial row for a rule body."""
    fixture = FIXTURES[body["kind"] if body["kind"] != "compare" else f"compare_{body['type']}"]
    fail, ok = fixture(body, t, lists)
    cond = _condition_row(body.get("when"))
    return {"fail": [{**cond, **r} for r in fail], "pass": [{**cond, **r} for r in ok]
            + ([{**fail[0], **_condition_row(body["when"], negate=True)}] if body.get("when") else [])}


def _condition_row(when: str | None, negate: bool = False) -> dict:
    if not when:
        return {}
    m = re.fullmatch(r"(\w+) = '(.+)'", when)
    if m:
        return {m[1]: "XX" if negate else m[2]}
    m = re.fullmatch(r"num\((\w+)\) (<>|>) 0", when)
    if m:
        return {m[1]: "0" if negate else "100"}
    raise Unread(f"no fixture for condition {when}")


def _window_rows(body: dict, t: Table, lists) -> tuple[list, list]:
    f, expr = body["field"], body["expr"]
    fail, ok = [], [{f: DEFAULT_DATE, "CJRQ": "20240630"}]
    if "19490101" in expr:
        fail.append({f: "19400101", "CJRQ": "20240630"})
        ok.append({f: "19490102", "CJRQ": "20240630"})
    if "<= ymd(CJRQ)" in expr:
        fail.append({f: "20240701", "CJRQ": "20240630"})
        ok.append({f: "20240630", "CJRQ": "20240630"})
    if "> ymd(CJRQ)" in expr:
        fail.append({f: "20240630", "CJRQ": "20240630"})
        ok.append({f: "20240701", "CJRQ": "20240630"})
    return fail, ok


def _compare_date(body, t, lists):
    a, b = body["field"], body["other"]
    return ([{a: "20230101", b: "20230102"}],
            [{a: "20230102", b: "20230101"}, {a: "20230101", b: "20230101"}, {a: DEFAULT_DATE, b: "20230101"}])


def _compare_number(body, t, lists):
    a, b, op = body["field"], body["other"], body["op"]
    small, big = "100.00", "200.00"
    fail = {">=": {a: small, b: big}, ">": {a: small, b: big}, "<=": {a: big, b: small}, "<": {a: big, b: small}}[op]
    ok = [{a: big, b: small} if op in (">=", ">") else {a: small, b: big}]
    if "=" in op:
        ok.append({a: small, b: small})
    if body.get("when", "").startswith(f"num({a})"):
        ok.append({a: "0", b: big if op in (">=", ">") else "0"})
    return [fail], ok


def _compare_text(body, t, lists):
    a = body["field"]
    if "value" in body:
        v = body["value"]
        other = next((x for x in lists.get(t.codelists.get(a, ""), []) if x != v), "X2")
        return [{a: v}], [{a: other}]
    b = body["other"]
    return [{a: "X0001", b: "X0001"}], [{a: "X0001", b: "X0002"}, {a: "X0001", b: ""}]


def _range_rows(body, t, lists):
    f, lo, hi = body["field"], body["min"], body.get("max")
    fail = [{f: str(lo if body.get("min_inclusive") is False else lo - 1)}]
    ok = [{f: str(lo + 1 if body.get("min_inclusive") is False else lo)}]
    if hi is not None:
        fail.append({f: str(hi + 1)})
        ok.append({f: str(hi)})
    if body.get("percent_of"):
        ok.append({f: "4.50"})
    return fail, ok


def _distribution_rows(body, t, lists):
    f = body["field"]
    values = lists.get(t.codelists.get(f, ""), []) or ["A", "B"]
    return [{f: values[0]}, {f: values[0]}, {f: values[0]}], [{f: values[0]}, {f: values[1]}, {f: values[0]}]


def _regex_rows(body, t, lists):
    f = body["field"]
    ok = [{f: "T+0"}, {f: "T+15"}] + ([{f: "T+1.5"}] if "." in body["pattern"] else [])
    return [{f: "T1"}, {f: "T+"}, {f: "T+-1"}], ok


FIXTURES = {"expression": _window_rows, "compare_date": _compare_date, "compare_number": _compare_number,
            "compare_text": _compare_text, "range": _range_rows, "distribution": _distribution_rows,
            "regex": _regex_rows}


# -------------------------------------------------------------------------------------------------- plan
DISTRIBUTION_NOTE = ("a set rule over the whole table: a table of fewer than two filled rows (empty, or one "
                     "record) cannot hold 'all the same value' in any sense the rule means — one value is not "
                     "a uniform column — and is not judged (distribution min_rows 2)")


@dataclass
class Planned:
    rules: dict[str, list[dict]]  # category → rules
    unexpressed: list[dict]
    elsewhere: list[tuple[str, str]]  # (id, file)


def register_rows(register: Path = REGISTER) -> dict[str, list[dict]]:
    """Rows of the two categories by pack id (final number, else JHGZ number), the first row first."""
    out: dict[str, list[dict]] = {}
    with open(register, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] in CATEGORIES and r["status"] in ("active", "deleted"):
                out.setdefault(r["final"] or r["jhgz"], []).append(r)
    return out


def qa_texts(path: Path = QA_CHANGES) -> dict[tuple[str, str], dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {(r["final"], r["version"]): r for r in csv.DictReader(fh)}


def written_elsewhere(rules_dir: Path = RULES_DIR) -> dict[str, str]:
    ids = {}
    own = set(OUT.values())
    for path in sorted(rules_dir.rglob("*.yaml")):
        if path in own:
            continue
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for r in doc.get("rules", []) or []:
            if "id" in r:
                ids[str(r["id"])] = path.name
    return ids


def _history(rid: str, row: dict, qa: dict, t: Table, body: dict) -> tuple[dict, list[dict], str]:
    """(the rule as it stood in 2021, the changes of the Q&A batches, the text of 2021)."""
    first, changes, first_text = body, [], row["final_text"] or row["text"]
    items = [i.split(":", 1) for i in filter(None, row["history"].split("|"))]
    revisions = [(v, qa.get((rid, v), {})) for v, c in items if c == "修改"]
    states = []
    for version, change in revisions:
        try:
            states.append((version, read_text(t, change.get("before", "")), change))
        except Unread:
            states.append((version, None, change))
    if revisions:
        prior = states[0][1]
        if prior is not None and prior["kind"] == body["kind"]:
            first, first_text = prior, states[0][2].get("before", first_text)
        current = first
        for i, (version, before, change) in enumerate(states):
            after_text = change.get("after", "")
            try:
                after = read_text(t, after_text)
            except Unread:
                after = body
            diff = {k: v for k, v in after.items() if current.get(k) != v and k not in ("kind",)}
            diff.update({k: None for k in current if k not in after and k not in ("kind",)})
            if current["kind"] != after["kind"]:
                diff = {}
            reason = f"{BATCH_NAMES[version]}：修改为“{after_text}”（表3 检核规则调整表）"
            if diff:
                changes.append({"version": version, "reason": reason, "set": _settable(diff, t, after_text)})
                current = after
            else:
                changes.append({"version": version, "reason": reason + "；措辞修改，检核不变", "note_only": True})
    for version, c in items:
        if c == "删除":
            changes.append({"version": version, "retire": True, "reason": f"{BATCH_NAMES[version]}：删除（表3 检核规则调整表）"})
    if not any("set" in c for c in changes):
        first, first_text = body, row["final_text"] or row["text"]
    return first, changes, first_text


def _settable(diff: dict, t: Table, text: str) -> dict:
    out = {k: v for k, v in diff.items() if k not in ("percent_of", "type")}
    out["message"] = {"zh": f"{t.name}.{normalise(text)}"}
    return out


def plan(register: Path = REGISTER, rules_dir: Path = RULES_DIR) -> Planned:
    tables, lists, qa = load_tables(), codelist_values(), qa_texts()
    elsewhere = written_elsewhere(rules_dir)
    out: Planned = Planned({"数值比较": [], "其他": []}, [], [])
    for rid, rows in sorted(register_rows(register).items(), key=lambda kv: kv[1][0]["jhgz"]):
        row = rows[0]
        category = CATEGORIES[row["category"]]
        if rid in elsewhere:
            out.elsewhere.append((rid, elsewhere[rid]))
            continue
        jhgz = " / ".join(r["jhgz"] for r in rows)
        text = row["final_text"] or row["text"]
        if rid in UNEXPRESSED_WHY:
            out.unexpressed.append({"official": rid, "jhgz": jhgz, "text": text, "why": UNEXPRESSED_WHY[rid]})
            continue
        t = tables.get(row["final_table"])
        try:
            if t is None:
                raise Unread(f"table {row['final_table']} not in the spec")
            t.primary = row["final_field"] or None
            body = read_text(t, text)
            first, changes, first_text = _history(rid, row, qa, t, body)
            fixtures = examples(body, t, lists)
        except Unread as exc:
            if row["status"] != "active":
                continue
            out.unexpressed.append({"official": rid, "jhgz": jhgz, "text": text, "why": f"{UNREAD} ({exc})"})
            continue
        out.rules[category].append(_rule(rid, jhgz, row, t, first, changes, fixtures, category, text, first_text))
    return out


def _rule(rid, jhgz, row, t, body, changes, fixtures, category, text, first_text) -> dict:
    """One rule: ``body`` as it stood in 2021 (``first_text``), ``changes`` to the final ``text``."""
    rule = {"id": rid, "table": t.code, **{k: v for k, v in body.items() if k != "percent_of"}}
    if rule["kind"] in ("expression",):
        rule.pop("field")
    if row["final_strong"] == "否":
        rule["severity"] = "weak"
    rule["category"] = category
    rule["message"] = first_text
    note = f"official {jhgz}: {text}（是否强校验 {row['final_strong']}）"
    if row["history"]:
        note += f"; history {row['history']}"
    if body.get("percent_of"):
        note += "; 比例 is in percent (附件3 数据元说明 001003: 4.5% → 4.50), so the bound 1 of the text is read as 100"
    if rule["kind"] == "distribution":
        note += "; " + DISTRIBUTION_NOTE
    if body.get("value") in VALUE_SPELLING.values():
        note += f"; checked against the code list's spelling {body['value']} (数据元说明 code list of the field)"
    rule["note"] = note
    rule["changes"] = [{k: v for k, v in c.items() if k != "note_only"} for c in changes if not c.get("note_only")]
    rule["wording"] = [c["reason"] for c in changes if c.get("note_only")]
    rule["examples"] = fixtures
    return rule


# ------------------------------------------------------------------------------------------------ render
HEADER = """\
# Official {category} rules (4业务类) of the east5 pack, from the official rule register.
# Generated by specs/east5/tools/official_business.py from specs/east5/official/rules.csv (the register
# imported from the regulator's workbooks) and the Q&A 表3 changes — do not edit; re-run the tool.
# Rules the pack writes elsewhere under the same id are left there; rules no kind can state are listed
# in specs/east5/unexpressed/comparisons_other.yaml.
"""


def _q(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _q(value)


PARAM_ORDER = ("field", "op", "other", "value", "type", "min", "max", "min_inclusive", "expr", "pattern", "when")


def render_rule(r: dict, table_names: dict[str, str]) -> list[str]:
    lines = [f"  - id: {_q(r['id']) if not r['id'].isdigit() else r['id']}", f"    table: {r['table']}",
             f"    kind: {r['kind']}"]
    lines += [f"    {k}: {_q(r[k])}" for k in PARAM_ORDER if k in r]
    if "severity" in r:
        lines.append(f"    severity: {r['severity']}")
    lines.append(f"    category: {r['category']}")
    if r["message"]:
        lines.append(f"    message: {{zh: {_q(table_names[r['table']] + '.' + normalise(r['message']))}}}")
    note = r["note"] + "".join(f"; {w}" for w in r["wording"])
    lines.append(f"    note: {_q(note)}")
    if r["changes"]:
        lines.append("    changes:")
        lines += [f"      - {_flow(c)}" for c in r["changes"]]
    lines.append("    examples:")
    lines.append(f"      fail: {_flow(r['examples']['fail'])}")
    lines.append(f"      pass: {_flow(r['examples']['pass'])}")
    return lines


def render(category: str, rules: list[dict], table_names: dict[str, str]) -> str:
    lines = [HEADER.format(category=category).rstrip("\n"), "rules:"]
    for r in rules:
        lines += render_rule(r, table_names)
    return "\n".join(lines) + "\n"


def render_unexpressed(items: list[dict]) -> str:
    lines = ["# Official 数值比较类 / 其他类 rules of EAST 5.0 that the east5 pack does not implement, and why.",
             "# Generated by specs/east5/tools/official_business.py — do not edit; re-run the tool (reasons: UNEXPRESSED_WHY).",
             "# official: final number, else the JHGZ number of the workbook."]
    for i in items:
        lines.append(f"- {{official: {_q(i['official'])}, jhgz: {_q(i['jhgz'])}, text: {_q(i['text'])}, "
                     f"why: {_q(i['why'])}}}")
    return "\n".join(lines) + "\n"


def outputs(planned: Planned) -> dict[Path, str]:
    names = {code: t.name for code, t in load_tables().items()}
    files = {OUT[c]: render(c, rules, names) for c, rules in planned.rules.items()}
    files[UNEXPRESSED] = render_unexpressed(planned.unexpressed)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is not current")
    args = ap.parse_args(argv)
    planned = plan()
    files = outputs(planned)
    counts = {c: len(r) for c, r in planned.rules.items()}
    print(f"written: {counts}; elsewhere: {len(planned.elsewhere)}; unexpressed: {len(planned.unexpressed)}",
          file=sys.stderr)
    return write_or_check(files, args.check, __file__)


if __name__ == "__main__":
    sys.exit(main())
