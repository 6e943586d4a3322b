"""Generate a realistic clean EAST 5.0 submission: the credit tables filled the way the regulator's Q&A
tells banks to fill them, with the variety real data has — and no planted defect.

    python examples/east5/realistic.py --out DIR         # write the batch (fixed seed: same files every run)

Every table of the pack is written (require_all_tables): the credit tables and what their references
need (机构, 岗位, 员工, 总账科目, 内部科目对照) with several hundred rows each; the tables of businesses this
bank does not have (理财, 信用卡, 票据, 资金, 存款 …) as empty files, as a bank without the business files
them. Filling conventions, each from the official documents (specs/east5/official):

* 总期数 / 当前期数 1 for loans repaid in one instalment (利随本清) — 数据元说明 005025 and the Q&A on 期数;
* ``其他-XX`` where the data element allows it (还款方式, 信贷业务种类, 贷款发放类型, 担保类型 …, elements.csv
  ``final_other``);
* 贷款投向行业 per loan kind with the 1104 G01_VII lines (数据元说明 005008): mortgages 2.21.3, car loans
  2.21.2, consumer / student loans 2.21.4, card instalments 2.21.1, bought rediscounts 2.22, bought other
  bill assets 2.23, loans abroad 3.对境外贷款, business loans the borrower's industry 2.1–2.20;
* 贷款投向地区 a 6-character GB/T 2260 code, or the 3-character GB/T 2659 country code for loans abroad;
* personal names, ID numbers and phones masked (规范附件2: last character of a name; first 6 characters
  of the ID + SM3 of first character of the name and the ID; SM3 of the phone);
* 99991231 for dates that have not happened (终结日期 of a live loan, 欠本日期 without arrears, 销户日期 …).
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from examples.common import fresh_folder, money, ric, uscc  # noqa: E402

SEED = 20240630
LICENCE = "B0001H111000001"
CJRQ = "20240630"
PREVIOUS_CJRQ = "20240531"  # the previous 采集日期: loans ended after it are still reported
OPEN = "99991231"
SEP = "\x01"
BANK = "示例银行股份有限公司"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红春梅海燕"
CITIES = [("110105", "北京市朝阳区"), ("110108", "北京市海淀区"), ("110102", "北京市西城区"), ("120101", "天津市和平区"),
          ("130102", "河北省石家庄市长安区"), ("310115", "上海市浦东新区"), ("440305", "广东省深圳市南山区"),
          ("320106", "江苏省南京市鼓楼区"), ("330106", "浙江省杭州市西湖区"), ("510107", "四川省成都市武侯区")]
INDUSTRIES = [("A0111", "2.1农、林、牧、渔业"), ("B0610", "2.2采矿业"), ("C3911", "2.3制造业"), ("C2614", "2.3制造业"),
              ("D4411", "2.4电力、热力、燃气及水生产和供应业"), ("E4811", "2.5建筑业"), ("F5123", "2.6批发和零售业"),
              ("G5431", "2.7交通运输、仓储和邮政业"), ("H6110", "2.8住宿和餐饮业"), ("I6510", "2.9信息传输、软件和信息技术服务业"),
              ("K7010", "2.11房地产业"), ("L7212", "2.12租赁和商务服务业"), ("M7320", "2.13科学研究和技术服务业"),
              ("N7721", "2.14水利、环境和公共设施管理业"), ("O8011", "2.15居民服务、修理和其他服务业"), ("P8341", "2.16教育"),
              ("Q8411", "2.17卫生和社会工作"), ("R8710", "2.18文化、体育和娱乐业"), ("J6940", "2.10金融业"),
              ("S9221", "2.19公共管理、社会保障和社会组织"), ("T9600", "2.20国际组织"),
              ("D4430", "2.4电力、热力、燃气及水的生产和供应业")]  # 2.4 as worded before Q&A batch 3 (表2 row 109)
COMPANY_WORDS = ["华信", "东方", "南方", "前海", "滨海", "山城", "西湖", "金陵", "江城", "天府", "长城", "黄河", "泰山", "恒通",
                 "宏达", "瑞丰", "鼎盛", "中联", "永安", "新元"]
COMPANY_KINDS = ["科技有限公司", "制造有限公司", "贸易有限公司", "物流有限公司", "建设工程有限公司", "食品股份有限公司",
                 "医药有限公司", "电子有限公司", "能源有限公司", "农业发展有限公司"]


def sm3(text: str) -> str:
    """SM3 digest in lower-case hex, the masking hash of 规范附件2."""
    try:
        return hashlib.new("sm3", text.encode("utf-8")).hexdigest()
    except ValueError:  # an OpenSSL without SM3: same length and alphabet
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def masked_id(name: str, id_number: str) -> str:
    """规范附件2: first 6 characters of the ID + SM3(first character of the name + upper-cased ID)."""
    return id_number[:6] + sm3(name[:1] + id_number.upper())


def masked_name(name: str) -> str:
    """规范附件2: a person's name keeps its last Chinese character."""
    return name[-1]


def ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def parse(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


TODAY = parse(CJRQ)
WINDOW_START = parse(PREVIOUS_CJRQ) + timedelta(days=1)


@dataclass
class Unit:
    nbjgh: str
    licence: str
    name: str
    region: str


@dataclass
class Loan:
    """One IOU and what the other tables say about it."""
    row: dict
    personal: bool
    guarantee: str = "信用"
    written_off: bool = False
    transferred: bool = False
    syndicated: bool = False
    entrusted: bool = False


@dataclass
class Bank:
    """The batch being built: rows per table, the shared entities and a seeded random source."""
    rng: random.Random
    rows: dict[str, list[dict]] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    loans: list[Loan] = field(default_factory=list)

    def add(self, table: str, row: dict) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def unit(self) -> Unit:
        return self.rng.choice(self.units[1:])

    def officer(self) -> str:
        return self.rng.choice(self.staff)


def branch_fields(u: Unit, with_name: bool = True) -> dict:
    return {"JRXKZH": u.licence, "NBJGH": u.nbjgh, **({"YHJGMC": u.name} if with_name else {})}


# ---------------------------------------------------------------- institutions, posts, staff, ledger

def build_institutions(bank: Bank) -> None:
    bank.units.append(Unit("000001", LICENCE, BANK, "110102"))
    for i, (region, place) in enumerate(CITIES, start=1):
        bank.units.append(Unit(f"{i:02d}0001", f"B0001B2{region[:2]}{i:07d}"[:15], f"示例银行{place[-3:]}支行", region))
    bank.units.append(Unit("990001", LICENCE, "示例银行信用卡中心", "110102"))
    for n, u in enumerate(bank.units):
        kind = "管理机构" if n == 0 else ("内设机构" if u.nbjgh == "990001" else "营业机构")
        bank.add("JGXXB", {
            "YHJGDM": f"313100{n:06d}", "NBJGH": u.nbjgh, "JRXKZH": u.licence,
            "YYZZH": uscc(u.region, 100 + n), "YHJGMC": u.name, "JGLB": kind, "XZQHDM": u.region, "YYZT": "营业",
            "CLRQ": ymd(date(1998 + n, 3, 1 + n)), "JGDZ": f"{dict(CITIES).get(u.region, '北京市西城区')}金融大街{n + 1}号",
            "JGLXDH": f"010-6666{n:04d}", "FZRXM": bank.rng.choice(SURNAMES) + bank.rng.choice(GIVEN) + bank.rng.choice(GIVEN),
            "FZRZW": "行长" if n else "董事长", "FZRLXDH": f"010-6667{n:04d}", "BBZ": "", "CJRQ": CJRQ})


POSTS = [("GW001", "管理类", "行长"), ("GW002", "业务类", "客户经理"), ("GW003", "业务类", "风险经理"),
         ("GW004", "操作类", "综合柜员"), ("GW005", "管理类", "部门负责人")]


def build_staff(bank: Bank) -> None:
    for code, kind, name in POSTS:
        bank.add("GWXXB", {"JRXKZH": LICENCE, "NBJGH": "000001", "GWBH": code, "GWZL": kind, "GWMC": name,
                           "GWSM": f"{name}岗位职责", "GWZT": "正常", "BBZ": "", "CJRQ": CJRQ})
    for i in range(60):
        u = bank.units[i % len(bank.units)]
        code, _, post = POSTS[1] if i % 5 else POSTS[i // 5 % len(POSTS)]
        gh = f"E{i + 1:05d}"
        name = bank.rng.choice(SURNAMES) + bank.rng.choice(GIVEN) + bank.rng.choice(GIVEN)
        status = "正式员工离职" if i % 29 == 28 else "正式员工在职"
        bank.add("YGB", {**branch_fields(u), "GH": gh, "XM": name, "GJ": "CHN", "ZJLB": "居民身份证",
                         "ZJHM": masked_id(name, ric(u.region, f"19{75 + i % 20}0{1 + i % 9}1{i % 9}", i)),
                         "LXDH": f"010-6668{i:04d}", "SSBM": "公司金融部" if i % 2 else "零售金融部", "GWBH": code,
                         "GWMC": post, "SFGG": "是" if post == "行长" else "否", "PFRQ": "20150101" if post == "行长" else OPEN,
                         "RZRQ": ymd(date(2008 + i % 15, 1 + i % 12, 10)), "YGLX": "合同制员工", "YGZT": status,
                         "BBZ": "", "CJRQ": CJRQ})
        if status == "正式员工在职" and post == "客户经理":
            bank.staff.append(gh)
    build_tellers(bank)


def build_tellers(bank: Bank) -> None:
    """柜员表: per unit a real teller (an employee) and a virtual teller for batch postings; the tellers of
    the transaction tables are these."""
    staff = {r["GH"]: r for r in bank.rows["YGB"]}
    for n, u in enumerate(bank.units):
        gh = f"E{n + 1:05d}"  # the employee of the same unit (staff are spread over the units in turn)
        for kind, gyh, real in (("实体柜员", f"T{u.nbjgh}1", "是"), ("虚拟柜员", f"T{u.nbjgh}9", "否")):
            bank.add("GYB", {**branch_fields(u), "GYH": gyh, "GH": gh if real == "是" else "", "GYLX": kind,
                             "SFSTGY": real, "GWBH": staff[gh]["GWBH"] if real == "是" else "",
                             "GYQXJB": "一级" if real == "是" else "系统", "SGRQ": staff[gh]["RZRQ"], "GYZT": "正常",
                             "BBZ": "", "CJRQ": CJRQ})


# 科目: 1303 贷款 with its sub-accounts, 1301 贴现资产, 1304 贷款损失准备 …; (code, name, level, parent)
SUBJECTS = [("13", "资产类-贷款", 1, ""), ("1301", "贴现资产", 2, "13"), ("130101", "买断式转贴现", 3, "1301"),
            ("1303", "贷款", 2, "13"), ("130301", "个人贷款", 3, "1303"), ("13030101", "个人住房贷款", 4, "130301"),
            ("13030102", "个人消费贷款", 4, "130301"), ("13030103", "个人经营性贷款", 4, "130301"),
            ("13030104", "个人汽车贷款", 4, "130301"), ("130302", "对公贷款", 3, "1303"),
            ("13030201", "流动资金贷款", 4, "130302"), ("13030202", "固定资产贷款", 4, "130302"),
            ("13030203", "贸易融资", 4, "130302"), ("13030204", "银团贷款", 4, "130302"),
            ("1305", "垫款", 2, "13"), ("130501", "承兑垫款", 3, "1305")]
SUBJECT_OF = {"住房按揭贷款": "13030101", "消费贷款": "13030102", "助学贷款": "13030102", "个人经营性贷款": "13030103",
              "汽车贷款": "13030104", "流动资金贷款": "13030201", "一般固定资产贷款": "13030202", "项目贷款": "13030202",
              "项目贷款（银团）": "13030204", "贸易融资业务": "13030203", "买断式转贴现": "130101", "垫款": "130501"}
SUBJECT_NAME = {c: n for c, n, _, _ in SUBJECTS}


def subject(kind: str) -> dict:
    code = SUBJECT_OF.get(kind, "13030102" if kind.startswith("其他-") else "13030201")
    return {"MXKMBH": code, "MXKMMC": SUBJECT_NAME[code]}


def build_ledger(bank: Bank) -> None:
    """总账会计全科目表 per unit and currency, its balances the sum of the loans; 内部科目对照表 once."""
    totals: dict[tuple[str, str, str], float] = {}
    for ln in bank.loans:
        r = ln.row
        code = r["MXKMBH"]
        while code:
            key = (r["NBJGH"], code, r["BZ"])
            totals[key] = totals.get(key, 0.0) + float(r["DKYE"])
            code = next(p for c, _, _, p in SUBJECTS if c == code)
    for code, _, _, _ in SUBJECTS:
        totals.setdefault((bank.units[0].nbjgh, code, "CNY"), 0.0)
    units = {u.nbjgh: u for u in bank.units}
    for (nbjgh, code, bz), total in sorted(totals.items()):
        u = units[nbjgh]
        opening = round(total * 1.01, 2)
        bank.add("ZZKJQKMB", {**branch_fields(u), "KJKMBH": code, "KJKMMC": SUBJECT_NAME[code], "BZ": bz,
                              "QCJFYE": money(opening), "QCDFYE": "0.00", "JFFSE": money(total * 0.02),
                              "DFFSE": money(opening + total * 0.02 - total), "QMJFYE": money(total), "QMDFYE": "0.00",
                              "BSZQ": "月报", "KJRQ": CJRQ, "BBZ": "", "CJRQ": CJRQ})
    head = bank.units[0]
    for code, name, level, parent in SUBJECTS:
        bank.add("NBKMDZB", {**branch_fields(head), "KJKMBH": code, "KJKMMC": name, "KJKMJC": str(level),
                             "SJKMBH": parent or "0", "SJKMMC": SUBJECT_NAME.get(parent, ""), "KMJDBZ": "借",
                             "GSYWDL": "资产", "GSYWZL": name, "BBZ": "", "CJRQ": CJRQ})


# ---------------------------------------------------------------- customers

def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_persons(bank: Bank, n: int) -> None:
    rng = bank.rng
    for i in range(n):
        u = bank.unit()
        name = person_name(rng)
        born = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
        foreign = i % 97 == 96
        id_number = f"E{rng.randrange(10**7, 10**8)}" if foreign else ric(u.region, born.strftime("%Y%m%d"), i % 1000)
        kind = "境外客户" if foreign else rng.choice(["普通个人客户"] * 6 + ["个体工商户", "小微企业主", "个体工商户;小微企业主",
                                                                    "其他-农村承包经营户"])
        bank.persons.append(bank.add("GRJCXXB", {
            **branch_fields(u), "KHTYBH": f"P{u.nbjgh[:2]}{i + 1:08d}", "KHXM": masked_name(name),
            "ZJLB": "护照" if foreign else "居民身份证", "ZJHM": masked_id(name, id_number), "BXYGBZ": kind,
            "GJ": "HKG" if foreign else "CHN", "MZ": "" if foreign else "汉族", "XB": rng.choice("男女"),
            "XL": rng.choice(["本科", "硕士研究生", "大学专科", "高中", "初中及以下"]), "CSNY": born.strftime("%Y%m"),
            "SFYH": rng.choice("是否"), "GZDWMC": company_name(rng), "GZDWDZ": f"{rng.choice(CITIES)[1]}建设路{i % 90 + 1}号",
            "GZDWDH": f"010-6{rng.randrange(10**6, 10**7)}", "DWXZ": rng.choice(["民营企业", "国有企业", "事业单位", "其他-外资企业"]),
            "ZY": rng.choice(["工程师", "教师", "医生", "个体经营者", "职员", "农民"]), "ZW": rng.choice(["职员", "主管", "经理", "无"]),
            "GRNSR": money(rng.randrange(3, 80) * 10000), "TXDZ": f"{rng.choice(CITIES)[1]}人民路{i % 300 + 1}号",
            "LXDH": sm3(f"1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}"),
            **credit_relation(i % 11 != 10, f"20{10 + i % 14:02d}{1 + i % 12:02d}"), "SFNH": "是" if "农村" in kind else "否",
            "BHYGBZ": "是" if i % 53 == 0 else "否", **blacklist(i % 71 == 70, rng), "BBZ": "", "CJRQ": CJRQ}))


def blacklist(listed: bool, rng: random.Random) -> dict:
    """上黑名单标志 and its date (99991231 when not listed)."""
    return {"SHMDBZ": "是" if listed else "否", "SHMDRQ": ymd(date(2023, 1 + rng.randrange(12), 15)) if listed else OPEN}


def credit_relation(borrower: bool, since: str) -> dict:
    """信贷客户标志 and 首次建立信贷关系年月 (999912 for a customer who never borrowed)."""
    return {"XDKHBZ": "是" if borrower else "否", "SCJLXDGXNY": since if borrower else "999912"}


def borrowers(customers: list[dict]) -> list[dict]:
    return [c for c in customers if c["XDKHBZ"] == "是"]


def company_name(rng: random.Random) -> str:
    return rng.choice(CITIES)[1][:2] + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)


def build_companies(bank: Bank, n: int) -> None:
    rng = bank.rng
    seen: set[str] = set()
    for i in range(n):
        u = bank.unit()
        name = company_name(rng)
        while name in seen:
            name = rng.choice(CITIES)[1][:2] + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)
        seen.add(name)
        abroad = i % 61 == 60
        sshy, _ = INDUSTRIES[i % len(INDUSTRIES)]
        legal, finance = person_name(rng), person_name(rng)
        capital = rng.choice([500, 1000, 3000, 5000, 10000, 50000]) * 10000
        bank.companies.append(bank.add("DGKHXXB", {
            **branch_fields(u), "KHTYBH": f"C{u.nbjgh[:2]}{i + 1:08d}",
            "KHMC": ("香港" + rng.choice(COMPANY_WORDS) + "国际有限公司") if abroad else name,
            "KHLX": "境外机构" if abroad else ("集团客户" if i % 23 == 0 else "单一法人客户"),
            "ZJLB": "公司注册证书" if abroad else "统一社会信用代码",
            "ZJHM": f"HK{rng.randrange(10**7, 10**8)}" if abroad else uscc(u.region, 5000 + i),
            "FRDB": legal, "FRDBZJLB": "居民身份证", "FRDBZJHM": ric(u.region, "19700101", i % 1000),
            "CWFZR": finance, "CWFZRZJLB": "居民身份证", "CWFZRZJHM": ric(u.region, "19800101", i % 1000),
            "JBCKZH": f"1100{rng.randrange(10**11, 10**12)}", "JBCKZHKHHH": f"313100{rng.randrange(10**5, 10**6)}",
            "JBCKZHKHHMC": u.name, "ZCZB": money(capital), "ZCZBBZ": "HKD" if abroad else "CNY",
            "SSZB": money(capital * 0.8), "SSZBBZ": "HKD" if abroad else "CNY",
            "ZCDZ": "香港中环德辅道中1号" if abroad else f"{dict(CITIES)[u.region]}科技园{i % 50 + 1}号",
            "LXDH": f"0{rng.randrange(10, 99)}-{rng.randrange(10**7, 10**8)}", "JYFW": "技术开发、技术服务；货物进出口",
            "CLRQ": ymd(date(1995 + i % 25, 1 + i % 12, 1 + i % 28)), "SSHY": sshy,
            "QYFL": "境外机构" if abroad else rng.choice(["大型企业", "中型企业", "小型企业", "小型企业", "微型企业"]),
            **credit_relation(i % 13 != 12, f"20{8 + i % 16:02d}0{1 + i % 9}"), "SSGSBZ": "是" if i % 17 == 0 else "否",
            "XYPJ": rng.choice(["AAA", "AA", "A", "BBB", "BB"]), "YGRS": str(rng.randrange(8, 5000)),
            "XZQHDM": "HKG" if abroad else u.region, "FXYJXH": "", "GZSJDM": "", "BBZ": "", "CJRQ": CJRQ}))


