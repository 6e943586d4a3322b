#!/usr/bin/env python3
"""Write the east5 pack's official cross-table reference rules (3表间关联类-关联校验) from the register.

Usage::

    python specs/east5/tools/official_references.py           # write the rule file, the CSV and the list
    python specs/east5/tools/official_references.py --check   # write nothing; exit 1 when a file is not current

Every active 关联 rule of the official register (``../official/rules.csv``) is one of:

* **generated** into ``rulesets/east5/rules/official_references.yaml`` as a ``reference`` rule under its
  final number (else its JHGZ number): the targets are read from the text's 关联数据项 clause (table and
  field names of the final tables, ``TABLES`` / ``FIELDS`` below), the condition from its 当…时 / 非空非0 /
  余额不为零 / 有发生额 clause (``CONDITIONS``), the severity from 是否强校验 after the Q&A batches and its
  history from ``history`` (调整为弱校验 → ``set: {severity: weak}``; the batch-2 revision of the 明细科目
  rules, which added the balance / turnover condition → ``set: {when: …}``). "用 X 关联 T，Y 应与 T 的 Y 相同"
  is a composite reference (X, Y) → T.(X', Y'): it fails only where the pair is absent, i.e. where the
  names differ or X itself is absent (which the rule on X reports too);
* **written elsewhere**: a rule file of the pack already holds its number (or its JHGZ number);
* **covered by a derived reference**: a reference derived from the spec's ``links`` checks the same
  table.field → target.field, unconditionally, with the same targets — listed in
  ``specs/east5/tools/references_covered_by_derived.csv`` (official number, derived id) so the derived rule
  can be given the official number. Where the derived rule checks the field against fewer targets or
  without the official condition, the official rule is generated and the CSV says ``differs``: the derived
  rule is stricter than the register and should take the official number, so the written rule replaces it;
* **unexpressed**: listed in ``specs/east5/unexpressed/references.yaml`` with what the engine lacks.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_output import write_or_check  # noqa: E402

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parent
REPO = SPEC_DIR.parent.parent
REGISTER = SPEC_DIR / "official" / "rules.csv"
RULES_DIR = REPO / "rulesets" / "east5" / "rules"
OUT = RULES_DIR / "official_references.yaml"
COVERED = HERE / "references_covered_by_derived.csv"
UNEXPRESSED = SPEC_DIR / "unexpressed" / "references.yaml"
CATEGORY = "3表间关联类-关联校验"
SECONDARY_TABLES = {"个人定期存款分户账", "个人定期存款分户账明细记录", "对公定期存款分户账", "对公定期存款分户账明细记录"}
BATCH_NAMES = {"2022.1": "填报口径第一期", "2022.2": "填报口径第二期", "2022.3": "填报口径第三期", "2022.4": "填报口径第四期"}

# table names as the register's 关联数据项 clauses write them → final table codes (活期 / 定期 ledgers merged)
TABLES = {
    "机构信息表": "JGXXB", "岗位信息表": "GWXXB", "员工表": "YGB", "员工信息表": "YGB",
    "对公客户": "DGKHXXB", "对公客户表": "DGKHXXB", "对公客户信息表": "DGKHXXB",
    "个人基础信息": "GRJCXXB", "个人基础信息表": "GRJCXXB", "柜员表": "GYB", "总账会计全科目表": "ZZKJQKMB",
    "个人存款分户账": "GRCKFHZ", "个人活期存款分户账": "GRCKFHZ", "个人定期存款分户账": "GRCKFHZ",
    "对公存款分户账": "DGCKFHZ", "对公活期存款分户账": "DGCKFHZ", "对公定期存款分户账": "DGCKFHZ",
    "信贷合同表": "XDHTB", "个人信贷业务借据": "GRXDYWJJB", "对公信贷业务借据": "DGXDYWJJB",
    "个人信贷分户账": "GRXDFHZ", "个人信贷分户账表": "GRXDFHZ", "对公信贷分户账": "DGXDFHZ",
    "信用卡信息": "XYKXXB", "信用卡信息表": "XYKXXB", "票据出票信息": "PJCPXXB", "保函与信用证": "BHYXYZB",
    "贸易融资业务": "MYRZYWB", "表内外业务担保合同表": "BNWYWDBHTB", "信贷资产转让表": "XDZCZRB",
    "金融工具信息表": "JRGJXXB", "理财产品信息表": "LCCPXXB", "理财产品底层持仓信息表": "LCCPDCCCXXB",
    "内部分户账": "NBFHZ", "个人信贷业务借据表": "GRXDYWJJB", "对公信贷业务借据表": "DGXDYWJJB", "收单商户信息表": "SDSHXXB",
}
# field names of the clauses that are not the final table's own field name
FIELDS = {
    ("GRCKFHZ", "个人存款账号"): "GRCKZH", ("GRCKFHZ", "活期存款账号"): "GRCKZH", ("GRCKFHZ", "定期存款账号"): "GRCKZH",
    ("DGCKFHZ", "对公存款账号"): "DGCKZH", ("DGCKFHZ", "活期存款账号"): "DGCKZH", ("DGCKFHZ", "定期存款账号"): "DGCKZH",
    ("YGB", "身份证号"): "ZJHM",  # 员工表 has 证件类别 + 证件号码; the 2022.1 revision of 2696 names 证件号码
}
# the balance (余额不为零) and turnover (有发生额) of the tables whose 明细科目 rules batch 2 made conditional
BALANCE = {"GRCKFHZ": "num(存款余额) <> 0", "DGCKFHZ": "num(存款余额) <> 0",
           "NBFHZ": "num(借方余额) <> 0 OR num(贷方余额) <> 0",
           "GRXDFHZ": "num(贷款余额) <> 0", "DGXDFHZ": "num(贷款余额) <> 0",
           "GRXDYWJJB": "num(贷款余额) <> 0", "DGXDYWJJB": "num(贷款余额) <> 0", "ZYZJYWYEB": "num(账面余额) <> 0"}
TURNOVER = {"GRCKFHZMX": "num(交易金额) <> 0", "DGCKFHZMX": "num(交易金额) <> 0", "NBFHZMX": "num(交易金额) <> 0",
            "GRXDFHZMX": "num(交易金额) <> 0", "DGXDFHZMX": "num(交易金额) <> 0", "XYKJYMXB": "num(交易金额) <> 0",
            "ZYZJJYXXB": "num(合约金额) <> 0"}
# conditions in the text (phrase → condition on the source row; {field} is the rule's field name)
CONDITIONS = [
    ("非空非0", "{field} <> '0'"),
    ("员工标志为“是”", "{staff} = '是'"),
    ("是否实体柜员“是”", "是否实体柜员 = '是'"),
    ("委托贷款类型不等于现金管理项下委托贷款", "coalesce(委托贷款类型, '') <> '现金管理项下委托贷款'"),
    ("是否代销为“否”", "是否代销 = '否'"),
    ("当垫款类型为：1.1承兑汇票 或 1.2融资性保函 或2.1非融资性保函 或 3.1跟单信用证",
     "垫款类型 IN ('1.1承兑汇票', '1.2融资性保函', '2.1非融资性保函', '3.1跟单信用证')"),
]
# changes the Q&A answers make (表1 答疑口径, adopted): rule → (pack version, what it sets, why)
BUYOUT = ("2022.2", {"when": "转贴现类别 = '转贴现买断'"},
          "填报口径第二期（表1 1124/1125，采纳）：信贷合同表和借据表只报送转贴现买断业务，其他转贴现类别不关联")
QA_CHANGES = {
    "2855": BUYOUT, "2856": BUYOUT,
    "2662": ("2022.2", {"targets": [{"table": "GRJCXXB", "fields": ["KHXM"]}, {"table": "DGKHXXB", "fields": ["KHMC"]}]},
             "填报口径第二期（表1 330，同意）：与2661一致，客户姓名可在个人基础信息表或对公客户信息表中"),
}
STAFF_FLAG = {"CZXXB": "员工标志", "JJKXXB": "员工卡标志"}  # 借记卡信息表 names its flag 员工卡标志
# "用 X 关联 T，Y 应与 T 的 Y 相同" → source fields, target table, target fields
SAME_VALUE = {
    "2723": (["GRCKZH", "ZHMC"], "GRCKFHZ", ["GRCKZH", "ZHMC"]),
    "2742": (["DGCKZH", "ZHMC"], "DGCKFHZ", ["DGCKZH", "ZHMC"]),
    "2756": (["NBFHZZH", "ZHMC"], "NBFHZ", ["NBFHZZH", "ZHMC"]),
    "2777": (["DKFHZH", "ZHMC"], "GRXDFHZ", ["DKFHZH", "ZHMC"]),
    "2799": (["DKFHZH", "ZHMC"], "DGXDFHZ", ["DKFHZH", "ZHMC"]),
    "3000": (["ZCID", "HNZCFZBM"], "LCCPDCCCXXB", ["ZCID", "HNZCFZBM"]),
    "3001": (["ZCID", "ZCFZDJBM"], "LCCPDCCCXXB", ["ZCID", "ZCFZDJBM"]),
    "3002": (["ZCID", "ZCFZLBEJ"], "LCCPDCCCXXB", ["ZCID", "ZCFZLBEJ"]),
    "3003": (["ZCID", "MC"], "LCCPDCCCXXB", ["ZCID", "ZCMC"]),
    "3005": (["ZCID", "HNZCFZBM"], "LCCPDCCCXXB", ["ZCID", "HNZCFZBM"]),
    "3006": (["ZCID", "ZCFZDJBM"], "LCCPDCCCXXB", ["ZCID", "ZCFZDJBM"]),
    "3007": (["ZCID", "ZCFZLBEJ"], "LCCPDCCCXXB", ["ZCID", "ZCFZLBEJ"]),
    "3008": (["ZCID", "MC"], "LCCPDCCCXXB", ["ZCID", "ZCMC"]),
    "3013": (["ZCID", "HNZCFZBM"], "LCCPDCCCXXB", ["ZCID", "HNZCFZBM"]),
    "3014": (["ZCID", "ZCFZDJBM"], "LCCPDCCCXXB", ["ZCID", "ZCFZDJBM"]),
    "3015": (["ZCID", "ZCFZLBEJ"], "LCCPDCCCXXB", ["ZCID", "ZCFZLBEJ"]),
}
# clauses the parser cannot read as written: the targets they mean
TARGETS = {
    "2653": [("JGXXB", "YHJGMC")],  # "关联数据项：银行机构名称" (of 机构信息表, named in the text)
    "2953": [("GRJCXXB", "KHTYBH"), ("DGKHXXB", "KHTYBH")],  # 申请人编号 → the customers' 客户统一编号
}
# targets the Q&A answers add: 第三期 — 对方科目 of another branch may be in 内部科目对照表 instead of 总账会计全科目表
EXTRA_TARGETS = {"2758": [("NBKMDZB", "KJKMBH")], "2759": [("NBKMDZB", "KJKMMC")]}
HISTORY = "the Q&A ({}) lets the value match earlier submissions of the target table, not only this batch's; " \
          "the engine checks one batch"
GROUP_SALES = "the Q&A (第一期 {}) limits the check to products sold within the group (母行代销); no field of the " \
              "table says which sales those are, and other sellers' rows would fail valid data"
# rules no rule kind can express as the register writes them
UNEXPRESSED_WHY = {
    "2873": HISTORY.format("第一期 1913: 往期所报数据一同纳入校验"),
    "2895": HISTORY.format("第四期: 检核时应关联历史数据 — written-off contracts are no longer reported"),
    "2903": HISTORY.format("第一期 1681, 第四期: 不限于当期数据 — transferred loans leave the IOU tables"),
    "3016": GROUP_SALES.format("1008"),
    "3020": GROUP_SALES.format("1004"),
    "2666": "(deleted by 2022.3) 法人代表证件号码 must equal the 关联人证件号码 of the 关联关系表 rows whose 关系类型 is "
            "法定代表人 and 关联关系状态 有效: a reference target cannot carry a condition on the target's own rows",
    "2992": "理财产品信息表 has no 是否代销 field and the target is the table's own 产品登记编码: the text cannot be "
            "applied to the final table (a self-reference always holds)",
    "2998": "理财产品底层持仓信息表.资产ID must exist in 理财产品底层持仓信息表 itself: every row holds by construction, "
            "so there is nothing to check",
    "3011": "the field is 交易登记编码 but the text compares 资产负债登记编码 (the twin of 3014): which field is meant "
            "is not stated",
}


def _split_items(clause: str) -> list[str]:
    clause = clause.strip().rstrip("。.")
    return [p.strip() for p in re.split(r"[、，,]|\s+或\s+|\s*\bor\b\s*|(?<=[号码称号])或", clause) if p.strip()]


def parse_targets(text: str, catalog) -> list[tuple[str, str]] | None:
    """[(table code, field code)] from the 关联数据项 clause; None when a name is not known."""
    m = re.search(r"关联(?:数据)?项[：:]?(.*)$", text)
    if not m:
        return None
    out = []
    for item in _split_items(m.group(1)):
        if "." not in item:
            return None
        table_name, field_name = item.split(".", 1)
        code = TABLES.get(table_name.strip())
        if code is None or code not in catalog.tables:
            return None
        field = FIELDS.get((code, field_name.strip()))
        if field is None:
            found = catalog.tables[code].field(field_name.strip())
            if found is None:
                return None
            field = found.code
        out.append((code, field))
    return out


def condition(row: dict, catalog) -> tuple[str | None, str | None]:
    """(final condition, condition before the Q&A change that added it) on the source row."""
    text = row["final_text"] or row["text"]
    table = catalog.tables[row["final_table"]]
    field = table.field(row["final_field"])
    if "余额不为0或有发生额" in text:
        raise LookupError("the balance or turnover is the 总账会计全科目表 subject's, not this table's")
    if "余额不为零" in text:
        return BALANCE[table.code], None
    if "有发生额" in text:
        return TURNOVER[table.code], None
    for phrase, cond in CONDITIONS:
        if phrase in text:
            staff = STAFF_FLAG.get(table.code, "员工标志")
            expr = cond.format(field=field.name, staff=staff)
            for name in re.findall(r"([\u4e00-\u9fff（）/]+) (?:<>|=|IN)", expr.replace("coalesce(", "")):
                if table.field(name) is None:
                    raise LookupError(f"{table.name} has no field {name}")
            return expr, None
    return None, None


def official_rows(register: Path = REGISTER, statuses: tuple[str, ...] = ("active",)) -> dict[str, list[dict]]:
    """关联 rows of these statuses by rule id (final number, else JHGZ), the merged 定期 tables' twins last."""
    rows = defaultdict(list)
    with open(register, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] == CATEGORY and r["status"] in statuses:
                rows[r["final"] or r["jhgz"]].append(r)
    for rid in rows:
        rows[rid].sort(key=lambda r: r["table"] in SECONDARY_TABLES)
    return dict(sorted(rows.items(), key=lambda kv: (not kv[0].isdigit(), int(kv[0].lstrip("JHGZ")))))


