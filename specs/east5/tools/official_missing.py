#!/usr/bin/env python3
"""Write the official 默认值, 特殊字符 and conditional 为空 rules the east5 pack did not yet hold.

Usage::

    python specs/east5/tools/official_missing.py           # write the three rule files and the unexpressed list
    python specs/east5/tools/official_missing.py --check   # write nothing; exit 1 when a file is not current

Source: the official rule register (``../official/rules.csv``, imported from the regulator's workbooks).  For
every *active* rule of the categories 1缺失类-默认值校验, 2格式规范类-特殊字符校验 and 1缺失类-为空校验 that no other
rule file of the pack holds under its official id (the final number, else the workbook's JHGZ number), this
writes one rule, or records why none is written:

* 特殊字符 (``official_special_chars.yaml``): ``forbidden_chars`` with the rule's own character list, parsed from
  its text.  The four trailing dots of "…/|...." are one full stop and an ellipsis (Q&A on 1888: "特殊字符四个点为一个
  英文句号和一个英文省略号"; the 第一期 revision of 1888 and 1911 ends the list with a single "."), so "." is in the
  set; "/" is listed in its own right ("\\/"), so the "/" between groups adds nothing; "\\" is a character of
  the list (it stands alone in "\\=" of the trade-finance list).  "不包含空白字符" adds space, tab and the
  ideographic space; "首尾不包含空白字符" (1896) becomes a ``regex`` over the same set.
* 默认值 (``official_defaults.yaml``): "X不允许为99991231 / 为0" → ``not_default``; conditional texts and
  "…应为0" are written from ``CONDITIONAL_DEFAULTS`` (``not_default`` with ``when``, ``compare = 0``).
* 为空 (``official_conditional_nonnull.yaml``): conditional texts from ``CONDITIONAL_NONNULL`` (``required`` with
  ``when``, or an ``expression`` where the text also requires emptiness).

Where a Q&A answer says banks fill the default in a case the rule would reject, the case is left out of the
rule's ``when`` (e.g. 还款交易 of 信用卡交易明细表 with 99991231 as 最迟还款日期); where no field tells that case
apart, the rule is not written and ``NOT_WRITTEN`` says why.  Those, with the rules no rule kind can express,
are listed in ``specs/east5/unexpressed/missing_defaults_chars.yaml``.  Severity is the register's
``final_strong`` (否 → weak); a Q&A 修改 that changed the condition is a ``changes`` entry of its batch.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_output import write_or_check  # noqa: E402

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parent
REPO = SPEC_DIR.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # engine.rules.forbidden_chars.char_class for the 首尾 pattern
REGISTER = SPEC_DIR / "official" / "rules.csv"
RULES_DIR = REPO / "rulesets" / "east5" / "rules"
UNEXPRESSED = SPEC_DIR / "unexpressed" / "missing_defaults_chars.yaml"
OUTPUTS = {
    "默认值": RULES_DIR / "official_defaults.yaml",
    "特殊字符": RULES_DIR / "official_special_chars.yaml",
    "为空": RULES_DIR / "official_conditional_nonnull.yaml",
}
CATEGORIES = {
    "1缺失类-默认值校验（日期和数值为0）": "默认值",
    "2格式规范类-特殊字符校验": "特殊字符",
    "1缺失类-为空校验": "为空",
}
SECONDARY_TABLES = {"个人定期存款分户账", "个人定期存款分户账明细记录", "对公定期存款分户账", "对公定期存款分户账明细记录"}
BATCH_NAMES = {"2022.1": "填报口径第一期", "2022.2": "填报口径第二期", "2022.3": "填报口径第三期", "2022.4": "填报口径第四期"}
WHITESPACE = " \t\u3000"
REPO_TYPES = "('质押式回购正回购', '质押式回购逆回购', '买断式回购正回购', '买断式回购逆回购')"
TRANSFER = "现转标志 = '转' AND 冲补抹标志 = '正常'"
TERMINAL = "贷款状态 IN ('结清', '核销', '转让')"


@dataclass
class Cond:
    """A conditional rule: its ``when`` (or ``expr``), failing and passing rows (field codes)."""

    when: str
    fail: list[dict]
    ok: list[dict]
    kind: str = "required"
    params: dict = field(default_factory=dict)
    why: str = ""  # how the rule reads the text, where that is a choice
    scope_zh: str = ""  # the case the Q&A leaves out, shown in the message (e.g. "还款交易除外")
    changes: list[dict] = field(default_factory=list)


def _transfer(f: str) -> Cond:
    return Cond(TRANSFER, [{"XZBZ": "转", "CBMBZ": "正常", f: ""}],
                [{"XZBZ": "转", "CBMBZ": "正常", f: "X1"}, {"XZBZ": "现", "CBMBZ": "正常", f: ""},
                 {"XZBZ": "转", "CBMBZ": "冲补抹", f: ""}])


def _counter(f: str) -> Cond:
    return _transfer(f)


def _loan_counter(f: str) -> Cond:
    """Q&A (对公信贷分户账明细记录 对方账号/户名/行名): write-off entries without a counterparty may leave it empty."""
    c = _transfer(f)
    c.when += " AND 交易类型 NOT LIKE '%核销%'"
    c.ok.append({"XZBZ": "转", "CBMBZ": "正常", "JYLX": "其他-核销", f: ""})
    c.why = "write-off entries (交易类型 其他-核销) left out: Q&A on 467-469 lets them leave the counterparty empty"
    c.scope_zh = "核销交易除外"
    return c


def _flag(flag_name: str, flag_code: str, f: str, value: str = "是", filled: str = "X1") -> Cond:
    return Cond(f"{flag_name} = '{value}'", [{flag_code: value, f: ""}],
                [{flag_code: value, f: filled}, {flag_code: "否" if value == "是" else "其他-无", f: ""}])


def _teller(f: str = "JYGYH") -> Cond:
    return Cond("交易渠道 = '柜面'", [{"JYQD": "柜面", f: ""}], [{"JYQD": "柜面", f: "G01"}, {"JYQD": "网银", f: ""}])


def _estate(f: str, filled: str = "X1") -> Cond:
    return Cond("项目类型 = '房地产项目'", [{"XMLX": "房地产项目", f: ""}],
                [{"XMLX": "房地产项目", f: filled}, {"XMLX": "基础设施建设项目", f: ""}])


def _card_counter(f: str) -> Cond:
    return Cond("线上线下交易标志 = '线上' OR (线上线下交易标志 = '线下' AND 交易渠道 = 'POS')",
                [{"XSXXJYBZ": "线上", "JYQD": "网银", f: ""}, {"XSXXJYBZ": "线下", "JYQD": "POS", f: ""}],
                [{"XSXXJYBZ": "线上", "JYQD": "网银", f: "X1"}, {"XSXXJYBZ": "线下", "JYQD": "柜面", f: ""}])


def _guarantee(f: str) -> Cond:
    """Text: required when 担保方式 is filled and not 信用担保; Q&A on 1345/1346 (理财中心 data elements, agreed):
    filled only for 信用担保 / 第三方保证, empty for 抵押, 质押, 信用增级, 其他 — both hold only for 第三方保证."""
    return Cond("担保方式 = '第三方保证'", [{"DBFS": "第三方保证", f: ""}],
                [{"DBFS": "第三方保证", f: "X1"}, {"DBFS": "抵押", f: ""}, {"DBFS": "信用担保", f: ""}, {"DBFS": "", f: ""}],
                why="第三方保证 only: the text (not 信用担保) and the agreed Q&A on 1345/1346 (only 信用担保 or 第三方保证) meet there",
                scope_zh="依答疑仅检核担保方式为第三方保证的记录")


def _pledge(f: str) -> Cond:
    return Cond("担保方式 IN ('抵押', '质押')", [{"DBFS": "质押", f: ""}],
                [{"DBFS": "抵押", f: "X1"}, {"DBFS": "第三方保证", f: ""}])


def _five_class() -> Cond:
    return Cond(f"信贷业务种类 NOT LIKE '%委托贷款%' AND NOT ({TERMINAL})", [{"XDYWZL": "流动资金贷款", "DKZT": "正常", "DKWJFL": ""}],
                [{"XDYWZL": "流动资金贷款", "DKZT": "正常", "DKWJFL": "正常"}, {"XDYWZL": "委托贷款", "DKZT": "正常", "DKWJFL": ""},
                 {"XDYWZL": "流动资金贷款", "DKZT": "结清", "DKWJFL": ""}],
                why="settled, written-off and transferred loans left out: Q&A on 564 lets them leave 五级分类 empty",
                scope_zh="贷款状态为结清、核销、转让的除外")


def _terminated(f: str) -> Cond:
    return Cond("产品状态 = '已终止登记'", [{"CPZT": "已终止登记", f: ""}],
                [{"CPZT": "已终止登记", f: "1.00"}, {"CPZT": "存续", f: ""}],
                why="已终止的产品: 产品状态 已终止登记")


def _agent_pair(f: str, other: str, other_code: str) -> Cond:
    """"当代办人X不为空时，Y不应为空 / 当代办人X为空时，Y应为空": both filled or both empty."""
    expr = f"(filled({other}) AND filled({{self}})) OR (is_empty({other}) AND is_empty({{self}}))"
    return Cond(expr, [{other_code: "X1", f: ""}, {other_code: "", f: "X1"}],
                [{other_code: "X1", f: "X1"}, {other_code: "", f: ""}], kind="expression")


CONDITIONAL_NONNULL: dict[str, Cond] = {
    "30": _flag("是否实体柜员", "SFSTGY", "GH"),
    "33": _flag("是否实体柜员", "SFSTGY", "GWBH"),
    "107": Cond("信贷客户标志 = '是' AND 客户类型 <> '同业客户'", [{"XDKHBZ": "是", "KHLX": "单一法人客户", "QYFL": ""}],
                [{"XDKHBZ": "是", "KHLX": "单一法人客户", "QYFL": "大型企业"}, {"XDKHBZ": "否", "QYFL": ""},
                 {"XDKHBZ": "是", "KHLX": "同业客户", "QYFL": ""}],
                why="同业客户 left out: Q&A on 107 agrees that 金融同业 branches cannot be sized (企业分类 empty)",
                scope_zh="同业客户除外"),
    "111": _flag("信贷客户标志", "XDKHBZ", "XYPJ"),
    "112": _flag("信贷客户标志", "XDKHBZ", "YGRS", filled="10"),
    "197": _flag("是否POS商户", "SFPOS", "ZDH"),
    "198": Cond("filled(商户编号) OR filled(商户名称) OR filled(商户MCC名称)", [{"SHBH": "S1", "SHMCCM": ""}],
                [{"SHBH": "S1", "SHMCCM": "5411"}, {"SHBH": "", "SHMC": "", "SHMCCMC": "", "SHMCCM": ""}]),
    "199": Cond("filled(商户编号) OR filled(商户名称) OR filled(商户MCC码)", [{"SHBH": "S1", "SHMCCMC": ""}],
                [{"SHBH": "S1", "SHMCCMC": "超市"}, {"SHBH": "", "SHMC": "", "SHMCCM": "", "SHMCCMC": ""}]),
    "272": _counter("DFZH"), "273": _counter("DFHM"), "274": _counter("DFXM"),
    "280": Cond("filled(代办人证件类别) OR filled(代办人证件号码)", [{"DBRZJLB": "身份证", "DBRXM": ""}],
                [{"DBRZJLB": "身份证", "DBRXM": "张三"}, {"DBRZJLB": "", "DBRZJHM": "", "DBRXM": ""}]),
    "281": Cond("filled(代办人姓名)", [{"DBRXM": "张三", "DBRZJLB": ""}],
                [{"DBRXM": "张三", "DBRZJLB": "身份证"}, {"DBRXM": "", "DBRZJLB": ""}]),
    "282": Cond("filled(代办人证件类别) AND 代办人证件类别 NOT LIKE '%无证件%'", [{"DBRZJLB": "身份证", "DBRZJHM": ""}],
                [{"DBRZJLB": "身份证", "DBRZJHM": "110101199001011234"}, {"DBRZJLB": "无证件", "DBRZJHM": ""},
                 {"DBRZJLB": "", "DBRZJHM": ""}],
                why="'不为空或不为无证件' read as 'not empty and not 无证件' (the literal 'or' would hold for every row)"),
    "283": _teller(),
    "323": _counter("DFZH"), "324": _counter("DFHM"), "325": _counter("DFXM"),
    "329": Cond("交易借贷标志 = '借' AND 交易渠道 IN ('网银', '手机银行')", [{"JYJDBZ": "借", "JYQD": "网银", "IPDZ": ""}],
                [{"JYJDBZ": "借", "JYQD": "网银", "IPDZ": "10.0.0.1"}, {"JYJDBZ": "贷", "JYQD": "网银", "IPDZ": ""},
                 {"JYJDBZ": "借", "JYQD": "柜面", "IPDZ": ""}],
                changes=[{"version": "2022.3", "from_when": "交易渠道 IN ('网银', '手机银行')"}]),
    "330": Cond("交易借贷标志 = '借' AND 交易渠道 IN ('网银', '手机银行')", [{"JYJDBZ": "借", "JYQD": "手机银行", "MACDZ": ""}],
                [{"JYJDBZ": "借", "JYQD": "手机银行", "MACDZ": "00-11-22-33-44-55"},
                 {"JYJDBZ": "贷", "JYQD": "手机银行", "MACDZ": ""}, {"JYJDBZ": "借", "JYQD": "柜面", "MACDZ": ""}],
                changes=[{"version": "2022.3", "from_when": "交易渠道 IN ('网银', '手机银行')"}]),
    "331": _teller(),
    "417": _loan_counter("DFZH"), "418": _loan_counter("DFHM"), "419": _loan_counter("DFXM"),
    "422": Cond("filled(代办人证件类别)", [{"DBRZJLB": "身份证", "DBRXM": ""}],
                [{"DBRZJLB": "身份证", "DBRXM": "张三"}, {"DBRZJLB": "", "DBRXM": ""}]),
    "423": _agent_pair("DBRZJLB", "代办人姓名", "DBRXM"),
    "424": _agent_pair("DBRZJHM", "代办人证件类别", "DBRZJLB"),
    "425": _teller(),
    "467": _loan_counter("DFZH"), "468": _loan_counter("DFHM"), "469": _loan_counter("DFXM"),
    "472": _teller(),
    "510": _five_class(), "564": _five_class(),
    "630": _estate("TDSYZBH"), "631": _estate("TDSYZRQ", "20200101"), "632": _estate("YDGHXKZBH"),
    "633": _estate("YDGHXKZRQ", "20200101"), "634": _estate("GCGHXKZBH"), "635": _estate("GCGHXKZRQ", "20200101"),
    "636": _estate("SGXKZBH"), "637": _estate("SGXKZRQ", "20200101"),
    "709": Cond(f"转贴现类别 IN {REPO_TYPES}", [{"ZTXLB": "质押式回购正回购", "HGJE": ""}],
                [{"ZTXLB": "质押式回购正回购", "HGJE": "100.00"}, {"ZTXLB": "转贴现买断", "HGJE": ""}]),
    "912": Cond("filled(担保类型) AND 担保类型 <> '信用'", [{"DBLX": "保证", "DBSM": ""}],
                [{"DBLX": "保证", "DBSM": "连带责任保证"}, {"DBLX": "信用", "DBSM": ""}]),
    "941": _card_counter("DFZH"), "942": _card_counter("DFHM"), "943": _card_counter("DFXM"),
    "951": Cond("交易渠道 IN ('POS', '网银', '手机银行')", [{"JYQD": "POS", "IPDZ": ""}],
                [{"JYQD": "POS", "IPDZ": "10.0.0.1"}, {"JYQD": "柜面", "IPDZ": ""}]),
    "952": Cond("交易渠道 IN ('POS', '网银', '手机银行')", [{"JYQD": "网银", "MACDZ": ""}],
                [{"JYQD": "网银", "MACDZ": "00-11-22-33-44-55"}, {"JYQD": "柜面", "MACDZ": ""}]),
    "1211": _flag("产品增信标识", "CPZXBZ", "CPZXXS", filled="内部增级"),
    "1215": Cond("开放模式 = '有规律开放'", [{"KFMS": "有规律开放", "GLKFZQ": ""}],
                 [{"KFMS": "有规律开放", "GLKFZQ": "X1"}, {"KFMS": "无规律开放", "GLKFZQ": ""}]),
    "1231": Cond("filled(境内托管机构名称) AND 资金投向地区 <> '境外'", [{"JNTGJGMC": "某托管银行", "ZJTXDQ": "境内", "JNTGJGDM": ""}],
                 [{"JNTGJGMC": "某托管银行", "ZJTXDQ": "境内", "JNTGJGDM": "B0001"}, {"JNTGJGMC": "", "JNTGJGDM": ""},
                  {"JNTGJGMC": "某托管银行", "ZJTXDQ": "境外", "JNTGJGDM": ""}],
                 why="资金投向地区 境外 left out: Q&A on 1231 (agreed) has the code empty for them",
                 scope_zh="资金投向地区为境外的除外"),
    "1232": Cond("is_empty(境外托管机构名称)", [{"JWTGJGMC": "", "JNTGJGMC": ""}],
                 [{"JWTGJGMC": "", "JNTGJGMC": "某托管银行"}, {"JWTGJGMC": "X Custody", "JNTGJGMC": ""}]),
    "1248": _terminated("YHSJSXSR"), "1249": _terminated("DFKHSY"), "1250": _terminated("DFKHZJE"),
    "1251": _terminated("KHSJNHSYL"), "1252": _terminated("CPSJNHSYL"),
    "1312": Cond("ZCFZLBEJ = '收/受益权'", [{"ZCFZLBEJ": "收/受益权", "SSYQLX": ""}],
                 [{"ZCFZLBEJ": "收/受益权", "SSYQLX": "X1"}, {"ZCFZLBEJ": "债券", "SSYQLX": ""}]),
    "1339": _flag("项目是否属于重点监控行业和领域", "XMSFSYZDJKHYHLY", "ZDJKHYHLYLB", filled="其他-X"),
    "1342": Cond("filled(担保方式)", [{"DBFS": "抵押", "DBQKSM": ""}], [{"DBFS": "抵押", "DBQKSM": "X1"}, {"DBFS": "", "DBQKSM": ""}]),
    "1343": _pledge("DZYWLX"),
    "1345": _guarantee("DBXZ"), "1346": _guarantee("DBRYRZRGX"),
    "1387": _flag("项目是否属于重点监控行业和领域", "XMSFSYZDJKHYHLY", "ZDJKHYHLYLB", filled="其他-X"),
    "JHGZ1620": _pledge("DZYWLX"),
    "1391": _guarantee("DBXZ"), "1392": _guarantee("DBRYRZRGX"),
    "1432": _flag("是否代销", "SFDX", "DXJGJRJGDM"), "1433": _flag("是否代销", "SFDX", "DXJGSSJGBM"),
}


def _nd(when: str, f: str, on: dict, off: dict, default: str = "99991231", good: str = "20240101", why: str = "",
        scope: str = "") -> Cond:
    """not_default under a condition: ``on`` makes the condition hold, ``off`` does not."""
    return Cond(when, [{**on, f: default}], [{**on, f: good}, {**off, f: default}], kind="not_default", why=why,
                scope_zh=scope)


def _zero(when: str, f: str, on: dict, off: dict) -> Cond:
    """"当…时，X应为0": compare X = 0 under the condition."""
    return Cond(when, [{**on, f: "100.00"}], [{**on, f: "0"}, {**off, f: "100.00"}], kind="compare",
                params={"op": "=", "value": 0, "type": "number"})


_CLOSED, _OPEN = {"ZHZT": "销户"}, {"ZHZT": "正常"}


def _off_balance_interest() -> Cond:
    c = _zero("贷款状态 IN ('结清', '转让')", "BWQXYE", {"DKZT": "结清"}, {"DKZT": "核销"})
    c.why = "核销 left out: Q&A on 1550 lets loans written off with recourse keep their off-balance-sheet interest"
    c.scope_zh = "核销贷款除外"
    return c
_LOAN_CLOSED = "贷款状态 IN ('结清', '核销', '转让') OR 账户状态 IN ('销户', '已转让')"

CONDITIONAL_DEFAULTS: dict[str, Cond] = {
    "1467": _nd("信贷客户标志 = '是'", "YGRS", {"XDKHBZ": "是"}, {"XDKHBZ": "否"}, default="0", good="10"),
    "1498": _zero("账户状态 = '销户'", "JFYE", _CLOSED, _OPEN),
    "1499": _zero("账户状态 = '销户'", "DFYE", _CLOSED, _OPEN),
    "1536": _nd("num(欠本金额) <> 0", "QBRQ", {"QBJE": "300.00"}, {"QBJE": "0"}),
    "1537": _zero(TERMINAL, "BNQXYE", {"DKZT": "结清"}, {"DKZT": "正常"}),
    "1538": _off_balance_interest(),
    "1548": _nd("num(欠本金额) <> 0", "QBRQ", {"QBJE": "300.00"}, {"QBJE": "0"}),
    "1549": _zero(TERMINAL, "BNQXYE", {"DKZT": "结清"}, {"DKZT": "正常"}),
    "1550": _off_balance_interest(),
    "1561": _nd("项目类型 <> '并购贷款'", "KGRQ", {"XMLX": "房地产项目"}, {"XMLX": "并购贷款"},
                scope="并购贷款除外", why="并购贷款 left out: Q&A on 1561 (第一期1745) has them file 99991231"),
    "1559": _zero("贷款状态 = '结清'", "DKYE", {"DKZT": "结清"}, {"DKZT": "正常"}),
    "1582": _nd(f"转贴现类别 IN {REPO_TYPES}", "HGLV", {"ZTXLB": "质押式回购正回购"}, {"ZTXLB": "转贴现买断"},
                default="0", good="2.5"),
    "1583": _nd(f"转贴现类别 IN {REPO_TYPES}", "HGLX", {"ZTXLB": "买断式回购逆回购"}, {"ZTXLB": "转贴现买断"},
                default="0", good="1000.00"),
    "1608": _nd("num(收回本金) <> 0 OR num(收回利息) <> 0", "SHRQ", {"SHBJ": "100.00", "SHLX": "0"},
                {"SHBJ": "0", "SHLX": "0"}),
    "1619": _nd("卡片状态 = '正常'", "KKRQ", {"KPZT": "正常"}, {"KPZT": "注销"},
                scope="依答疑仅检核卡片状态为正常的记录", why="卡片状态 正常 only: Q&A on 1619 has never-activated cards later 注销/冻结/止付/睡眠 filed with 99991231"),
    "1620": _nd("卡片状态 = '注销'", "XKRQ", {"KPZT": "注销"}, {"KPZT": "正常"}),
    # unconditional texts narrowed where a Q&A answer has banks file the default for a case a field identifies
    "1528": _nd("信贷业务种类 <> '垫款'", "HTDQRQ", {"XDYWZL": "流动资金贷款"}, {"XDYWZL": "垫款"},
                scope="垫款除外", why="垫款 left out: Q&A (信贷合同表 合同到期日) agrees to the default for advances not yet due"),
    "1534": _nd("信贷业务种类 <> '垫款'", "DKDQRQ", {"XDYWZL": "消费贷款"}, {"XDYWZL": "垫款"},
                scope="垫款除外", why="垫款 left out: Q&A on 1546 has advances without a due date filed with the default"),
    "1546": _nd("信贷业务种类 <> '垫款'", "DKDQRQ", {"XDYWZL": "流动资金贷款"}, {"XDYWZL": "垫款"},
                scope="垫款除外", why="垫款 left out: Q&A on 1546 has advances without a due date filed with the default"),
    "1613": _nd("转让合同状态 = '终结'", "ZRHTDQRQ", {"ZRHTZT": "终结"}, {"ZRHTZT": "有效"},
                scope="依答疑仅检核转让合同状态为终结的记录", why="终结 contracts only: Q&A (信贷资产转让表) has 99991231 until delivery, the paid date once 终结"),
    "1624": _nd("卡片交易类型 <> '还款交易' AND 交易借贷标志 <> '贷'", "JYZDRQ",
                {"KPJYLX": "消费交易", "JYJDBZ": "借"}, {"KPJYLX": "还款交易", "JYJDBZ": "贷"},
                scope="还款交易和贷记交易除外", why="还款/贷记 transactions left out: Q&A on 1624/1625 has them filed with 99991231"),
    "1625": _nd("卡片交易类型 <> '还款交易' AND 交易借贷标志 <> '贷'", "ZCHKRQ",
                {"KPJYLX": "消费交易", "JYJDBZ": "借"}, {"KPJYLX": "还款交易", "JYJDBZ": "贷"},
                scope="还款交易和贷记交易除外", why="还款/贷记 transactions left out: Q&A on 1624/1625 has them filed with 99991231"),
    "1643": _nd("委托贷款类型 <> '现金管理项下委托贷款'", "HTDQRQ", {"WTDKLX": "非现金管理项下委托贷款"},
                {"WTDKLX": "现金管理项下委托贷款"},
                scope="现金管理项下委托贷款除外", why="现金管理项下委托贷款 left out: Q&A on 1643 allows 99991231 for them"),
}

NOT_WRITTEN: dict[str, str] = {
    # 为空
    "104": "Q&A on 104: 开户行号 is filed only when the basic account is at the reporting bank (其他情况不填报); no field "
           "says where the account is",
    "105": "Q&A on 104 (same answer for the basic account's bank): filed only when the account is at the reporting "
           "bank; no field says where the account is",
    "367": "非表外业务: 内部分户账明细记录 has no field that marks off-balance-sheet entries",
    "368": "非表外业务: 内部分户账明细记录 has no field that marks off-balance-sheet entries",
    "369": "非表外业务: 内部分户账明细记录 has no field that marks off-balance-sheet entries",
    "1119": "condition on 自营资金业务余额表.业务中类 joined by 金融工具编号: no rule kind takes a condition from a joined row",
    "1120": "condition on 自营资金业务余额表.业务中类 joined by 金融工具编号: no rule kind takes a condition from a joined row",
    "1121": "condition on 自营资金业务余额表.业务中类 joined by 金融工具编号: no rule kind takes a condition from a joined row",
    "1122": "condition on 自营资金业务余额表.业务中类 joined by 金融工具编号: no rule kind takes a condition from a joined row",
    # 默认值: Q&A answers have banks file the default in cases no field identifies
    "1471": "Q&A on 1471: 据实填报，允许负债总额填报为0 (new or single-purpose companies); no field marks them",
    "1509": "Q&A (个人信贷分户账 到期日期, 第1期1233号): 欠息 accounts and advances file 99991231; no field marks them",
    "1519": "Q&A on 1519: advances (垫款) and 欠息 accounts file 99991231; 对公信贷分户账 has no field that marks them",
    "1603": "Q&A on 1603: credit-card and open-ended lines may file 99991231; 授信种类 does not single them out",
    "1636": "Q&A on 1636: guarantees without a set expiry (敞口) file 99991231; no field marks them",
    "1652": "Q&A (金融工具信息表 发行日期): 同业往来 and equity holdings file the default; no field marks them",
    "1656": "Q&A (自营资金交易信息表 合同起始日期): deals without a cash transfer file the default; no field marks them",
    "1610": "Q&A on 1610: 0 is filed for transfers of written-off loans (合理业务场景下允许为0); no field marks them",
    "1615": "Q&A on 1615: 0 is filed for transfers of written-off loans and card ABS; no field marks them",
    "1658": "Q&A on 1658 (持有成本): '删除检核规则1658' — 0 is filed for gifts, matured deals and disposed holdings",
    "1673": "Q&A on 1673 (第一期, agreed): 发生金额 follows 理财中心, any number ≥ 0",
    "1674": "Q&A on 1674 (第一期, agreed): 折算人民币金额 follows 理财中心, any number ≥ 0",
    "1677": "Q&A on 1677 (第一期, agreed): 确认金额 may be 0 (收益再投资)",
    "1678": "Q&A on 1678 (第一期, agreed): 折算人民币金额 may be 0 (收益再投资)",
    "1679": "Q&A on 1679 (第一期, agreed): 手续费金额 is 0 where no fee is charged",
    # 特殊字符
    "1916": "Q&A on 1916 (受托支付对象户名): special characters kept as filed, 检核规则调整说明 '删除1916'",
}
# active register rules without a final number that the final version no longer requires: the final non-null
# numbering (spec required: N) leaves these fields optional, so an unconditional rule would reject valid files
NOT_IN_FINAL_NUMBERING = "no final number: the final non-null numbering (spec required: N) leaves the field optional"
IMPLEMENTED_AS = {"JHGZ0342": "262 (证件号码不允许为空, 个人存款分户账明细记录; JHGZ0342 is its 定期 twin)"}


def register_rows(register: Path = REGISTER) -> dict[str, list[dict]]:
    """Active rules of the three categories by official id, the merged 定期 tables' twins last."""
    rows = defaultdict(list)
    with open(register, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] in CATEGORIES and r["status"] == "active" and r["sheet"] == "检核规则":
                rows[r["final"] or r["jhgz"]].append(r)
    for rid in rows:
        rows[rid].sort(key=lambda r: r["table"] in SECONDARY_TABLES)
    return rows