# ---------------------------------------------------------------- loans

PERSONAL_KINDS = [("住房按揭贷款", "2.21.3个人贷款-住房按揭贷款", 360, "按月", "购买自住住房"),
                  ("汽车贷款", "2.21.2个人贷款-汽车", 36, "按月", "购买自用汽车"),
                  ("消费贷款", "2.21.4个人贷款-其他", 12, "按月", "装修"),
                  ("助学贷款", "2.21.4个人贷款-其他", 1, "利随本清", "支付学费"),
                  ("个人经营性贷款", None, 1, "分期付息一次还本", "经营周转"),
                  ("其他-信用卡大额分期", "2.21.1个人贷款-信用卡", 24, "按月", "家庭消费"),
                  ("商用房贷款", "2.21.4个人贷款-其他", 120, "按月", "购买商铺"),
                  ("个人经营性贷款", None, 24, "其他-按还款计划", "购置经营设备")]
CORPORATE_KINDS = [("流动资金贷款", 1, "分期付息一次还本", "补充流动资金"), ("一般固定资产贷款", 60, "按季", "购置生产设备"),
                   ("项目贷款", 120, "按半年", "厂房建设"), ("贸易融资业务", 1, "利随本清", "进口原材料"),
                   ("买断式转贴现", 1, "利随本清", "票据转贴现"), ("其他-买断其他票据类资产", 1, "利随本清", "买断福费廷"),
                   ("法人账户透支", 1, "利随本清", "日常经营资金周转"), ("票据贴现", 1, "利随本清", "票据贴现"),
                   ("垫款", 1, "利随本清", "银行承兑汇票垫款")]


def bill_number(row: dict, n: int) -> str:
    """新一代票据: 30-character bill number + 12-character sub-range start and end (Q&A batch 3, 表1 row 5049)."""
    return f"1313100000013{row['DKFFRQ']}{n:09d}" + f"{1:012d}" + f"{n * 100:012d}"


NO_NEXT_INSTALMENT = {"XQHKRQ": OPEN, "XQYHBJ": "0.00", "XQYHLX": "0.00"}


def as_bill(row: dict, rng: random.Random, n: int) -> None:
    """Bills have no next instalment: the defaults (Q&A batch 1, 表1 rows 1346, 1350, 1355, 1360)."""
    row.update(NO_NEXT_INSTALMENT)


def as_discount(row: dict, rng: random.Random, n: int) -> None:
    """票据贴现: 信贷合同号 = 信贷借据号 = 票据号码 (整表说明 of 信贷合同表; Q&A batch 3, 表1 row 5058)."""
    row["XDHTH"] = row["XDJJH"] = bill_number(row, n)
    as_bill(row, rng, n)


def as_advance(row: dict, rng: random.Random, n: int) -> None:
    """垫款: paid for the customer when its acceptance fell due, overdue from the first day."""
    row.update({"DKZT": "逾期", "DKWJFL": "次级", "QBJE": row["DKYE"], "QBRQ": row["DKFFRQ"], "LXQKQS": "1", "LJQKQS": "1",
                **NO_NEXT_INSTALMENT})  # repayment date not yet known: the default (Q&A batch 1, 表1 rows 1347/1348)


