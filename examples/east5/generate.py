"""Generate the example EAST 5.0 submission with planted defects and its expected findings.

    python examples/east5/generate.py            # rewrite the shipped example batch
    python examples/east5/generate.py --loans N --out DIR   # a clean batch of N personal loans (timing)

Clean records are built to satisfy every rule of rulesets/east5_core; then each defect changes
a few fields (FIELD_DEFECTS; the plant_* functions for those that copy records or write broken
lines) and names the rule ids it must trigger. ``expected_findings.json`` lists every (rule,
table, file, line) the engine must report — written from the planted defects, never from an
engine run.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.spec import load_catalog  # noqa: E402
from examples.common import finding, fresh_folder, money, write_json  # noqa: E402

LICENCE = "B0001H111000001"
CJRQ = "20240630"
PREVIOUS_CJRQ = "20240531"  # the previous collection date, for the scope checks (--previous-date)
BATCH = f"{LICENCE}-{CJRQ}"
HERE = Path(__file__).resolve().parent
SEP = "\x01"

BRANCH = {"JRXKZH": "B0001B211000001", "NBJGH": "0101", "YHJGMC": "示例银行北京分行"}
NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
COMPANIES = ["北京华信科技有限公司", "上海东方制造有限公司", "广州南方贸易有限公司", "深圳前海物流有限公司",
             "天津滨海化工有限公司", "重庆山城建设有限公司", "杭州西湖软件有限公司", "南京金陵医药有限公司",
             "武汉江城电子有限公司", "成都天府食品有限公司"]
LOAN_KINDS = ["住房按揭贷款", "消费贷款", "个人经营性贷款", "汽车贷款"]


def sm3_like(text: str) -> str:
    """A 64-hex stand-in for the SM3 masking of the interface spec (deterministic)."""
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- clean records

def institutions() -> list[dict]:
    units = [("0001", LICENCE, "示例银行股份有限公司", "管理机构", "110000"),
             ("0101", "B0001B211000001", "示例银行北京分行", "营业机构", "110105"),
             ("0102", "B0001B211000002", "示例银行北京海淀支行", "营业机构", "110108"),
             ("0103", "B0001B211000003", "示例银行北京朝阳支行", "营业机构", "110105"),
             ("0104", "B0001B211000004", "示例银行北京西城支行", "营业机构", "110102")]
    return [{"YHJGDM": f"313100000{i:03d}", "NBJGH": nbjgh, "JRXKZH": licence, "YYZZH": f"91110000MA01ABCD{i:02d}",
             "YHJGMC": name, "JGLB": kind, "XZQHDM": region, "YYZT": "营业", "CLRQ": "19980101",
             "JGDZ": "北京市西城区金融大街1号", "JGLXDH": "010-66668888", "FZRXM": "王强", "FZRZW": "行长",
             "FZRLXDH": "010-66668800", "BBZ": "", "CJRQ": CJRQ}
            for i, (nbjgh, licence, name, kind, region) in enumerate(units)]


def person(i: int) -> dict:
    with_credit = i < 20
    return {**BRANCH, "KHTYBH": f"P{i + 1:04d}", "KHXM": NAMES[i % len(NAMES)], "ZJLB": "居民身份证",
            "ZJHM": "110101" + sm3_like(f"id-{i}"), "BXYGBZ": "普通个人客户" if i % 3 else "个体工商户;小微企业主",
            "GJ": "CHN", "MZ": "汉族", "XB": "男" if i % 2 else "女", "XL": "本科", "CSNY": f"19{70 + i % 20}0{1 + i % 9}",
            "SFYH": "是", "GZDWMC": "北京华信科技有限公司", "GZDWDZ": "北京市海淀区中关村大街1号", "GZDWDH": "010-62345678",
            "DWXZ": "民营企业", "ZY": "工程师", "ZW": "职员", "GRNSR": "120000.00", "TXDZ": "北京市朝阳区建国路88号",
            "LXDH": sm3_like(f"phone-{i}"), "XDKHBZ": "是" if with_credit else "否",
            "SCJLXDGXNY": "201801" if with_credit else "999912", "SFNH": "否", "BHYGBZ": "否", "SHMDBZ": "否",
            "SHMDRQ": "99991231", "BBZ": "", "CJRQ": CJRQ}


def company(i: int) -> dict:
    return {**BRANCH, "KHTYBH": f"C{i + 1:04d}", "KHMC": COMPANIES[i], "KHLX": "单一法人客户", "ZJLB": "统一社会信用代码",
            "ZJHM": f"91110000{i:010d}", "FRDB": "赵刚", "FRDBZJLB": "居民身份证", "FRDBZJHM": "110101" + sm3_like(f"fr-{i}"),
            "CWFZR": "钱丽", "CWFZRZJLB": "居民身份证", "CWFZRZJHM": "110101" + sm3_like(f"cw-{i}"),
            "JBCKZH": f"11001000{i:08d}", "JBCKZHKHHH": "313100000001", "JBCKZHKHHMC": "示例银行北京分行",
            "ZCZB": "10000000.00", "ZCZBBZ": "CNY", "SSZB": "8000000.00", "SSZBBZ": "CNY",
            "ZCDZ": "北京市海淀区中关村大街1号", "LXDH": "010-62345678", "JYFW": "技术开发、技术服务", "CLRQ": "20100315",
            "SSHY": "C3911", "QYFL": "中型企业", "XDKHBZ": "是", "SCJLXDGXNY": "201501", "SSGSBZ": "否", "XYPJ": "AA",
            "YGRS": "350", "XZQHDM": "110108", "FXYJXH": "", "GZSJDM": "", "BBZ": "", "CJRQ": CJRQ}


def loan(i: int, customer: dict, personal: bool = True) -> dict:
    amount = 100000.0 * (1 + i % 5)
    prefix = "" if personal else "D"
    row = {**BRANCH, "MXKMBH": "13010101" if personal else "13020101", "MXKMMC": "个人贷款本金" if personal else "对公贷款本金",
           "KHTYBH": customer["KHTYBH"], "KHMC": customer["KHXM"] if personal else customer["KHMC"],
           **({"ZJLB": customer["ZJLB"], "ZJHM": customer["ZJHM"]} if personal else {}),
           "XDHTH": f"HT{prefix}{i + 1:06d}", "XDJJH": f"JJ{prefix}{i + 1:06d}", "DKFHZH": f"FH{prefix}{i + 1:06d}",
           "XDYWZL": LOAN_KINDS[i % 4] if personal else "流动资金贷款", "DKFFLX": "新增", "FKFS": "受托支付", "BZ": "CNY",
           "DKJE": money(amount), "DKYE": money(amount * 0.9), "DKWJFL": "正常", "ZQS": "240", "DQQS": "12", "ZQCS": "0",
           "DKFFRQ": "20230115", "DKDQRQ": "20430115", "ZJRQ": "99991231", "QBJE": "0", "QBRQ": "99991231",
           "BNQXYE": "0", "BWQXYE": "0", "QXRQ": "99991231", "LXQKQS": "0", "LJQKQS": "0", "SBXDJJH": "",
           "DKRZZH": f"6222020200{i:09d}", "DKRZHM": customer["KHXM"] if personal else customer["KHMC"],
           "RZZHSSHMC": "示例银行北京分行", "LLLX": "LPR", "SJLL": "4.2", "HKFS": "按月", "HKZH": f"6222020200{i:09d}",
           "HKZHSSHMC": "示例银行北京分行", "JXFS": "按月结息", "XQHKRQ": "20240715", "XQYHBJ": "1500.00",
           "XQYHLX": "1600.00", "JJDKYT": "购买自住住房" if personal else "补充流动资金", "DKTXDQ": "110105",
           "DKTXHY": "2.3制造业", "SFHLWDK": "否", "SFLSDK": "否", "SFSNDK": "否", "SFPHXSNDK": "否", "SFPHXXWQYDK": "否",
           "SFKJDK": "否", "XDYGH": "E0001", "DKZT": "正常", "BBZ": "", "CJRQ": CJRQ}
    return row


def contract(ln: dict) -> dict:
    return {"JRXKZH": ln["JRXKZH"], "NBJGH": ln["NBJGH"], "KHTYBH": ln["KHTYBH"], "KHMC": ln["KHMC"],
            "XDHTH": ln["XDHTH"], "ZHTH": ln["XDHTH"], "HTMC": "借款合同", "XDYWZL": ln["XDYWZL"], "BZ": "CNY",
            "HTJE": ln["DKJE"], "HTQSRQ": ln["DKFFRQ"], "HTDQRQ": ln["DKDQRQ"], "DBLX": "抵押", "HTDKYT": ln["JJDKYT"],
            "KHJLGH": "E0001", "HTZT": "有效", "BBZ": "", "CJRQ": CJRQ}


def ledger(ln: dict) -> dict:
    return {**BRANCH, "MXKMBH": ln["MXKMBH"], "MXKMMC": ln["MXKMMC"], "KHTYBH": ln["KHTYBH"], "ZHMC": ln["KHMC"],
            "DKFHZH": ln["DKFHZH"], "XDHTH": ln["XDHTH"], "XDJJH": ln["XDJJH"], "DKLL": "4.2", "BZ": "CNY",
            "DKJE": ln["DKJE"], "DKYE": ln["DKYE"], "FFRQ": ln["DKFFRQ"], "DQRQ": ln["DKDQRQ"], "KHRQ": ln["DKFFRQ"],
            "XHRQ": "99991231", "DKZT": ln["DKZT"], "ZHZT": "正常", "BBZ": "", "CJRQ": CJRQ}


def guarantee(k: int, ct: dict) -> dict:
    return {"JRXKZH": LICENCE, "NBJGH": "0101", "BDBHTH": ct["XDHTH"], "BDBYWLX": "表内信贷", "DBHTH": f"DB{k + 1:06d}",
            "DBHTLX": "一般担保合同", "DBLX": "保证" if k % 2 else "抵押", "DBBZ": "CNY", "DBJE": ct["HTJE"],
            "DBQSRQ": ct["HTQSRQ"], "DBDQRQ": ct["HTDQRQ"], "JBRGH": "E0001", "DBHTZT": "有效", "BBZ": "", "CJRQ": CJRQ}


def guarantor(g: dict, k: int) -> dict:
    return {"JRXKZH": LICENCE, "NBJGH": "0101", "DBHTH": g["DBHTH"], "BZRLB": "个人", "BZRMC": NAMES[(k + 5) % len(NAMES)],
            "DBRZJLB": "居民身份证", "DBRZJHM": "110101" + sm3_like(f"guarantor-{k}"), "DBRJZCBZ": "CNY",
            "DBRJZC": "800000.00", "DBHTZT": "有效", "BBZ": "", "CJRQ": CJRQ}


def collateral(g: dict, k: int) -> dict:
    return {"JRXKZH": LICENCE, "NBJGH": "0101", "DBHTH": g["DBHTH"], "YPBH": f"YP{k + 1:06d}", "YPLX": "1.7.1居住用房地产",
            "YPMC": "北京市朝阳区住宅", "DZYWZT": "正常", "BZ": "CNY", "PGJZ": "1000000.00", "YXRDJZ": "1050000.00",
            "YDYJZ": "500000.00", "DZYL": "50.00", "CZQSW": "第一顺位", "YPSYRMC": NAMES[k % len(NAMES)],
            "YPSYRZJLB": "居民身份证", "YPSYRZJHM": "110101" + sm3_like(f"owner-{k}"), "ZYPZHM": "", "ZYPZQFJG": "",
            "QZDJHM": f"京(2023)朝阳区不动产权第{k + 1:07d}号", "QZDJMJ": "89.5", "DBHTZT": "有效", "BBZ": "", "CJRQ": CJRQ}


def write_off(ln: dict, personal: bool = True) -> dict:
    return {"JRXKZH": LICENCE, "NBJGH": "0101", "KHTYBH": ln["KHTYBH"], "KHMC": ln["KHMC"],
            "ZCLX": "个人贷款" if personal else "对公贷款", "HTH": ln["XDHTH"], "JJH": ln["XDJJH"], "BZ": "CNY",
            "HXBJ": "10000.00", "SHBNLX": "100.00", "SHBWLX": "0", "HXRQ": "20231231", "SHBJ": "0", "SHLX": "0",
            "SHRQ": "99991231", "SHBZ": "未收回", "SHYGH": "", "HXZT": "账销案存", "BBZ": "", "CJRQ": CJRQ}


# ---------------------------------------------------------------- the batch and its defects

class Defect(NamedTuple):
    """Changed fields of one record and the rule that must fire on its line (None: a valid value that passes)."""

    table: str
    line: int
    rule: str | None
    changes: dict[str, str]
    value: str | None = None


# Defects that only change fields of one record: table → (line, rule, changes[, value]). A second rule
# that the same change triggers follows with no changes of its own. Defects that copy records or write
# broken lines are planted by the plant_* functions below.
FIELD_DEFECTS: dict[str, list[tuple]] = {
    "JGXXB": [
        (2, "JHGZ2335", {"JRXKZH": "B0001B21100001"}),
        (3, "1888", {"FZRXM": "李@明"}),
        (4, "JGXXB.YYZT.codelist", {"YYZT": "歇业"}),
    ],
    "GRJCXXB": [
        (2, "JHGZ2350", {"KHXM": "欧阳小明"}, "***明"),
        (3, "2009", {"ZJHM": "110101199001011234"}, "110*************34"),
        (4, "JHGZ1718", {"SCJLXDGXNY": "999912"}),
        (5, "GRJCXXB.CSNY.format", {"CSNY": "198513"}),
        (6, "GRJCXXB.XB.codelist", {"XB": "中"}),
        (7, "GRJCXXB.BXYGBZ.codelist", {"BXYGBZ": "普通个人客户;其他-"}),
        (8, None, {"BXYGBZ": "个体工商户;其他-网约车司机"}),  # a valid multi-value with a bank-defined item
        (9, "GRJCXXB.LXDH.sm3", {"LXDH": "13800138000"}, "138******00"),
        (14, "GRJCXXB.SHMDRQ.format", {"SHMDRQ": "20240230"}),
        (15, "74", {"GJ": ""}),
        (16, "GRJCXXB.NBJGH.reference", {"NBJGH": "0999"}),
    ],
    "DGKHXXB": [
        (2, "2038", {"ZCZBBZ": "RMB1"}),
        (2, "DGKHXXB.ZCZBBZ.format", {}),
        (3, "2349", {"SSHY": "制造业"}),
        (4, "3094", {"CLRQ": "20250101"}),
        (5, "DGKHXXB.YGRS.format", {"YGRS": "0350"}),
    ],
    "XDHTB": [
        (2, "XDHTB.HTDQRQ.after_start", {"HTDQRQ": "20200101"}),
        (3, "XDHTB.HTJE.range", {"HTJE": "-1.00"}),
        (4, "XDHTB.HTZT.codelist", {"HTZT": "失效"}),
        (6, "489", {"KHJLGH": ""}),  # the gap of line 5 without its excusing remark is a failure
    ],
    "GRXDYWJJB": [
        (2, "524", {"DKFFLX": "借新还旧", "SBXDJJH": ""}),
        (3, "JHGZ1805", {"DKZT": "结清", "DKYE": "100.00", "ZJRQ": "20240301"}),
        (3, "GRXDYWJJB.scope.terminal", {}),  # ended before the previous 采集日期 (20240531)
        (4, "JHGZ1809", {"DKZT": "结清", "DKYE": "0", "ZJRQ": "99991231"}),
        (5, "JHGZ1813", {"BNQXYE": "12.50", "QXRQ": "99991231", "LXQKQS": "1", "LJQKQS": "1"}),
        (6, "JHGZ1814", {"QBJE": "300.00", "QBRQ": "20240601", "LJQKQS": "0"}),
        (7, "JHGZ3696", {"DKJE": "1000.00", "DKYE": "2000.00"}),
        (8, "JHGZ3697", {"DKYE": "-5.00"}),
        (9, "JHGZ3699", {"DKDQRQ": "20220101"}),
        (10, "JHGZ3726", {"LXQKQS": "3", "LJQKQS": "2"}),
        (11, "JHGZ3727", {"SJLL": "-0.5"}),
        (12, "3158", {"QBRQ": "20250101"}),
        (13, "3162", {"XQHKRQ": "20240601"}),
        (14, "GRXDYWJJB.DKJE.format", {"DKJE": "12,000.00"}),
        (15, "GRXDYWJJB.DKJE.format", {"DKJE": "+5000.00", "DKYE": "4500.00"}),
        (16, "GRXDYWJJB.DKJE.format", {"DKJE": "005000.00", "DKYE": "4500.00"}),
        (17, "GRXDYWJJB.ZQS.format", {"ZQS": "12345"}),
        (18, "GRXDYWJJB.DKFFRQ.format", {"DKFFRQ": "20230231"}),
        (19, "GRXDYWJJB.XDYWZL.codelist", {"XDYWZL": "网贷"}),
        (20, "GRXDYWJJB.FKFS.codelist", {"FKFS": "其他-"}),
        (21, None, {"FKFS": "其他-第三方平台"}),  # a valid bank-defined value
        (22, "GRXDYWJJB.KHTYBH.reference", {"KHTYBH": "P9999"}),
        (23, "GRXDYWJJB.XDHTH.reference", {"XDHTH": "HT_MISSING"}),
        (26, "GRXDYWJJB.DKYE.ledger_tieout", {"DKYE": "999.00"}),  # its ledger keeps the clean balance
        (27, "492", {"JRXKZH": ""}),
        (28, "GRXDYWJJB.DKRZZH.format", {"DKRZZH": "6222" + "0" * 57}, "622" + "*" * 56 + "00"),
        (29, "FILE.CONTROL_CHARS", {"BBZ": "备注\x02x"}, "BBZ"),
        (30, "FILE.CJRQ_MISMATCH", {"CJRQ": "20240531"}, "20240531"),
    ],
    "DGXDYWJJB": [
        (2, "587", {"JXFS": ""}),
        (3, "578", {"DKFFLX": "借新还旧", "SBXDJJH": ""}),
        (4, "DGXDYWJJB.DKDQRQ.after_start", {"DKDQRQ": "20220101"}),
        (5, "DGXDYWJJB.KHMC.reference", {"KHMC": "不存在的公司"}),
    ],
    "ZCHXB": [
        (3, "1605", {"HXBJ": "0", "SHBNLX": "0", "SHBWLX": "0"}),
        (4, "1607", {"SHBZ": "部分收回", "SHBJ": "0", "SHLX": "0", "SHRQ": "20240301"}),
        (5, "JHGZ3777", {"SHBZ": "部分收回", "SHBJ": "500.00", "SHRQ": "20230101"}),
        (6, "JHGZ3387", {"JJH": "JJ_GONE"}),
        (7, "ZCHXB.HXZT.codelist", {"HXZT": "部分终结"}),
        (8, None, {"ZCLX": "信用卡贷款", "JJH": "CARD0001"}),  # no IOU table applies to card loans: passes
    ],
    # cross-table defects along the guarantee chain
    "BNWYWDBHTB": [(5, "JHGZ3363", {"BDBHTH": "HT_NOT_THERE"})],  # the guaranteed contract is not in 信贷合同表
    "BNWYWDBR": [(2, "2881", {"DBHTH": "DB_GONE"})],  # a guarantor of a guarantee contract nobody reported
    "BNWYWDZYW": [(3, "3205", {"DZYL": "150.00"})],  # 抵质押率 is a percentage
}


def field_defects() -> list[Defect]:
    return [Defect(table, *item) for table, items in FIELD_DEFECTS.items() for item in items]


@dataclass
class Batch:
    rows: dict[str, list[dict]] = field(default_factory=dict)
    raw: dict[tuple[str, int], bytes] = field(default_factory=dict)  # (table, line) -> bytes replacing the record
    extra_lines: dict[str, list[bytes]] = field(default_factory=dict)  # broken lines appended to a file
    expected: list[dict] = field(default_factory=list)

    def expect(self, rule: str, table: str, line: int | None, value: str | None = None, file_table: str | None = None,
               excused: bool = False) -> None:
        file = file_name(file_table or table) if table != "*" else file_table
        self.expected.append(finding(rule, table, file, line, value=value, excused=excused or None))

    def plant(self, defect: Defect) -> None:
        """Change the record on the defect's line (EAST files have no header: record n is line n)."""
        self.rows[defect.table][defect.line - 1].update(defect.changes)
        if defect.rule:
            self.expect(defect.rule, defect.table, defect.line, value=defect.value)