def written_elsewhere(rules_dir: Path = RULES_DIR) -> set[str]:
    ids = set()
    for path in sorted(rules_dir.rglob("*.yaml")):
        if path in OUTPUTS.values():
            continue
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        ids |= {str(r["id"]) for r in doc.get("rules", []) if "id" in r}
    return ids


def _spec_tables(spec_dir: Path = SPEC_DIR) -> dict[str, dict]:
    out = {}
    for path in sorted((spec_dir / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        out[doc["table"]] = doc
    return out


def official_chars(text: str) -> tuple[str, bool, bool]:
    """(characters, whitespace forbidden too, leading/trailing whitespace forbidden) of a 特殊字符 text."""
    m = re.search(r"包括(.+?)(，首尾不包含空白字符)?。?$", text.strip())
    if not m:
        raise ValueError(f"no character list in {text!r}")
    listed = re.sub(r"\.{2,}$", ".", m.group(1))
    return "".join(dict.fromkeys(listed)), "空白字符或特殊字符" in text, bool(m.group(2))


def _text(row: dict) -> str:
    return (row["final_text"] or row["text"]).strip()


def _note(rows: list[dict]) -> str:
    row = rows[0]
    note = f"official {' / '.join(r['jhgz'] for r in rows)}: {_text(row)}（是否强校验 {row['final_strong']}）"
    return note + (f"; history {row['history']}" if row["history"] else "")


def _base(rid: str, row: dict, kind: str, category: str) -> dict:
    rule = {"id": int(rid) if rid.isdigit() else rid, "table": row["final_table"], "kind": kind, "field": row["final_field"], "category": category}
    if row["final_strong"] == "否":
        rule["severity"] = "weak"
    return rule


def special_rule(rid: str, rows: list[dict]) -> dict:
    row = rows[0]
    f = row["final_field"]
    chars, blank, ends = official_chars(_text(row))
    if blank:
        chars += WHITESPACE
    sample = next(c for c in "#@$%~" if c in chars)
    fails = [{f: f"名称{sample}"}] + ([{f: "名 称"}] if blank else [])
    if ends:
        from engine.rules.forbidden_chars import char_class
        inner = char_class(chars)[1:-1]
        rule = _base(rid, row, "regex", "特殊字符")
        rule["pattern"] = f"[^{inner}\\s\\x{{3000}}]([^{inner}]*[^{inner}\\s\\x{{3000}}])?"
        rule["message"] = {"zh": f"{_table_name(row)}.{row['field']}{_text(row)[len(row['field']):]}",
                           "en": f"{row['final_table']}.{f} must not hold the listed characters nor start or end with blanks"}
        fails += [{f: " 名称"}, {f: "名称 "}]
    else:
        rule = _base(rid, row, "forbidden_chars", "特殊字符")
        rule["chars"] = chars
        rule["message"] = _message(row)  # the official wording (the set's blanks would not show)
    rule["note"] = _note(rows)
    rule["examples"] = {"fail": fails, "pass": [{f: "名称A1"}]}
    return rule


_TABLES: dict[str, dict] = {}


def _table_name(row: dict) -> str:
    if not _TABLES:
        _TABLES.update(_spec_tables())
    return _TABLES[row["final_table"]]["name"]


def _field_format(row: dict) -> str:
    if not _TABLES:
        _TABLES.update(_spec_tables())
    return next(str(f.get("format", "")) for f in _TABLES[row["final_table"]]["fields"] if f["code"] == row["final_field"])


UNCONDITIONAL_DEFAULT = re.compile(r"^[“”\w（）]+?(?:字)?(?:不允许为?|不能为?|不允为|不应为)(?:数值)?(99991231|999912|0)。?$")


def default_rule(rid: str, rows: list[dict]) -> dict | None:
    row, text = rows[0], _text(rows[0])
    f = row["final_field"]
    cond = CONDITIONAL_DEFAULTS.get(rid)
    if cond is None:
        m = UNCONDITIONAL_DEFAULT.match(text)
        if not m:
            return None
        fmt = _field_format(row)
        numeric = fmt[:1] in ("D", "I")
        if numeric != (m.group(1) == "0"):
            raise ValueError(f"{rid}: '{text}' does not fit the field's format {fmt}")
        rule = _base(rid, row, "not_default", "默认值")
        bad, good = ("0", "100.00") if numeric else (m.group(1), "20240101" if m.group(1) == "99991231" else "202401")
        rule["note"] = _note(rows)
        rule["examples"] = {"fail": [{f: bad}], "pass": [{f: good}]}
        return rule
    rule = _base(rid, row, cond.kind, "默认值")
    rule.update(cond.params)
    rule["when"] = cond.when
    rule["message"] = _message(row, cond.scope_zh)
    rule["note"] = _note(rows) + (f"; {cond.why}" if cond.why else "")
    rule["examples"] = {"fail": cond.fail, "pass": cond.ok}
    return rule


def _message(row: dict, scope_zh: str = "") -> dict:
    return {"zh": f"{_table_name(row)}：{_text(row).rstrip('。')}" + (f"（{scope_zh}）" if scope_zh else ""),
            "en": f"{row['final_table']}.{row['final_field']}: official rule {row['final'] or row['jhgz']}"}


def nonnull_rule(rid: str, rows: list[dict]) -> dict | None:
    cond = CONDITIONAL_NONNULL.get(rid)
    if cond is None:
        return None
    row = rows[0]
    rule = _base(rid, row, cond.kind, "为空")
    if cond.kind == "expression":
        del rule["field"]
        rule["expr"] = cond.when.replace("{self}", _field_name(row))
    else:
        rule["when"] = cond.when
    rule["message"] = _message(row, cond.scope_zh)
    rule["note"] = _note(rows) + (f"; {cond.why}" if cond.why else "")
    for change in cond.changes:
        version = change["version"]
        before = rows[0]["text"].strip()
        rule["when"] = change["from_when"]
        rule["message"] = {"zh": f"{_table_name(row)}：{before.rstrip('。')}", "en": rule["message"]["en"]}
        rule["changes"] = [{"version": version, "set": {"when": cond.when, "message": _message(row)},
                            "reason": f"{BATCH_NAMES[version]}：修改（表3 检核规则调整表）"}]
    rule["examples"] = {"fail": cond.fail, "pass": cond.ok}
    return rule


def _field_name(row: dict) -> str:
    if not _TABLES:
        _TABLES.update(_spec_tables())
    return next(f["name"] for f in _TABLES[row["final_table"]]["fields"] if f["code"] == row["final_field"])


BUILDERS = {"默认值": default_rule, "特殊字符": special_rule, "为空": nonnull_rule}


def plan(register: Path = REGISTER, rules_dir: Path = RULES_DIR):
    """(rules per category, unexpressed entries, official ids already implemented elsewhere per category)."""
    written = written_elsewhere(rules_dir)
    required = {str(f["required"]) for t in _spec_tables().values() for f in t["fields"]
                if isinstance(f.get("required"), int) and not isinstance(f.get("required"), bool)}
    rules: dict[str, list[dict]] = {c: [] for c in OUTPUTS}
    unexpressed, elsewhere = [], defaultdict(list)
    for rid, rows in sorted(register_rows(register).items(), key=lambda kv: _order(kv[0])):
        category = CATEGORIES[rows[0]["category"]]
        if rid in written or (category == "为空" and rid in required):
            elsewhere[category].append(rid)
            continue
        if rid in IMPLEMENTED_AS:  # listed so that the coverage report says which rule makes the check
            unexpressed.append({"official": rid, "category": category,
                                "why": f"no rule of its own: the same check as derived rule {IMPLEMENTED_AS[rid]}"})
            continue
        if rid in NOT_WRITTEN:
            unexpressed.append({"official": rid, "category": category, "why": NOT_WRITTEN[rid]})
            continue
        rule = BUILDERS[category](rid, rows)
        if rule is None:
            why = NOT_IN_FINAL_NUMBERING if rid.startswith("JHGZ") and category == "为空" else None
            if why is None:
                raise ValueError(f"{rid} ({category}): no rule for '{_text(rows[0])}' — add it to the tool")
            unexpressed.append({"official": rid, "category": category, "why": why})
            continue
        _check_fields(rule)
        rules[category].append(rule)
    return rules, unexpressed, elsewhere


def _check_fields(rule: dict) -> None:
    """A rule or fixture naming a field its table does not have is a mistake in this tool's tables."""
    if not _TABLES:
        _TABLES.update(_spec_tables())
    codes = {f["code"] for f in _TABLES[rule["table"]]["fields"]}
    named = {rule.get("field", next(iter(codes)))} | {k for rows in rule["examples"].values() for row in rows for k in row}
    if named - codes:
        raise ValueError(f"{rule['id']} ({rule['table']}): unknown field(s) {sorted(named - codes)}")


def _order(rid: str) -> tuple[int, int]:
    return (1, int(rid[4:])) if rid.startswith("JHGZ") else (0, int(rid))


HEADER = """\
# Official {category} rules of the east5 pack (specs/east5/official/rules.csv, active rules not written elsewhere).
# Generated by specs/east5/tools/official_missing.py from the official rule register — do not edit; re-run the
# tool. Ids: the final rule number, else the workbook's JHGZ number. Rules not written are listed, with the
# reason, in specs/east5/unexpressed/missing_defaults_chars.yaml.
"""


def _dump(value) -> str:
    """One-line YAML of a value (flow style; a scalar without the document-end marker)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=100000, sort_keys=False).strip()
    return text[:-len("\n...")].rstrip() if text.endswith("\n...") else text


def render(category: str, rules: list[dict]) -> str:
    lines = [HEADER.format(category=category).rstrip("\n"), "rules:"]
    for r in rules:
        first = True
        for key, value in r.items():
            prefix = "  - " if first else "    "
            first = False
            if key == "examples":
                lines.append(f"{prefix}examples:")
                lines.append(f"      fail: {_dump(value['fail'])}")
                lines.append(f"      pass: {_dump(value['pass'])}")
            elif key == "changes":
                lines.append(f"{prefix}changes:")
                lines += [f"      - {_dump(c)}" for c in value]
            else:
                lines.append(f"{prefix}{key}: {_dump(value)}")
    return "\n".join(lines) + "\n"


def render_unexpressed(entries: list[dict]) -> str:
    head = ("# Active official 默认值 / 特殊字符 / 为空 rules (specs/east5/official/rules.csv) that the east5 pack does not\n"
            "# implement, with the reason. Generated by specs/east5/tools/official_missing.py — do not edit.\n")
    return head + yaml.safe_dump([{"official": e["official"], "why": f"{e['category']}: {e['why']}"} for e in entries],
                                 allow_unicode=True, sort_keys=False, width=100000)


def outputs() -> dict[Path, str]:
    rules, unexpressed, _ = plan()
    files = {OUTPUTS[c]: render(c, rs) for c, rs in rules.items()}
    files[UNEXPRESSED] = render_unexpressed(unexpressed)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is not current")
    args = ap.parse_args(argv)
    rules, unexpressed, elsewhere = plan()
    for category, rs in rules.items():
        print(f"{category}: {len(rs)} written, {len(elsewhere[category])} implemented elsewhere, "
              f"{sum(1 for e in unexpressed if e['category'] == category)} not written", file=sys.stderr)
    files = outputs()
    return write_or_check(files, args.check, __file__)


if __name__ == "__main__":
    sys.exit(main())