def as_overdraft(row: dict, rng: random.Random, n: int) -> None:
    row["JXFS"] = "按季结息"


def as_renewal(row: dict, rng: random.Random, n: int) -> None:
    """无还本续贷 / 重组贷款: the loan type of a working-capital loan renewed or restructured."""
    row["DKFFLX"] = "无还本续贷" if n % 2 else "重组贷款"
    if row["DKFFLX"] == "重组贷款":
        row["DKWJFL"] = "次级"


KIND_ADJUST: dict[str, Callable[[dict, random.Random, int], None]] = {
    "票据贴现": as_discount, "垫款": as_advance, "法人账户透支": as_overdraft, "买断式转贴现": as_bill,
    "其他-买断其他票据类资产": as_bill}


def loan_row(bank: Bank, n: int, customer: dict, personal: bool, kind: str, industry: str, terms: int, repay: str,
             purpose: str) -> dict:
    """An IOU in one of its life stages; the stage decides balances, dates and status."""
    rng = bank.rng
    start = TODAY - timedelta(days=rng.randrange(20, 2400))
    months = terms if terms > 1 else rng.choice((6, 12, 12, 24))
    end = add_months(start, months)
    amount = rng.choice([5, 8, 10, 20, 30, 50, 100, 200, 300]) * 10000 * (1 if personal else rng.choice((5, 10, 30)))
    instalments = terms > 1 and repay not in ("利随本清", "分期付息一次还本")
    elapsed = max(0, (TODAY.year - start.year) * 12 + TODAY.month - start.month)
    current = min(elapsed + 1, months) if instalments else 1
    balance = round(amount * max(0.05, 1 - elapsed / months), 2) if instalments else float(amount)
    u = next(x for x in bank.units if x.nbjgh == customer["NBJGH"])
    prefix = "G" if personal else "D"
    name = customer["KHXM"] if personal else customer["KHMC"]
    account = f"62220{rng.randrange(10**13, 10**14)}" if personal else customer["JBCKZH"]
    rate = rng.choice(["3.950000", "4.200000", "3.450000", "4.650000", "5.220000", "3.850000"])
    row = {**branch_fields(u), **subject(kind), "KHTYBH": customer["KHTYBH"], "KHMC": name,
           **({"ZJLB": customer["ZJLB"], "ZJHM": customer["ZJHM"]} if personal else {}),
           "XDHTH": f"HT{prefix}{n:08d}", "XDJJH": f"JJ{prefix}{n:08d}", "DKFHZH": f"FH{prefix}{n:08d}",
           "XDYWZL": kind, "DKFFLX": "新增", "FKFS": "受托支付" if amount >= 300000 else "自主支付", "BZ": "CNY",
           "DKJE": money(amount), "DKYE": money(balance), "DKWJFL": "正常", "ZQS": str(months if instalments else 1),
           "DQQS": str(current), "ZQCS": "0", "DKFFRQ": ymd(start), "DKDQRQ": ymd(end), "ZJRQ": OPEN,
           "QBJE": "0.00", "QBRQ": OPEN, "BNQXYE": "0.00", "BWQXYE": "0.00", "QXRQ": OPEN, "LXQKQS": "0", "LJQKQS": "0",
           "SBXDJJH": "", "DKRZZH": account, "DKRZHM": name, "RZZHSSHMC": u.name, "LLLX": rng.choice(["LPR", "LPR", "非LPR"]),
           "SJLL": rate, "HKFS": repay, "HKZH": account, "HKZHSSHMC": u.name,
           "JXFS": "利随本清" if repay == "利随本清" else ("按季结息" if repay == "按季" else "按月结息"),
           "XQHKRQ": ymd(min(end, add_months(TODAY, 1))), "XQYHBJ": money(amount / months if instalments else 0),
           "XQYHLX": money(balance * float(rate) / 1200), "JJDKYT": purpose,
           # 6-character GB/T 2260 code (district or, for city-wide projects, the city), 3-character country code abroad
           "DKTXDQ": customer.get("XZQHDM") or (u.region[:4] + "00" if n % 17 == 0 else u.region), "DKTXHY": industry or "2.6批发和零售业",
           "SFHLWDK": "是" if kind == "消费贷款" and n % 4 == 0 else "否", "SFLSDK": "是" if n % 19 == 0 else "否",
           "SFSNDK": "是" if customer.get("SFNH") == "是" else "否", "SFPHXSNDK": "否",
           "SFPHXXWQYDK": "是" if customer.get("QYFL") in ("小型企业", "微型企业") and amount <= 10_000_000 else "否",
           "SFKJDK": "是" if customer.get("SSHY", "").startswith(("I", "M")) else "否", "XDYGH": bank.officer(),
           "DKZT": "正常", "BBZ": "", "CJRQ": CJRQ}
    if row["XQHKRQ"] <= CJRQ:
        row["XQHKRQ"] = ymd(add_months(TODAY, 1))
    return row


def settle(row: dict, day: date) -> None:
    """The loan was repaid in full after the previous 采集日期: balance 0, 终结日期 set, no next instalment."""
    row.update({"DKYE": "0.00", "DKZT": "结清", "ZJRQ": ymd(day), "XQHKRQ": OPEN, "XQYHBJ": "0.00", "XQYHLX": "0.00",
                "DQQS": row["ZQS"]})
    if row["DKDQRQ"] < row["ZJRQ"]:  # repaid on its (extended) maturity date
        row["DKDQRQ"] = row["ZJRQ"]


def in_window(rng: random.Random) -> date:
    return WINDOW_START + timedelta(days=rng.randrange((TODAY - WINDOW_START).days + 1))