def file_name(table: str) -> str:
    return f"{LICENCE}-{table}-{CJRQ}.txt"


def build_batch() -> Batch:
    b = Batch()
    people = [person(i) for i in range(24)]
    companies = [company(i) for i in range(10)]
    borrowers = [people[0]] + people[16:20]
    loans = [loan(i, borrowers[i % len(borrowers)]) for i in range(36)]
    corp_borrowers = [companies[0]] + companies[6:10]
    corp_loans = [loan(i, corp_borrowers[i % len(corp_borrowers)], personal=False) for i in range(8)]
    contracts = [contract(ln) for ln in loans + corp_loans]
    ledgers = {ln["XDJJH"]: ledger(ln) for ln in loans}
    offs = [write_off(loans[i]) for i in range(8)] + [write_off(corp_loans[0], personal=False)]
    guarantees = [guarantee(k, contracts[k]) for k in range(6)]
    b.rows = {"JGXXB": institutions(), "GRJCXXB": people, "DGKHXXB": companies, "XDHTB": contracts,
              "GRXDYWJJB": loans, "DGXDYWJJB": corp_loans, "ZCHXB": offs, "BNWYWDBHTB": guarantees,
              "BNWYWDBR": [guarantor(g, k) for k, g in enumerate(guarantees) if g["DBLX"] == "保证"],
              "BNWYWDZYW": [collateral(g, k) for k, g in enumerate(guarantees) if g["DBLX"] == "抵押"]}
    for defect in field_defects():
        b.plant(defect)
    plant_institutions(b)
    plant_people(b)
    plant_companies(b)
    plant_contracts(b)
    plant_loans(b, loans, ledgers)
    b.expect("DGXDYWJJB.LLLX.distribution", "DGXDYWJJB", None)  # every corporate loan is LPR
    # ledgers are listed after loan defects so they follow balance changes; loan 24 duplicates loan 23
    b.rows["GRXDFHZ"] = [ledgers[ln["XDJJH"]] for k, ln in enumerate(loans) if k != 24]
    plant_ledgers(b, loans)
    b.extra_lines["XYZB"] = [SEP.join(["a", "b"]).encode()]
    b.expect("FILE.UNKNOWN_TABLE", "*", None, file_table=file_name("XYZB"))
    return b