def _written_rules(rules_dir: Path, out: Path) -> dict[str, dict]:
    """Rule id → the rule as written outside the generated file."""
    found = {}
    for path in sorted(rules_dir.rglob("*.yaml")):
        if path == out:
            continue
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for r in doc.get("rules", []):
            if "id" in r:
                found[str(r["id"])] = {**r, "table": r.get("table", doc.get("table"))}
    return found


def disagreements(catalog, register: Path = REGISTER, rules_dir: Path = RULES_DIR, out: Path = OUT) -> list[str]:
    """Official 关联 rules written in other files whose targets, severity or condition differ from the register's."""
    written = _written_rules(rules_dir, out)
    lines = []
    for rid, rows in official_rows(register).items():
        hit = next((i for i in [rid, *(r["jhgz"] for r in rows)] if i in written), None)
        if hit is None:
            continue
        try:
            want = build_rule(rid, rows[0], [r["jhgz"] for r in rows], catalog)
        except LookupError:
            continue
        got = written[hit]
        what = []
        latest = [c["set"]["targets"] for c in got.get("changes", []) if "targets" in c.get("set", {})]
        targets = latest[-1] if latest else got.get("targets")
        if targets and _target_set(targets) != _target_set(want["targets"]):
            what.append("targets")
        severity = got.get("severity", "strong")
        if SEVERITY.get(severity, severity) != want["severity"] and not want["changes"]:
            what.append(f"severity {got.get('severity', 'strong')} (register {want['severity']})")
        if hit != rid:
            what.append(f"id {hit} (final number {rid})")
        if what:
            lines.append(f"written elsewhere: {rid} {want['table']}.{'+'.join(want['fields'])}: {', '.join(what)}")
    return lines