def overdue(row: dict, rng: random.Random, grade: str) -> None:
    """Principal and interest in arrears since a past instalment date."""
    since = TODAY - timedelta(days=rng.randrange(35, 300))
    periods = max(1, (TODAY - since).days // 30)
    row.update({"DKZT": "逾期", "DKWJFL": grade, "QBJE": money(min(float(row["DKYE"]), float(row["DKJE"]) * 0.05)),
                "QBRQ": ymd(since), "BNQXYE": money(float(row["DKYE"]) * 0.004 * periods), "QXRQ": ymd(since),
                "LXQKQS": str(periods), "LJQKQS": str(periods + rng.randrange(3))})


def stage(bank: Bank, ln: Loan, n: int) -> None:
    """Give loan ``n`` its life stage: most live and sound, some settled, overdue, written off, transferred."""
    rng, row = bank.rng, ln.row
    pick = n % 20
    if pick in (1, 2):
        settle(row, in_window(rng))
    elif pick == 3:
        overdue(row, rng, rng.choice(["关注", "次级"]))
    elif pick == 4 and n % 40 == 4:
        overdue(row, rng, "可疑")
    elif pick == 5 and n % 60 == 5:
        ln.written_off = True
        day = in_window(rng)
        row.update({"DKZT": "核销", "DKWJFL": "损失", "DKYE": "0.00", "ZJRQ": ymd(day), "XQHKRQ": OPEN, "XQYHBJ": "0.00",
                    "XQYHLX": "0.00"})
    elif pick == 6 and n % 80 == 6 and not ln.personal:
        ln.transferred = True
        row.update({"DKZT": "转让", "DKYE": "0.00", "ZJRQ": ymd(in_window(rng)), "XQHKRQ": OPEN, "XQYHBJ": "0.00",
                    "XQYHLX": "0.00", "DKDQRQ": max(row["DKDQRQ"], ymd(add_months(TODAY, 3)))})
    elif pick == 7:
        row["ZQCS"] = "1"
        row["DKDQRQ"] = ymd(add_months(parse(row["DKDQRQ"]), 12))
    if row["DKZT"] in ("正常", "逾期") and row["DKDQRQ"] <= CJRQ:
        row["DKDQRQ"] = ymd(add_months(TODAY, 6))
        row["ZQCS"] = "1"


def refinance(bank: Bank, old: Loan, n: int) -> Loan:
    """借新还旧: the old IOU is settled the day the new one is paid out, and the new one names it."""
    rng = bank.rng
    day = in_window(rng)
    settle(old.row, day)
    row = {**old.row, "XDHTH": old.row["XDHTH"] + "R", "XDJJH": f"{old.row['XDJJH'][:3]}{n:08d}",
           "DKFHZH": f"{old.row['DKFHZH'][:3]}{n:08d}", "DKFFLX": "借新还旧", "SBXDJJH": old.row["XDJJH"],
           "DKFFRQ": ymd(day), "DKDQRQ": ymd(add_months(day, 12)), "ZJRQ": OPEN, "DKZT": "正常", "ZQCS": "0",
           "DKYE": old.row["DKJE"], "ZQS": "1", "DQQS": "1", "HKFS": "分期付息一次还本", "JXFS": "按月结息",
           "XQHKRQ": ymd(add_months(TODAY, 1)), "XQYHBJ": "0.00"}
    return Loan(row, old.personal, old.guarantee)


def build_loans(bank: Bank, personal: int, corporate: int) -> None:
    rng = bank.rng
    n = 0
    for _ in range(personal):
        n += 1
        customer = rng.choice(borrowers(bank.persons))
        kind, industry, terms, repay, purpose = PERSONAL_KINDS[rng.choice([0, 0, 0, 1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 7])]
        if industry is None:
            industry = rng.choice(INDUSTRIES[5:9])[1]
        row = loan_row(bank, n, customer, True, kind, industry, terms, repay, purpose)
        guarantee = {"住房按揭贷款": "抵押", "汽车贷款": "抵押", "个人经营性贷款": rng.choice(["保证", "抵押", "混合"])}.get(kind, "信用")
        ln = Loan(row, True, guarantee)
        stage(bank, ln, n)
        bank.loans.append(ln)
    companies = borrowers(bank.companies)
    for i in range(corporate):
        n += 1
        customer = companies[i % len(companies)]
        abroad = customer["KHLX"] == "境外机构"
        kind, terms, repay, purpose = CORPORATE_KINDS[rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8])]
        industry = {"买断式转贴现": "2.22买断式转贴现", "其他-买断其他票据类资产": "2.23买断其他票据类资产"}.get(kind)
        if abroad:
            industry = "3.对境外贷款"
        elif industry is None:
            industry = dict(INDUSTRIES)[customer["SSHY"]]
        row = loan_row(bank, n, customer, False, kind, industry, terms, repay, purpose)
        if kind == "贸易融资业务" or abroad:
            row["BZ"] = rng.choice(["USD", "USD", "EUR", "HKD"])
        if float(row["DKJE"]) >= 3_000_000:
            row["FKFS"] = "混合支付"
        KIND_ADJUST.get(kind, as_renewal if kind == "流动资金贷款" and i % 15 == 0 else lambda *a: None)(row, rng, n)
        ln = Loan(row, False, rng.choice(["保证", "抵押", "质押", "信用", "混合"]))
        stage(bank, ln, n)
        bank.loans.append(ln)
    for old in [ln for ln in bank.loans if ln.row["DKZT"] == "正常" and ln.row["HKFS"] == "分期付息一次还本"][:12]:
        n += 1
        bank.loans.append(refinance(bank, old, n))
    build_syndicated(bank, n)


def build_syndicated(bank: Bank, n: int) -> None:
    """项目贷款（银团）: this bank is the lead or a participant; the IOU carries its own share."""
    rng = bank.rng
    for k in range(8):
        n += 1
        companies = [c for c in borrowers(bank.companies) if c["KHLX"] != "境外机构"]
        customer = companies[(k * 7) % len(companies)]
        row = loan_row(bank, n, customer, False, "项目贷款（银团）", dict(INDUSTRIES)[customer["SSHY"]], 96, "按半年",
                       "项目建设")
        bank.loans.append(Loan(row, False, "抵押", syndicated=True))


# ---------------------------------------------------------------- what the loans carry along

def build_contracts(bank: Bank) -> None:
    seen: set[str] = set()
    for ln in bank.loans:
        r = ln.row
        if r["XDHTH"] in seen:
            continue
        seen.add(r["XDHTH"])
        live = r["DKZT"] in ("正常", "逾期", "核销")  # a written-off claim is still pursued (账销案存)
        bank.add("XDHTB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "KHTYBH": r["KHTYBH"], "KHMC": r["KHMC"],
                           "XDHTH": r["XDHTH"], "ZHTH": r["XDHTH"], "HTMC": f"{r['XDYWZL'].removeprefix('其他-')}合同",
                           "XDYWZL": r["XDYWZL"], "BZ": r["BZ"], "HTJE": r["DKJE"], "HTQSRQ": r["DKFFRQ"],
                           "HTDQRQ": r["DKDQRQ"], "DBLX": ln.guarantee, "HTDKYT": r["JJDKYT"], "KHJLGH": r["XDYGH"],
                           "HTZT": "有效" if live else "终结", "BBZ": "", "CJRQ": CJRQ})


def build_accounts(bank: Bank) -> None:
    """分户账 per IOU and its June transactions (payout, repayments)."""
    seq = 0
    for ln in bank.loans:
        r = ln.row
        table = "GRXDFHZ" if ln.personal else "DGXDFHZ"
        closed = r["DKZT"] in ("结清", "核销", "转让")
        rate_field = "DKLL" if ln.personal else "SJLL"
        bank.add(table, {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "YHJGMC": r["YHJGMC"], "MXKMBH": r["MXKMBH"],
                         "MXKMMC": r["MXKMMC"], "KHTYBH": r["KHTYBH"], "ZHMC": r["KHMC"], "DKFHZH": r["DKFHZH"],
                         "XDHTH": r["XDHTH"], "XDJJH": r["XDJJH"], rate_field: r["SJLL"], "BZ": r["BZ"],
                         "DKJE": r["DKJE"], "DKYE": r["DKYE"], "FFRQ": r["DKFFRQ"], "DQRQ": r["DKDQRQ"],
                         "KHRQ": r["DKFFRQ"], "XHRQ": r["ZJRQ"] if closed else OPEN, "DKZT": r["DKZT"],
                         "ZHZT": "销户" if closed else "正常", "BBZ": "", "CJRQ": CJRQ})
        for day, kind, amount, balance in movements(bank, r):
            seq += 1
            bank.add(table + "MX", transaction(bank, ln, seq, day, kind, amount, balance))


def movements(bank: Bank, r: dict) -> list[tuple[date, str, float, float]]:
    """The account's June movements: (date, 交易类型, amount, balance after)."""
    out = []
    balance = float(r["DKYE"])
    if r["DKFFRQ"] >= ymd(WINDOW_START):
        out.append((parse(r["DKFFRQ"]), "贷款发放", float(r["DKJE"]), float(r["DKJE"])))
    if r["DKZT"] == "结清":
        out.append((parse(r["ZJRQ"]), "贷款还本", float(r["DKJE"]) if r["DKFFLX"] == "借新还旧" else 1000.0, 0.0))
    elif r["DKZT"] == "正常" and r["HKFS"] == "按月" and r["DKFFRQ"] < ymd(WINDOW_START):
        paid = float(r["XQYHBJ"]) or 100.0
        out.append((date(2024, 6, 20), "贷款还本", paid, balance))
        out.append((date(2024, 6, 20), "贷款还息", round(balance * float(r["SJLL"]) / 1200, 2), balance))
    elif r["DKZT"] == "正常" and r["JXFS"] in ("按月结息", "按季结息") and r["DKFFRQ"] < ymd(WINDOW_START):
        out.append((date(2024, 6, 21), "贷款还息", round(balance * float(r["SJLL"]) / 1200, 2), balance))
    return [(d, k, round(a, 2), b) for d, k, a, b in out if a > 0]