def plant_institutions(b: Batch) -> None:
    rows, t = b.rows["JGXXB"], "JGXXB"
    rows[4]["YHJGMC"] = rows[2]["YHJGMC"]  # two institutions of one name
    b.expect("1981", t, 3)
    b.expect("1981", t, 5)


def plant_people(b: Batch) -> None:
    rows, t = b.rows["GRJCXXB"], "GRJCXXB"
    rows[10] = dict(rows[9])
    b.expect("GRJCXXB.key.unique", t, 10)
    b.expect("GRJCXXB.key.unique", t, 11)
    rows[12] = {**rows[11], "ZJHM": "110101" + sm3_like("other-id")}
    for line in (12, 13):
        b.expect("GRJCXXB.key.unique", t, line)
        b.expect("JHGZ2310", t, line)


def plant_companies(b: Batch) -> None:
    t = "DGKHXXB"
    b.raw[(t, 6)] = record(t, b.rows[t][5]).replace(COMPANIES[5].encode(), COMPANIES[5].encode("gbk"))
    b.expect("FILE.ENCODING", t, 6)


def plant_contracts(b: Batch) -> None:
    t = "XDHTB"
    b.rows[t][4].update(KHJLGH="", BBZ="线上化业务")  # excused by its 备注: reported apart, not a failure
    b.expect("489", t, 5, excused=True)
    b.expect("FILE.BOM", t, 1)  # written with a BOM, see write_batch