SEVERITY = {"强校验": "strong", "弱校验": "weak"}


def _written_elsewhere(rules_dir: Path, out: Path) -> dict[str, str]:
    """Rule id → file of every rule written outside the generated file."""
    ids = {}
    for path in sorted(rules_dir.rglob("*.yaml")):
        if path == out:
            continue
        try:
            doc = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SystemExit(f"{path}: not a readable rule file: {exc}") from None
        for r in doc.get("rules", []):
            if "id" in r:
                ids[str(r["id"])] = path.name
    return ids


def _derived_references(derived: list) -> dict[tuple[str, tuple[str, ...]], list]:
    out = defaultdict(list)
    for r in derived:
        out[(r.table, tuple(r.params["fields"]))].append(r)
    return out


def _retired(row: dict) -> str:
    return f" (deleted by {row['history']})" if row["status"] == "deleted" else ""


def _history(row: dict) -> list[tuple[str, str]]:
    return [tuple(item.split(":", 1)) for item in filter(None, row["history"].split("|"))]


def _target_set(targets) -> set[tuple[str, tuple[str, ...]]]:
    return {(t["table"], tuple(t["fields"])) for t in targets}


def plan(catalog, derived_rules: list, register: Path = REGISTER, rules_dir: Path = RULES_DIR, out: Path = OUT):
    """(rules to write, [(official, derived id, same|differs)], [(official, why)], {official: file})."""
    written = _written_elsewhere(rules_dir, out)
    derived = _derived_references(derived_rules)
    rules, covered, unexpressed, elsewhere = [], [], [], {}
    for rid, rows in official_rows(register, ("active", "deleted")).items():
        row = rows[0]
        jhgz = [r["jhgz"] for r in rows]
        hit = next((i for i in [rid, *jhgz] if i in written), None)
        if hit:
            elsewhere[rid] = f"{written[hit]} ({hit})"
            continue
        if rid in UNEXPRESSED_WHY:
            unexpressed.append((rid, UNEXPRESSED_WHY[rid]))
            continue
        try:
            rule = build_rule(rid, row, jhgz, catalog)
        except LookupError as exc:
            unexpressed.append((rid, str(exc) + _retired(row)))
            continue
        if row["status"] == "deleted":  # recorded for the versions before the batch that deleted it
            rules.append(rule)
            continue
        same = [d for d in derived.get((rule["table"], tuple(rule["fields"])), [])]
        match = [d for d in same if _target_set(d.params["targets"]) == _target_set(rule["targets"])
                 and not rule.get("when") and not rule.get("changes")]
        if match:
            covered += [(rid, d.id, "same") for d in match]
            continue
        covered += [(rid, d.id, "differs") for d in same]
        rules.append(rule)
    return rules, covered, unexpressed, elsewhere