def transaction(bank: Bank, ln: Loan, seq: int, day: date, kind: str, amount: float, balance: float) -> dict:
    rng, r = bank.rng, ln.row
    payout = kind == "贷款发放"
    row = {"JYXLH": f"{ymd(day)}{seq:010d}", "JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "YWBLJGH": r["NBJGH"],
           "YHJGMC": r["YHJGMC"], "MXKMBH": r["MXKMBH"], "MXKMMC": r["MXKMMC"], "KHTYBH": r["KHTYBH"],
           "ZHMC": r["KHMC"], "DKFHZH": r["DKFHZH"], "XDJJH": r["XDJJH"], "HXJYRQ": ymd(day),
           "HXJYSJ": f"{9 + rng.randrange(8):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}", "JYLX": kind,
           "JYJDBZ": "借" if payout else "贷", "BZ": r["BZ"], "JYJE": money(amount), "ZHYE": money(balance),
           "DFZH": r["DKRZZH"], "DFHM": r["DKRZHM"], "DFXH": f"313100{rng.randrange(10**5, 10**6)}",
           "DFXM": r["RZZHSSHMC"], "ZY": {"贷款发放": "放款", "贷款还本": "还本", "贷款还息": "还息"}[kind],
           "JYQD": "柜面" if payout else rng.choice(["柜面", "网银", "手机银行", "其他-批量扣款", "第三方支付-支付宝"]),
           "CBMBZ": "正常",
           "JYGYH": f"T{r['NBJGH']}{1 if payout else rng.choice((1, 9))}", "SQGYH": "", "XZBZ": "转", "BBZ": "", "CJRQ": CJRQ}
    if ln.personal:
        row.update({"ZJLB": r["ZJLB"], "ZJHM": r["ZJHM"], "DBRXM": "", "DBRZJLB": "", "DBRZJHM": ""})
    return row


def build_guarantees(bank: Bank) -> None:
    """担保合同 for every secured contract, its guarantors (保证) and collateral (抵押 / 质押)."""
    rng = bank.rng
    k = 0
    for ln in bank.loans:
        r = ln.row
        if ln.guarantee == "信用" or r["DKFFLX"] == "借新还旧":
            continue
        k += 1
        kinds = ["保证", "抵押"] if ln.guarantee == "混合" else [ln.guarantee]
        for j, kind in enumerate(kinds):
            dbhth = f"DB{k:07d}{j}"
            live = r["DKZT"] in ("正常", "逾期", "核销")
            bank.add("BNWYWDBHTB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "BDBHTH": r["XDHTH"],
                                    "BDBYWLX": "表内信贷", "DBHTH": dbhth,
                                    "DBHTLX": "最高额担保合同" if k % 9 == 0 else "一般担保合同", "DBLX": kind,
                                    "DBBZ": r["BZ"], "DBJE": r["DKJE"], "DBQSRQ": r["DKFFRQ"],
                                    # no agreed end date (最高额担保): the default, Q&A batch 1 / 2 (表1 rows 1579, 3411)
                                    "DBDQRQ": OPEN if k % 9 == 0 and live else r["DKDQRQ"],
                                    "JBRGH": r["XDYGH"], "DBHTZT": "有效" if live else "失效", "BBZ": "", "CJRQ": CJRQ})
            state = "有效" if live else "失效"
            if kind == "保证":
                bank.add("BNWYWDBR", guarantor(bank, r, dbhth, k, state))
            else:
                bank.add("BNWYWDZYW", collateral(bank, r, dbhth, k, kind, state))


def guarantor(bank: Bank, r: dict, dbhth: str, k: int, state: str) -> dict:
    rng = bank.rng
    if k % 3 == 0:
        c = rng.choice(bank.companies)
        who = {"BZRLB": "对公", "BZRMC": c["KHMC"], "DBRZJLB": c["ZJLB"], "DBRZJHM": c["ZJHM"]}
    else:
        name = person_name(rng)
        who = {"BZRLB": "个人", "BZRMC": masked_name(name), "DBRZJLB": "居民身份证",
               "DBRZJHM": masked_id(name, ric("110105", "19750505", k % 1000))}
    return {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "DBHTH": dbhth, **who, "DBRJZCBZ": "CNY",
            "DBRJZC": money(rng.randrange(50, 5000) * 10000), "DBHTZT": state, "BBZ": "", "CJRQ": CJRQ}


def collateral(bank: Bank, r: dict, dbhth: str, k: int, kind: str, state: str) -> dict:
    rng = bank.rng
    value = float(r["DKJE"]) * rng.choice((1.4, 1.6, 2.0))
    house = kind == "抵押"
    owner = r["KHMC"]
    return {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "DBHTH": dbhth, "YPBH": f"YP{k:08d}",
            "YPLX": "1.7.1居住用房地产" if house else "1.1.1现金及其等价物", "YPMC": "住宅" if house else "定期存单",
            "DZYWZT": "正常", "BZ": r["BZ"], "PGJZ": money(value), "YXRDJZ": money(value * 1.02),
            "YDYJZ": r["DKJE"], "DZYL": money(float(r["DKJE"]) / value * 100), "CZQSW": "第一顺位",
            "YPSYRMC": owner, "YPSYRZJLB": r.get("ZJLB", "统一社会信用代码"),
            "YPSYRZJHM": r.get("ZJHM") or next(c["ZJHM"] for c in bank.companies if c["KHTYBH"] == r["KHTYBH"]),
            "ZYPZHM": "" if house else f"CD{k:010d}", "ZYPZQFJG": "" if house else r["YHJGMC"],
            # 质押 of a deposit: the certificate number (Q&A batch 3, 表1 row 5339); a second-hand home whose
            # mortgage is registered after payout has none yet (batch 4, row 6078: empty, with a remark)
            "QZDJHM": (f"京(2020)不动产权第{k:07d}号" if k % 97 else "") if house else f"CD{k:010d}", "QZDJMJ": f"{rng.randrange(60, 160)}.00" if house else "",
            "DBHTZT": state, "BBZ": "" if k % 97 or not house else "二手房抵押登记办理中", "CJRQ": CJRQ}


def build_write_offs(bank: Bank) -> None:
    for ln in bank.loans:
        if not ln.written_off:
            continue
        r = ln.row
        recovered = ln.row["XDJJH"].endswith(("5", "0"))
        bank.add("ZCHXB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "KHTYBH": r["KHTYBH"], "KHMC": r["KHMC"],
                           "ZCLX": "个人贷款" if ln.personal else "对公贷款", "HTH": r["XDHTH"], "JJH": r["XDJJH"],
                           "BZ": r["BZ"], "HXBJ": money(float(r["DKJE"]) * 0.6), "SHBNLX": money(float(r["DKJE"]) * 0.01),
                           "SHBWLX": "0.00", "HXRQ": r["ZJRQ"], "SHBJ": money(500) if recovered else "0.00",
                           "SHLX": "0.00", "SHRQ": CJRQ if recovered else OPEN, "SHBZ": "部分收回" if recovered else "未收回",
                           "SHYGH": r["XDYGH"] if recovered else "", "HXZT": "账销案存", "BBZ": "", "CJRQ": CJRQ})