def plant_loans(b: Batch, loans: list[dict], ledgers: dict[str, dict]) -> None:
    t = "GRXDYWJJB"
    loans[24] = dict(loans[23])
    b.expect("GRXDYWJJB.key.unique", t, 24)
    b.expect("GRXDYWJJB.key.unique", t, 25)
    for k in (2, 3, 6, 7, 14, 15):  # the ledgers follow the loans' balances and states
        ledgers[loans[k]["XDJJH"]].update(DKYE=loans[k]["DKYE"], DKZT=loans[k]["DKZT"])
    ledgers[loans[6]["XDJJH"]]["DKJE"] = "2000.00"
    b.extra_lines[t] = [SEP.join(["x"] * 57).encode()]
    b.expect("FILE.FIELD_COUNT", t, len(loans) + 1, value="57 fields, expected 58")


def plant_ledgers(b: Batch, loans: list[dict]) -> None:
    rows, t = b.rows["GRXDFHZ"], "GRXDFHZ"
    line_of = {row["XDJJH"]: n for n, row in enumerate(rows, start=1)}

    def change(k: int, rule: str, value: str | None = None, **fields: str) -> int:
        line = line_of[loans[k]["XDJJH"]]
        rows[line - 1].update(fields)
        b.expect(rule, t, line, value=value)
        return line

    change(30, "1911", value="**》", ZHMC="伟《》")
    change(31, "JHGZ1795", ZHZT="销户", XHRQ="99991231")
    change(32, "JHGZ3695", DKLL="35")
    change(33, "JHGZ3720", DKJE="100.00")
    crlf_line = line_of[loans[34]["XDJJH"]]
    b.raw[(t, crlf_line)] = record(t, rows[crlf_line - 1]) + b"\r"
    b.expect("FILE.CRLF", t, crlf_line)