def build_rule(rid: str, row: dict, jhgz: list[str], catalog) -> dict:
    text = row["final_text"] or row["text"]
    table = catalog.tables[row["final_table"]]
    if rid in SAME_VALUE:
        fields, target, to = SAME_VALUE[rid]
        targets = [{"table": target, "fields": to}]
        when = None
    else:
        fields = [row["final_field"]]
        pairs = TARGETS.get(rid) or parse_targets(text, catalog)
        if not pairs:
            raise LookupError("the 关联数据项 clause names no table and field of the final tables")
        pairs = pairs + EXTRA_TARGETS.get(rid, [])
        targets = [{"table": t, "fields": [f]} for t, f in dict.fromkeys(pairs)]
        when, _ = condition(row, catalog)
    rule = {"id": rid, "table": table.code, "fields": fields, "targets": targets, "when": when,
            "severity": "weak" if row["final_strong"] == "否" else "strong", "text": text, "jhgz": jhgz,
            "history": row["history"], "changes": []}
    if rid in QA_CHANGES:
        version, what, reason = QA_CHANGES[rid]
        rule["changes"].append({"version": version, "set": what, "reason": reason})
    for version, change in _history(row):
        reason = f"{BATCH_NAMES[version]}：{change}（表3 检核规则调整表）"
        if change == "调整为弱校验":
            rule["severity"] = "weak" if row["strong"] == "否" else "strong"
            rule["changes"].append({"version": version, "set": {"severity": "weak"}, "reason": reason})
        elif change == "删除":
            rule["changes"].append({"version": version, "retire": True, "reason": reason})
        elif change == "修改" and when and ("余额不为零" in text or "有发生额" in text):
            rule["changes"].append({"version": version, "set": {"when": when}, "reason": reason
                                    + "：加“余额不为零”/“有发生额”条件"})
            rule["when"] = None
    return rule