def build_old_write_offs(bank: Bank, n: int) -> None:
    """Loans written off in earlier years and still pursued (账销案存), or closed this month (完全终结, filed
    for the last time): in 资产核销表 every period, no longer in the IOU tables, which report a written-off
    loan only in the month of its write-off (Q&A batch 1, 表1 row 1254)."""
    rng = bank.rng
    for k in range(n):
        personal = k % 3 != 0
        customer = rng.choice(bank.persons if personal else bank.companies)
        u = next(x for x in bank.units if x.nbjgh == customer["NBJGH"])
        principal = rng.choice([3, 5, 8, 12, 20, 50]) * 10000 * (1 if personal else 10)
        day = date(2019 + k % 5, 1 + rng.randrange(12), 25)
        state = "完全终结" if k % 5 == 0 else "账销案存"
        back = k % 4 == 0 or state == "完全终结"
        bank.add("ZCHXB", {"JRXKZH": u.licence, "NBJGH": u.nbjgh, "KHTYBH": customer["KHTYBH"],
                           "KHMC": customer["KHXM"] if personal else customer["KHMC"],
                           "ZCLX": "个人贷款" if personal else "对公贷款", "HTH": f"HTH{k:08d}", "JJH": f"JJH{k:08d}",
                           "BZ": "CNY", "HXBJ": money(principal), "SHBNLX": money(principal * 0.03), "SHBWLX": money(principal * 0.01),
                           "HXRQ": ymd(day), "SHBJ": money(principal if state == "完全终结" else principal * 0.2) if back else "0.00",
                           "SHLX": "0.00", "SHRQ": ymd(in_window(rng) if state == "完全终结" else add_months(day, 7)) if back else OPEN,
                           "SHBZ": ("完全收回" if state == "完全终结" else "部分收回") if back else "未收回",
                           "SHYGH": bank.officer() if back else "", "HXZT": state, "BBZ": "", "CJRQ": CJRQ})


def build_transfers(bank: Bank) -> None:
    for k, ln in enumerate([ln for ln in bank.loans if ln.transferred], start=1):
        r = ln.row
        bank.add("XDZCZRB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "ZRHTH": f"ZR{k:08d}", "ZCZRFX": "转出",
                             "ZCZRFS": "直接转让", "ZRJKRZZH": f"1100{k:012d}", "ZRJKRZMC": BANK,
                             "JYDSMC": "中国长城资产管理股份有限公司", "JYDSZZZH": f"0200{k:012d}",
                             "JYDSKHHMC": "中国工商银行北京分行", "BZ": r["BZ"], "ZRDKBJZE": r["DKJE"],
                             "ZRDKLXZE": "0.00", "ZRZJ": r["DKJE"], "ZRHTQSRQ": r["ZJRQ"], "ZRHTDQRQ": r["ZJRQ"],
                             "JYDSZRRQ": r["ZJRQ"], "JYDSYZFJE": r["DKJE"], "BZJBL": "0.00", "BZJBZ": "CNY",
                             "BZJJE": "0.00", "ZRJYPT": "银登中心", "SFZYDZXDJ": "是", "ZRHTZT": "终结", "BBZ": "",
                             "CJRQ": CJRQ})
        bank.add("ZCZRGXB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "ZRHTH": f"ZR{k:08d}",
                             "XDZCLX": "个人贷款" if ln.personal else "对公贷款", "XDJJH": r["XDJJH"],
                             "ZRDKBJ": r["DKJE"], "ZRDKLX": "0.00", "BBZ": "", "CJRQ": CJRQ})


def build_org_relations(bank: Bank) -> None:
    """机构关系表: every unit under the head office; the head office's superior is 0 / 0 / the legal entity's
    name (Q&A batch 1, 表1 rows 464–468; batch 4, row 6305: 总行本级上级机构为总行法人名称)."""
    head = bank.units[0]
    codes = {r["NBJGH"]: r["YHJGDM"] for r in bank.rows["JGXXB"]}
    for u in bank.units:
        top = u is head
        bank.add("JGGXB", {"YHJGDM": codes[u.nbjgh], "JRXKZH": u.licence, "NBJGH": u.nbjgh, "YHJGMC": u.name,
                           "SJGLJGDM": "0" if top else codes[head.nbjgh], "SJGLNBJGH": "0" if top else head.nbjgh,
                           "SJGLJGMC": BANK, "BBZ": "", "CJRQ": CJRQ})


def build_grade_changes(bank: Bank) -> None:
    """贷款五级形态变动表: this month's downgrades of the loans now classified below 正常, and upgrades back to
    正常 of a few sound ones; written-off loans are no longer reported (Q&A batch 3, 表1 rows 5327/5328)."""
    rng = bank.rng
    order = ["正常", "关注", "次级", "可疑", "损失"]
    for n, ln in enumerate(bank.loans):
        r = ln.row
        grade = r["DKWJFL"]
        if ln.written_off or ln.transferred or r["DKZT"] == "结清":
            continue
        if grade != "正常" and n % 2 == 0:
            before = order[order.index(grade) - 1]
        elif grade == "正常" and n % 97 == 0:
            before = "关注"
        else:
            continue
        manual = n % 3 == 0
        bank.add("DKWJXTBDB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "YHJGMC": r["YHJGMC"], "XDHTH": r["XDHTH"],
                               "XDJJH": r["XDJJH"], "KHTYBH": r["KHTYBH"], "KHMC": r["KHMC"], "TZRQ": ymd(in_window(rng)),
                               "YWJFL": before, "XWJFL": grade,
                               "BDYY": ("风险缓释后上调" if grade == "正常" else "逾期及还款能力下降") if manual else "系统自动评定",
                               "BDFS": "人工" if manual else "自动", "JBGYH": r["XDYGH"], "BBZ": "", "CJRQ": CJRQ})


CONTROLLERS = [("某市人民政府国有资产监督管理委员会", "政府机关"), ("张建国", "自然人（中国公民）"),
               ("某省能源投资集团有限公司", "纯国有企业"), ("李志强", "自然人（中国公民）")]


def build_groups(bank: Bank) -> None:
    """集团客户表: each 集团客户 with three members (its subsidiaries among the bank's corporate customers);
    figures of the consolidated statements (Q&A batch 2, 表1 rows 3211–3213), exposure limits in 元."""
    rng = bank.rng
    domestic = [c for c in bank.companies if c["KHLX"] == "单一法人客户"]
    for g, parent in enumerate(c for c in bank.companies if c["KHLX"] == "集团客户"):
        members = [parent] + [domestic[(g * 5 + k) % len(domestic)] for k in range(3)]
        used = [rng.randrange(5, 80) * 100000 for _ in members]
        assets = rng.randrange(20, 400) * 10**7
        controller, kind = CONTROLLERS[g % len(CONTROLLERS)]
        for member, amount in zip(members, used):
            bank.add("JTKHB", {**branch_fields(next(u for u in bank.units if u.nbjgh == parent["NBJGH"])),
                               "JTBH": f"JT{g + 1:05d}", "JTMC": parent["KHMC"].replace("有限公司", "集团"),
                               "MGSKHTYBH": parent["KHTYBH"], "MGSMC": parent["KHMC"], "SKRMC": controller,
                               # statements in another currency: BWB, amounts in 元 (Q&A batch 2, 表1 row 3201)
                               "SKRLX": kind, "BZ": "BWB" if g % 3 == 2 else "CNY", "JTZCZE": money(assets), "JTFZZE": money(assets * 0.62),
                               "JTSXED": money(sum(used) * 2), "JTYYED": money(sum(used)), "CYKHTYBH": member["KHTYBH"],
                               "CYMC": member["KHMC"], "CYYYED": money(amount), "BBZ": "", "CJRQ": CJRQ})


AUDITORS = ["立信会计师事务所（特殊普通合伙）", "天健会计师事务所（特殊普通合伙）", "大华会计师事务所（特殊普通合伙）"]