# ---------------------------------------------------------------- writing files

_FIELDS: dict[str, list[str]] = {}


def fields_of(table: str) -> list[str]:
    if not _FIELDS:
        catalog = load_catalog(ROOT / "specs" / "east5")
        _FIELDS.update({code: spec.field_codes for code, spec in catalog.tables.items()})
    return _FIELDS[table]


def record(table: str, row: dict) -> bytes:
    return SEP.join(row[f] for f in fields_of(table)).encode("utf-8")


def write_batch(b: Batch, out: Path) -> None:
    fresh_folder(out, "*.txt")
    for table, rows in b.rows.items():
        lines = [b.raw.get((table, n), record(table, row)) for n, row in enumerate(rows, start=1)]
        lines += b.extra_lines.get(table, [])
        data = b"\n".join(lines) + b"\n"
        if table == "XDHTB":
            data = b"\xef\xbb\xbf" + data
        (out / file_name(table)).write_bytes(data)
    (out / file_name("XYZB")).write_bytes(b"\n".join(b.extra_lines["XYZB"]) + b"\n")


def write_expected(b: Batch, path: Path) -> None:
    items = sorted(b.expected, key=lambda e: (e["table"], e["rule"], e["file"] or "", e["line"] or 0))
    write_json(path, {"batch": BATCH, "pack": "east5-core", "previous_date": PREVIOUS_CJRQ, "findings": items})