# ---------------------------------------------------------------- fixtures


def _examples(rule: dict, clean: dict, catalog) -> dict:
    """A failing row (value absent from every target, condition met) and passing rows."""
    table = catalog.tables[rule["table"]]
    cond = rule["when"] or next((c["set"]["when"] for c in rule["changes"] if "when" in c.get("set", {})), None)
    meet, miss = _condition_rows(cond, table)
    target = rule["targets"][0]
    hit = {f: clean[target["table"]][t] for f, t in zip(rule["fields"], target["fields"])}
    absent = {f: _absent(table.field(f), rule["id"]) for f in rule["fields"]}
    if len(rule["fields"]) > 1:  # same key, another value
        absent = {**hit, rule["fields"][-1]: _absent(table.field(rule["fields"][-1]), rule["id"])}
    fail = [{**absent, **meet}]
    passes = [{**hit, **meet}, {rule["fields"][-1]: ""}]
    if miss is not None:
        passes.append({**absent, **miss})
    for t in rule["targets"][1:]:
        passes.append({**{f: clean[t["table"]][c] for f, c in zip(rule["fields"], t["fields"])}, **meet})
    return {"fail": fail, "pass": passes}


def _absent(field, rid: str) -> str:
    """A value no table holds: other rules' failing rows put theirs in the tables this rule looks at."""
    value = f"NO{rid}"
    return value[-field.format.width:] if field.format.kind == "char" and field.format.width else value