def build_statements(bank: Bank) -> None:
    """对公客户财务信息表: the 2023 annual statements of every corporate borrower, and the first quarter's of
    the larger ones (net profit = profit before tax − income tax)."""
    rng = bank.rng
    for i, c in enumerate(borrowers(bank.companies)):
        size = float(c["ZCZB"]) * rng.choice((2, 3, 5))
        for date_, period in (("20231231", "年报"), ("20240331", "季报"))[: 2 if c["QYFL"] in ("大型企业", "中型企业") else 1]:
            audited = period == "年报" and c["QYFL"] != "微型企业"
            before_tax = round(size * rng.choice((0.02, 0.05, 0.08, -0.01)), 2)
            tax = round(max(before_tax, 0) * 0.25, 2)
            bank.add("DGKHCWXXB", {**branch_fields(next(u for u in bank.units if u.nbjgh == c["NBJGH"])),
                                   "CWBBBH": f"{c['KHTYBH']}-{date_}", "KHTYBH": c["KHTYBH"], "KHMC": c["KHMC"],
                                   "CWBBRQ": date_, "SFSJ": "是" if audited else "否",
                                   "SJJG": AUDITORS[i % len(AUDITORS)] if audited else "",
                                   "BBKJ": "合并报表" if c["KHLX"] == "集团客户" else "本部报表",
                                   "BZ": "HKD" if c["KHLX"] == "境外机构" else "CNY", "ZCZE": money(size),
                                   "FZZE": money(size * 0.55), "SQLR": money(before_tax), "SDS": money(tax),
                                   "JLR": money(before_tax - tax), "ZYYWSR": money(size * 0.8),
                                   "XJLLJE": money(size * 0.03), "YSZK": money(size * 0.12), "QTYSK": money(size * 0.02),
                                   "BBZQ": period, "BBZ": "", "CJRQ": CJRQ})


def build_syndicate_table(bank: Bank) -> None:
    for ln in bank.loans:
        if not ln.syndicated:
            continue
        r = ln.row
        lead = r["XDJJH"].endswith(("1", "3", "5", "7", "9"))
        share = float(r["DKJE"])
        total = share * 4
        bank.add("YTDKXXB", {"JRXKZH": r["JRXKZH"], "NBJGH": r["NBJGH"], "YHJGMC": r["YHJGMC"], "XDHTH": r["XDHTH"],
                             "XDJJH": r["XDJJH"], "JKRBH": r["KHTYBH"], "JKRMC": r["KHMC"],
                             "QTHHH": "313100000000" if lead else "102100099996",
                             "QTHHM": BANK if lead else "中国工商银行股份有限公司",
                             "CJHHH": "102100099996;103100000026", "CJHHM": "中国工商银行股份有限公司;中国农业银行股份有限公司",
                             "DLHHH": "313100000000", "DLHHM": BANK, "YTCYLX": "牵头行" if lead else "参加行",
                             "BZ": r["BZ"], "YTDKZJE": money(total), "YFFDKJE": money(total), "CDDKJE": money(share),
                             "YFFCDDKJE": money(share), "JJJE": r["DKJE"], "JJYE": r["DKYE"], "DKZT": r["DKZT"],
                             "BBZ": "", "CJRQ": CJRQ})


def build_entrusted(bank: Bank, n: int) -> None:
    """委托贷款: the bank lends the principal's money; the IOU is also filed in the corporate IOU table."""
    rng = bank.rng
    for k in range(n):
        companies = [c for c in borrowers(bank.companies) if c["KHLX"] != "境外机构"]
        principal = bank.companies[(k * 11 + 3) % len(bank.companies)]
        customer = companies[(k * 13 + 5) % len(companies)]
        if customer is principal:
            customer = companies[(k * 13 + 6) % len(companies)]
        row = loan_row(bank, 900000 + k, customer, False, "委托贷款", dict(INDUSTRIES)[customer["SSHY"]], 1,
                       "分期付息一次还本", "经营周转")
        row["MXKMBH"], row["MXKMMC"] = "13030201", SUBJECT_NAME["13030201"]
        ln = Loan(row, False, "信用", entrusted=True)
        bank.loans.append(ln)
        kind = "公积金贷款" if k % 7 == 0 else ("现金管理项下委托贷款" if k % 3 == 0 else "非现金管理项下委托贷款")
        bank.add("WTDKXXB", {"JRXKZH": row["JRXKZH"], "NBJGH": row["NBJGH"], "YHJGMC": row["YHJGMC"],
                             "MXKMBH": row["MXKMBH"], "MXKMMC": row["MXKMMC"], "HTBH": row["XDHTH"], "XDJJH": row["XDJJH"],
                             "WTDKLX": kind, "BZ": row["BZ"], "DKJE": row["DKJE"], "HTQSRQ": row["DKFFRQ"],
                             # 现金管理项下 without an agreed end: 99991231 (Q&A batch 3, 表1 rows 5074/5079)
                             "HTDQRQ": OPEN if kind == "现金管理项下委托贷款" else row["DKDQRQ"], "WTRBH": principal["KHTYBH"], "WTRMC": principal["KHMC"],
                             "WTRZH": principal["JBCKZH"], "WTRKHHMC": principal["JBCKZHKHHMC"],
                             "SYRMC": customer["KHMC"], "SYRZH": customer["JBCKZH"], "SYRKHHMC": customer["JBCKZHKHHMC"],
                             "SFSX": "是", "SXFBZ": "CNY", "SXFJE": money(float(row["DKJE"]) * 0.001),
                             "KHJLGH": row["XDYGH"], "DKZT": row["DKZT"], "BBZ": "", "CJRQ": CJRQ})


# ---------------------------------------------------------------- the batch

def split_loans(bank: Bank) -> None:
    for ln in bank.loans:
        bank.add("GRXDYWJJB" if ln.personal else "DGXDYWJJB", ln.row)


STEPS: list[Callable[[Bank], None]] = [
    build_institutions, build_staff,
    lambda b: build_persons(b, 420), lambda b: build_companies(b, 240),
    lambda b: build_loans(b, 520, 300), lambda b: build_entrusted(b, 24),
    split_loans, build_contracts, build_accounts, build_guarantees, build_write_offs,
    lambda b: build_old_write_offs(b, 60), build_transfers,
    build_syndicate_table, build_ledger, build_org_relations, build_grade_changes, build_groups, build_statements,
]


def build(seed: int = SEED) -> dict[str, list[dict]]:
    """Every table's rows (tables without business: empty lists)."""
    bank = Bank(random.Random(seed))
    for step in STEPS:
        step(bank)
    return bank.rows


def write(out: Path, seed: int = SEED) -> dict[str, int]:
    """Write the batch as EAST .txt files (UTF-8, SOH-separated, LF) into ``out``; returns rows per table."""
    from engine.spec import load_catalog
    catalog = load_catalog(ROOT / "specs" / "east5")
    rows = build(seed)
    fresh_folder(out, f"{LICENCE}-*-{CJRQ}.txt")
    counts = {}
    for code, table in catalog.tables.items():
        table_rows = rows.get(code, [])
        unknown = {k for r in table_rows for k in r} - set(table.field_codes)
        if unknown:
            raise ValueError(f"{code}: fields not in the spec: {sorted(unknown)}")
        text = "".join(SEP.join(str(r.get(c, "")) for c in table.field_codes) + "\n" for r in table_rows)
        (out / f"{LICENCE}-{code}-{CJRQ}.txt").write_text(text, encoding="utf-8", newline="\n")
        counts[code] = len(table_rows)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the batch into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    counts = write(args.out / f"{LICENCE}-{CJRQ}" if args.out.name != f"{LICENCE}-{CJRQ}" else args.out, args.seed)
    print(f"{sum(counts.values())} rows in {sum(1 for v in counts.values() if v)} tables "
          f"({len(counts)} files)")


if __name__ == "__main__":
    main()