def write_scaled_batch(n: int, out: Path) -> Path:
    """A large, clean batch for timing: N 个人信贷业务借据表 rows with their contracts and ledgers,
    plus the institutions and customers they reference (every cross-table rule has its data)."""
    fresh_folder(out, "*.txt")
    people = [person(i) for i in range(24)]
    borrowers = [people[0]] + people[16:20]
    for table, rows in (("JGXXB", institutions()), ("GRJCXXB", people)):
        (out / file_name(table)).write_bytes(b"".join(record(table, r) + b"\n" for r in rows))
    orders = {t: fields_of(t) for t in ("GRXDYWJJB", "XDHTB", "GRXDFHZ")}
    files = {t: open(out / file_name(t), "w", encoding="utf-8", newline="\n") for t in orders}
    try:
        for i in range(n):
            ln = loan(i, borrowers[i % len(borrowers)])
            for table, row in (("GRXDYWJJB", ln), ("XDHTB", contract(ln)), ("GRXDFHZ", ledger(ln))):
                files[table].write(SEP.join(row[f] for f in orders[table]) + "\n")
    finally:
        for fh in files.values():
            fh.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / BATCH)
    parser.add_argument("--loans", type=int, default=0, help="write a clean scaled batch of N personal loans instead")
    args = parser.parse_args()
    if args.loans:
        print(write_scaled_batch(args.loans, args.out))
        return
    batch = build_batch()
    write_batch(batch, args.out)
    write_expected(batch, HERE / "expected_findings.json")
    print(f"wrote {args.out} and {HERE / 'expected_findings.json'} ({len(batch.expected)} planted findings)")


if __name__ == "__main__":
    main()