def _condition_rows(cond: str | None, table) -> tuple[dict, dict | None]:
    """Field values meeting and missing a condition of the forms CONDITIONS, BALANCE and TURNOVER use."""
    if not cond:
        return {}, None
    if cond.startswith("num("):
        names = re.findall(r"num\(([^)]+)\)", cond)
        return ({table.field(names[0]).code: "100.00"}, {table.field(n).code: "0" for n in names})
    m = re.match(r"(?:coalesce\()?([^ ,]+)(?:, '')?\)? (<>|=|IN) \(?'([^']*)'", cond)
    field = table.field(m.group(1)).code
    if m.group(2) == "<>":
        return ({field: "NOTZERO" if m.group(3) == "0" else "其他"}, {field: m.group(3)})
    other = {"是": "否", "否": "是"}.get(m.group(3), "其他")
    return ({field: m.group(3)}, {field: other})


# ---------------------------------------------------------------- rendering


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _q(str(value)) if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(value)) else str(value)


def _message_en(rule: dict, catalog) -> str:
    src = "+".join(rule["fields"])
    tgt = " or ".join(f"{t['table']}.{'+'.join(t['fields'])}" for t in rule["targets"])
    if len(rule["fields"]) > 1:
        return f"{rule['table']}.{rule['fields'][-1]} must equal {tgt.split('+')[-1]} of the row joined by {rule['fields'][0]}"
    return f"{rule['table']}.{src}, when filled{' (and the condition holds)' if rule['when'] or rule['changes'] else ''}, must exist in {tgt}"


HEADER = """\
# Official cross-table reference rules (3表间关联类-关联校验) of the east5 pack.
# Generated by specs/east5/tools/official_references.py from specs/east5/official/rules.csv (the official rule
# register imported from the regulator's workbooks) — do not edit; re-run the tool.
# One reference rule per active 关联 rule that no other rule file holds and no derived reference (spec links)
# already checks with the same targets; ids are the final numbers, else the JHGZ numbers; the message is the
# register's text. Covered by derived rules: specs/east5/tools/references_covered_by_derived.csv; not
# expressible: specs/east5/unexpressed/references.yaml.
"""


def _note(rule: dict) -> str:
    strong = "否" if rule["severity"] == "weak" else "是"
    history = f"; history {rule['history']}" if rule["history"] else ""
    extra = ("; 第三期答疑: the 对方科目 may also be one of 内部科目对照表 (another branch's subject)"
             if rule["id"] in EXTRA_TARGETS else "")
    return f"official {' / '.join(rule['jhgz'])}（是否强校验 {strong}）{history}{extra}"


def render(rules: list[dict], catalog) -> str:
    from engine.conformance import clean_rows

    clean = clean_rows(catalog)
    lines = [HEADER.rstrip("\n"), "rules:"]
    for r in rules:
        lines.append(f"  - id: {r['id'] if not r['id'].isdigit() else int(r['id'])}")
        lines.append(f"    table: {r['table']}")
        lines.append("    kind: reference")
        if len(r["fields"]) == 1:
            lines.append(f"    field: {r['fields'][0]}")
        else:
            lines.append(f"    fields: {_flow(r['fields'])}")
        lines.append(f"    targets: {_flow(r['targets'])}")
        if r["when"]:
            lines.append(f"    when: {_q(r['when'])}")
        if r["severity"] == "weak":
            lines.append("    severity: weak")
        lines.append("    category: 关联")
        lines.append(f"    message: {{zh: {_q(r['text'])}, en: {_q(_message_en(r, catalog))}}}")
        lines.append(f"    note: {_q(_note(r))}")
        if r["changes"]:
            lines.append("    changes:")
            for c in r["changes"]:
                what = "retire: true" if c.get("retire") else f"set: {_flow(c['set'])}"
                lines.append(f"      - {{version: \"{c['version']}\", {what}, reason: {_q(c['reason'])}}}")
        ex = _examples(r, clean, catalog)
        lines.append(f"    examples: {{fail: {_flow(ex['fail'])}, pass: {_flow(ex['pass'])}}}")
    return "\n".join(lines) + "\n"


def render_covered(covered: list[tuple[str, str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["official", "derived", "match"])
    w.writerows(covered)
    return buf.getvalue()


def render_unexpressed(unexpressed: list[tuple[str, str]]) -> str:
    lines = ["# Official 3表间关联类-关联校验 rules no rule kind of the engine can express as the register writes them.",
             "# Generated by specs/east5/tools/official_references.py — do not edit; re-run the tool."]
    lines += [f"- {{official: {_q(rid)}, why: {_q(why)}}}" for rid, why in unexpressed]
    return "\n".join(lines) + "\n"


def load_spec():
    """The east5 catalog and the references derived from its links (as the pack derives them)."""
    from engine.derive import derive_rules
    from engine.spec import load_catalog

    options = yaml.safe_load((REPO / "rulesets" / "east5" / "pack.yaml").read_text("utf-8"))["derive"]
    options.pop("official_ids", None)  # local ids: official_ids.py gives the covered ones their official number
    catalog = load_catalog(SPEC_DIR)
    return catalog, [r for r in derive_rules(catalog, options) if r.kind == "reference"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is not current")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    catalog, derived = load_spec()
    rules, covered, unexpressed, elsewhere = plan(catalog, derived)
    files = {OUT: render(rules, catalog), COVERED: render_covered(covered), UNEXPRESSED: render_unexpressed(unexpressed)}
    active = official_rows()
    print(f"{len(active)} active 关联 rules: {sum(r['id'] in active for r in rules)} generated, "
          f"{sum(r in active for r in elsewhere)} written elsewhere, "
          f"{len({c[0] for c in covered if c[2] == 'same'})} covered by a derived reference, "
          f"{sum(r in active for r, _ in unexpressed)} unexpressed; deleted ones recorded: "
          f"{sum(r['id'] not in active for r in rules)} generated with their retirement, "
          f"{sum(r not in active for r, _ in unexpressed)} unexpressed", file=sys.stderr)
    for line in disagreements(catalog):
        print(line, file=sys.stderr)
    return write_or_check(files, args.check, __file__)


if __name__ == "__main__":
    sys.exit(main())
