"""Generate the example 股权和关联交易 submission with planted defects and its expected findings.

    python examples/equity_rpt/generate.py              # rewrite the shipped example batch
    python examples/equity_rpt/generate.py --out DIR    # write it (and expected_findings.json) elsewhere

A fictional rural commercial bank (江苏吴中太湖农村商业银行) at the end of Q2 2024: its regulatory
parameters, 25 shareholders and their ownership chains, the shareholding structure, pledges and
freezes, share transfers and an institution change (no capital change this period, so no 注册资本变更情况
file), the yearly main-shareholder assessments, related-party profiles and policy, the quarter's
related-party transactions, the single major-transaction reports, the quarterly report and corrections of
returned data (银保监办发〔2022〕101号 and its annex). Files are CSV with Chinese headers
(the layout of the systems' Excel templates), one per table, named ``<licence>-<TABLE>-<date>.csv``.

Identifiers carry their real check characters (USCC GB 32100, organisation code GB 11714, resident
ID GB 11643, LEI ISO 17442: examples/common.py); division codes are real GB/T 2260 codes. Clean
records satisfy every rule of rulesets/equity_rpt; each defect then changes a few fields and names
the findings it must trigger. ``expected_findings.json`` is written from the planted defects, never
from an engine run.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.spec import load_catalog  # noqa: E402
from examples.common import CsvBatch, broken, lei, money, ric, run_csv_example, uscc  # noqa: E402

HERE = Path(__file__).resolve().parent
LICENCE = "B1287H232050001"
DATE = "20240630"
BATCH = f"{LICENCE}-{DATE}"
NET_CAPITAL = {"20240331": 6_850_000_000, "20240630": 7_012_000_000}  # 资本净额, 元
TOTAL_SHARES = 3_000_000_000


def add_workdays(day: str, n: int) -> str:
    d = dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    while n:
        d += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d.strftime("%Y%m%d")


def pct(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".") if "." in f"{x:.6f}" else f"{x}"


BANK_USCC = uscc("320506", 100001, "91")
STATE_ID = uscc("320506", 1, "11")          # 苏州市吴中区人民政府国有资产监督管理办公室 (机关: 1-1)
PARK_ID = uscc("320505", 2, "11")           # 苏州工业园区管理委员会
KUNSHAN_ID = uscc("320583", 3, "11")        # 昆山市政府国有资产监督管理办公室

# ---------------------------------------------------------------- clean records


@dataclass
class Holder:
    name: str
    kind: str  # 股东类型
    shares: int
    division: str
    industry: str
    serial: int
    main: bool = False
    person: tuple[str, str, int] | None = None  # (region, birth, seq) for natural persons


HOLDERS = [
    Holder("苏州市吴中国有资本投资集团有限公司", "国有企业", 420_000_000, "320506", "J69", 11, main=True),
    Holder("江苏太湖实业集团有限公司", "民营企业", 285_000_000, "320506", "C17", 12, main=True),
    Holder("苏州金阊纺织集团股份有限公司", "民营企业", 216_000_000, "320508", "C17", 13, main=True),
    Holder("吴江盛泽丝绸控股有限公司", "民营企业", 165_000_000, "320509", "C17", 14, main=True),
    Holder("苏州工业园区城市发展投资有限公司", "国有企业", 180_000_000, "320505", "K70", 15, main=True),
    Holder("昆山高新创业投资有限公司", "国有企业", 150_000_000, "320583", "L72", 16, main=True),
    Holder("常熟市华源置业有限公司", "民营企业", 144_000_000, "320581", "K70", 17),
    Holder("张家港保税区长江国际贸易有限公司", "民营企业", 96_000_000, "320582", "F51", 18),
    Holder("苏州银通投资管理有限公司", "非银行金融机构", 75_000_000, "320508", "J67", 19),
    Holder("太仓港口物流有限公司", "民营企业", 60_000_000, "320585", "G59", 20),
    Holder("苏州吴中经济技术开发区资产经营有限公司", "国有企业", 147_000_000, "320506", "L72", 21, main=True),
    Holder("江苏东吴物产集团有限公司", "民营企业", 135_000_000, "320508", "F51", 22),
    Holder("苏州高铁新城建设投资有限公司", "国有企业", 120_000_000, "320507", "E48", 23),
    Holder("苏州东方丝路股权投资合伙企业（有限合伙）", "民营企业", 114_000_000, "320508", "J67", 24),
    Holder("江苏澄源电力设备有限公司", "民营企业", 90_000_000, "320506", "C38", 25),
    Holder("苏州市相城城市建设投资（集团）有限公司", "国有企业", 90_000_000, "320507", "E48", 26),
    Holder("苏州恒泰控股集团有限公司", "民营企业", 148_500_000, "320506", "L72", 27),
    Holder("江苏华通投资有限公司", "民营企业", 148_500_000, "320506", "L72", 28),   # sold its stake to 恒泰
    Holder("吴江东方市场投资发展有限公司", "民营企业", 147_000_000, "320509", "L72", 29),
    Holder("苏州新区高新技术产业股份有限公司", "国有企业", 135_000_000, "320505", "K70", 30),
    Holder("江苏苏豪控股集团有限公司", "国有企业", 79_200_000, "320100", "F51", 31),
    Holder("顾建华", "员工自然人", 1_500_000, "", "", 0, person=("320506", "19720314", 31)),
    Holder("沈玉芬", "非员工自然人", 1_200_000, "", "", 0, person=("320505", "19650822", 42)),
    Holder("陆志明", "员工自然人", 300_000, "", "", 0, person=("320509", "19880107", 15)),
    Holder("王丽华", "员工自然人", 300_000, "", "", 0, person=("320506", "19790930", 26)),
]
SOLD = "江苏华通投资有限公司"
STATE_HOLDERS = {h.name for h in HOLDERS if h.kind == "国有企业"}


def holder_id(h: Holder) -> str:
    return ric(*h.person) if h.person else uscc(h.division, 200000 + h.serial)


def shareholders() -> list[dict]:
    rows = []
    for i, h in enumerate(HOLDERS, start=1):
        ratio = h.shares / TOTAL_SHARES * 100
        person = h.person is not None
        price = 2.05
        rows.append({
            "JRXKZH": LICENCE, "BGRQ": DATE, "GDBH": f"GD{i:03d}", "GDMC": h.name,
            "ZTLX": "自然人" if person else ("非法人组织" if "合伙" in h.name else "法人"), "GDLX": h.kind,
            "SYZXZ": "" if person else ("国有控股" if h.kind == "国有企业" else "民营控股"),
            "ZJLX": "居民身份证" if person else "统一社会信用代码", "ZJHM": holder_id(h),
            "LEI": lei(f"3003000{i:02d}SZWZTHRCB") if h.main and not person else "", "GJDQ": "CHN",
            "ZCD": "" if person else h.division, "HY": "" if person else h.industry,
            "FDDBR": "" if person else "张明", "ZCZB": "" if person else money(500_000_000),
            "CGSL": str(h.shares), "RGJG": "2.0500", "RGJE": money(h.shares * price), "CGBL": pct(ratio),
            "BJQBL": pct(ratio), "SFZYGD": "是" if h.main else "否", "SFKGGD": "否", "SFDGD": "是" if ratio >= 10 else "否",
            "PZDJS": "是" if h.main else "否", "TMDSRS": "1" if h.main else "0",
            "XZXKWH": f"苏银保监复〔2019〕{100 + i}号" if ratio >= 5 else "", "ZJLY": "自有资金",
            "SJKZR": "" if person else controller_of(h), "ZZSYR": "" if person else controller_of(h),
            "YZXDRZ": "", "CGSHYHSL": "1" if h.main else "0", "KGSHYHSL": "0",
            "ZYGS": "0", "DJGS": "0", "ZYBL": "0", "DJBL": "0", "SFXQ": "否", "SFXZ": "否",
            "DJRQ": "20190628", "RGRQ": "20190628", "BDRQ": "", "ZJGXRQ": "20240115", "BSRQ": "20190705", "ZT": "有效",
        })
    return rows


CONTROLLERS = {
    "苏州市吴中国有资本投资集团有限公司": "苏州市吴中区人民政府国有资产监督管理办公室",
    "江苏太湖实业集团有限公司": "周国强",
    "苏州金阊纺织集团股份有限公司": "钱立新",
    "吴江盛泽丝绸控股有限公司": "沈家荣",
    "苏州工业园区城市发展投资有限公司": "苏州工业园区管理委员会",
    "昆山高新创业投资有限公司": "昆山市政府国有资产监督管理办公室",
    "苏州吴中经济技术开发区资产经营有限公司": "苏州市吴中区人民政府国有资产监督管理办公室",
}


def controller_of(h: Holder) -> str:
    return CONTROLLERS.get(h.name, "无")


def edge(gdbh: str, level: int, holder: str, holder_id: str, kind: str, held: str, held_id: str, ratio: float,
         controller: bool = False, id_type: str = "统一社会信用代码") -> dict:
    return {"JRXKZH": LICENCE, "BGRQ": DATE, "GDBH": gdbh, "CJ": str(level), "CYRMC": holder, "CYRZJLX": id_type,
            "CYRZJHM": holder_id, "CYRLX": kind, "BCYZTMC": held, "BCYZTZJHM": held_id, "CYBL": pct(ratio),
            "SFSJKZR": "是" if controller else "否", "SFZZSYR": "是" if controller else "否", "SFXZZYGD": "否",
            "GQBGRQ": "", "BSRQ": "20190705"}


def chains(ids: dict[str, str]) -> list[dict]:
    """Ownership chains of the main shareholders, each up to its actual controller."""
    bank = "江苏吴中太湖农村商业银行股份有限公司"
    taihu_holding = uscc("320506", 300001)
    zhou = ric("320506", "19660418", 17)
    qian = ric("320508", "19610203", 33)
    kunshan_venture = uscc("320583", 300002)
    park_holding = uscc("320505", 300003)
    jinhua = uscc("320508", 300004)
    pct_of = {h.name: h.shares / TOTAL_SHARES * 100 for h in HOLDERS}
    g = {h.name: f"GD{i:03d}" for i, h in enumerate(HOLDERS, start=1)}
    wz, th, jc, park, ks, dev = ("苏州市吴中国有资本投资集团有限公司", "江苏太湖实业集团有限公司", "苏州金阊纺织集团股份有限公司",
                                 "苏州工业园区城市发展投资有限公司", "昆山高新创业投资有限公司", "苏州吴中经济技术开发区资产经营有限公司")
    return [
        edge(g[wz], 1, wz, ids[wz], "国有机构", bank, BANK_USCC, pct_of[wz]),
        edge(g[wz], 2, "苏州市吴中区人民政府国有资产监督管理办公室", STATE_ID, "国有机构", wz, ids[wz], 100, True),
        edge(g[th], 1, th, ids[th], "非上市企业", bank, BANK_USCC, pct_of[th]),
        edge(g[th], 2, "江苏太湖控股有限公司", taihu_holding, "非上市企业", th, ids[th], 70),
        edge(g[th], 3, "周国强", zhou, "自然人", "江苏太湖控股有限公司", taihu_holding, 80, True, "居民身份证"),
        edge(g[jc], 1, jc, ids[jc], "非上市企业", bank, BANK_USCC, pct_of[jc]),
        edge(g[jc], 2, "钱立新", qian, "自然人", jc, ids[jc], 65, True, "居民身份证"),
        edge(g[jc], 2, "苏州锦华投资有限公司", jinhua, "非上市企业", jc, ids[jc], 35),
        edge(g[park], 1, park, ids[park], "国有机构", bank, BANK_USCC, pct_of[park]),
        edge(g[park], 2, "苏州工业园区国有资产控股发展有限公司", park_holding, "国有机构", park, ids[park], 100),
        edge(g[park], 3, "苏州工业园区管理委员会", PARK_ID, "国有机构", "苏州工业园区国有资产控股发展有限公司", park_holding, 100, True),
        edge(g[ks], 1, ks, ids[ks], "国有机构", bank, BANK_USCC, pct_of[ks]),
        edge(g[ks], 2, "昆山创业控股集团有限公司", kunshan_venture, "国有机构", ks, ids[ks], 100),
        edge(g[ks], 3, "昆山市政府国有资产监督管理办公室", KUNSHAN_ID, "国有机构", "昆山创业控股集团有限公司", kunshan_venture, 100, True),
        edge(g[dev], 1, dev, ids[dev], "国有机构", bank, BANK_USCC, pct_of[dev]),
        edge(g[dev], 2, "苏州市吴中区人民政府国有资产监督管理办公室", STATE_ID, "国有机构", dev, ids[dev], 100, True),
    ]


def structure() -> list[dict]:
    cats = {"国有法人股": [], "民营法人股": [], "其他": [], "员工自然人股": [], "非员工自然人股": []}
    for h in HOLDERS:
        if h.name == SOLD:
            continue
        cat = ("员工自然人股" if h.kind == "员工自然人" else "非员工自然人股" if h.kind == "非员工自然人"
               else "其他" if "合伙" in h.name else "国有法人股" if h.kind == "国有企业" else "民营法人股")
        cats[cat].append(h.shares)
    return [{"JRXKZH": LICENCE, "BGRQ": DATE, "GDLB": cat, "GS": str(sum(s)), "BL": pct(sum(s) / TOTAL_SHARES * 100),
             "HS": str(len(s))} for cat, s in cats.items()]


def institution() -> list[dict]:
    return [{"JRXKZH": LICENCE, "JGTYDM": BANK_USCC, "JGMC": "江苏吴中太湖农村商业银行股份有限公司", "JGLB": "商业银行",
             "ZCD": "320506", "SYZXZ": "民营控股",
             "SFSS": "否", "QMRQ": qm, "ZBJE": money(nc), "ZZC": money(nc * 11.8), "JSJZC": "", "ZCZB": money(TOTAL_SHARES),
             "ZGB": str(TOTAL_SHARES), "BSRQ": bs} for qm, nc, bs in (("20240331", NET_CAPITAL["20240331"], "20240426"),
                                                                     ("20240630", NET_CAPITAL["20240630"], "20240725"))]


PLEDGEE = uscc("320500", 400001)


def pledges(ids: dict[str, str]) -> list[dict]:
    def ev(no, holder, kind, shares, start, known, filed, pledgee="", pledgee_id="", end="99991231", registrar="中国证券登记结算有限责任公司"):
        i = next(k for k, h in enumerate(HOLDERS, start=1) if h.name == holder)
        return {"JRXKZH": LICENCE, "SJBH": f"ZY2024{no:03d}", "GDBH": f"GD{i:03d}", "GDMC": holder, "GDZJHM": ids[holder],
                "CGSL": str(HOLDERS[i - 1].shares), "SJLX": kind, "GS": str(shares), "ZQRMC": pledgee, "ZQRTYDM": pledgee_id,
                "ZYMD": "为股东自身融资提供质押担保" if kind == "质押" else "", "QSRQ": start, "JSRQ": end,
                "DJJG": registrar, "ZXRQ": known, "BSRQ": filed}
    return [
        ev(1, "江苏太湖实业集团有限公司", "质押", 171_000_000, "20240605", "20240606", "20240620", "苏州吴中国发信托有限公司", PLEDGEE, "20270604"),
        ev(2, "苏州金阊纺织集团股份有限公司", "质押", 129_600_000, "20240412", "20240415", "20240426", "苏州东吴资产管理有限公司",
           uscc("320500", 400002), "20260411"),
        ev(3, "江苏澄源电力设备有限公司", "质押", 45_000_000, "20240520", "20240520", "20240527", "苏州吴江融资担保有限公司",
           uscc("320509", 400003), "20250519"),
        ev(4, "张家港保税区长江国际贸易有限公司", "司法冻结", 20_000_000, "20240603", "20240607", "20240614",
           registrar="江苏省苏州市中级人民法院"),
    ]


LEGAL_PARTIES = [  # (name, category, relation, linked shareholder no., group, division, industry)
    ("苏州市吴中国有资本投资集团有限公司", "主要股东", "持股14%的主要股东", "GD001", "JT02", "320506", "J69"),
    ("江苏太湖实业集团有限公司", "主要股东", "持股9.5%的主要股东", "GD002", "JT01", "320506", "C17"),
    ("江苏太湖控股有限公司", "主要股东的控股股东或实际控制人", "太湖实业的控股股东", "GD002", "JT01", "320506", "L72"),
    ("苏州太湖置业有限公司", "受关联方控制或重大影响的法人", "太湖控股控制的企业", "GD002", "JT01", "320506", "K70"),
    ("苏州金阊纺织集团股份有限公司", "主要股东", "持股7.2%的主要股东", "GD003", "JT03", "320508", "C17"),
    ("吴江盛泽丝绸控股有限公司", "主要股东", "持股5.5%的主要股东", "GD004", "JT04", "320509", "C17"),
    ("苏州工业园区城市发展投资有限公司", "主要股东", "持股6%的主要股东", "GD005", "JT05", "320505", "K70"),
    ("昆山高新创业投资有限公司", "主要股东", "持股5%的主要股东", "GD006", "JT06", "320583", "L72"),
    ("苏州吴中经济技术开发区资产经营有限公司", "主要股东", "派驻董事的主要股东", "GD011", "JT02", "320506", "L72"),
    ("苏州吴中城市建设投资有限公司", "受关联方控制或重大影响的法人", "吴中国资集团控制的企业", "GD001", "JT02", "320506", "E48"),
    ("苏州吴中文旅发展有限公司", "受关联方控制或重大影响的法人", "吴中国资集团控制的企业", "GD001", "JT02", "320506", "N78"),
    ("苏州锦华投资有限公司", "受关联方控制或重大影响的法人", "金阊纺织的参股股东", "GD003", "JT03", "320508", "L72"),
    ("苏州太湖金融科技服务有限公司", "本机构控制或重大影响的法人", "本行参股的企业", "", "", "320506", "I65"),
    ("苏州顾氏餐饮管理有限公司", "关联自然人控制或重大影响的法人", "本行董事顾建华之配偶控制的企业", "", "", "320506", "H62"),
    ("吴中湖滨物业管理有限公司", "关联自然人控制或重大影响的法人", "原高管近亲属控制的企业", "", "", "320506", "K70"),
]


def legal_parties() -> list[dict]:
    rows = []
    for i, (name, cat, rel, link, group, div, ind) in enumerate(LEGAL_PARTIES, start=1):
        holder = next((h for h in HOLDERS if h.name == name), None)
        rows.append({"JRXKZH": LICENCE, "GLFBH": f"GLF{i:03d}", "GLFMC": name, "ZJLX": "统一社会信用代码",
                     "ZJHM": holder_id(holder) if holder else uscc(div, 500000 + i), "LEI": "", "GJDQ": "CHN", "ZCD": div,
                     "HY": ind, "FDDBR": "陈立", "ZCZB": money(100_000_000 + i * 10_000_000), "JJXZ": "有限责任公司",
                     "GLFLB": cat, "GLGX": rel, "GLRBH": link, "JTBH": group, "RDRQ": "20220301", "ZZRQ": "", "ZT": "有效",
                     "BSRQ": "20220315"})
    return rows


NATURAL_PARTIES = [  # (name, category, kinship, position, linked party, region, birth, seq)
    ("顾建华", "董事", "本人", "董事长", "", "320506", "19720314", 31),
    ("许文静", "上述人员的近亲属", "配偶", "", "GLZ001", "320506", "19740611", 24),
    ("钱志远", "高级管理人员", "本人", "行长", "", "320508", "19750902", 13),
    ("钱晓雯", "上述人员的近亲属", "成年子女", "", "GLZ003", "320508", "20000117", 26),
    ("周国强", "控股自然人股东或实际控制人", "本人", "", "GLF002", "320506", "19660418", 17),
    ("钱立新", "控股自然人股东或实际控制人", "本人", "", "GLF005", "320508", "19610203", 33),
    ("沈家荣", "控股自然人股东或实际控制人", "本人", "", "GLF006", "320509", "19580724", 11),
    ("孙丽萍", "监事", "本人", "监事长", "", "320505", "19700529", 48),
    ("吴海东", "核心审批人员", "本人", "授信审批部总经理", "", "320506", "19800212", 35),
    ("吴海燕", "上述人员的近亲属", "兄弟姐妹", "", "GLZ009", "320506", "19830409", 22),
]


def natural_parties() -> list[dict]:
    return [{"JRXKZH": LICENCE, "GLFBH": f"GLZ{i:03d}", "XM": name, "ZJLX": "居民身份证", "ZJHM": ric(region, birth, seq),
             "GJDQ": "CHN", "GLFLB": cat, "QSGX": kin, "ZW": pos, "RZRQ": "20210601" if pos else "", "GLRBH": link,
             "RDRQ": "20220301", "ZZRQ": "", "ZT": "有效", "BSRQ": "20220315"}
            for i, (name, cat, kin, pos, link, region, birth, seq) in enumerate(NATURAL_PARTIES, start=1)]


NC_Q1 = NET_CAPITAL["20240331"]
BUSINESS = {"授信类": "流动资金贷款", "资产转移类": "信贷资产转让", "服务类": "信息技术服务", "存款和其他类型": "单位定期存款"}
PRICE = {"授信类": "年利率3.85%", "资产转移类": "按账面价值转让", "服务类": "按合同约定服务费", "存款和其他类型": "年利率1.75%"}
PRICING = "参照同期同类非关联方交易价格确定，不优于非关联方同类交易"


def transactions() -> list[dict]:
    def tx(no, party, group, kind, signed, amount, cumulative, major, unified="否", approver="董事会", currency="CNY"):
        return {"JRXKZH": LICENCE, "JYBH": f"GLJY2024{no:04d}", "GLFBH": party, "JTBH": group, "JYLB": kind,
                "YWLX": BUSINESS[kind], "JYJG": PRICE[kind], "DJZC": PRICING,
                "XYBH": f"SZTH-{kind[:2]}-2024-{no:04d}", "QSRQ": signed, "JYJE": money(amount), "BZ": currency,
                "LJJE": money(cumulative), "SFZD": major, "SFTYXY": unified, "SPJG": approver}
    return [
        tx(1, "GLF002", "JT01", "授信类", "20240408", 50_000_000, 50_000_000, "否", approver="关联交易控制委员会"),
        tx(2, "GLF004", "JT01", "授信类", "20240415", 80_000_000, 80_000_000, "是"),
        tx(3, "GLF001", "JT02", "授信类", "20240520", 120_000_000, 120_000_000, "是"),
        tx(4, "GLF005", "JT03", "授信类", "20240510", 70_000_000, 70_000_000, "否", approver="关联交易控制委员会"),
        tx(5, "GLF007", "JT05", "资产转移类", "20240603", 30_000_000, 360_000_000, "是"),
        tx(6, "GLF013", "", "服务类", "20240611", 2_000_000, 2_000_000, "否", approver="高级管理层"),
        tx(7, "GLF010", "JT02", "存款和其他类型", "20240422", 5_000_000, 5_000_000, "否", approver="高级管理层"),
        tx(8, "GLF011", "JT02", "服务类", "20240617", 10_000_000, 10_000_000, "否", unified="否", approver="关联交易控制委员会"),
        tx(9, "GLZ001", "", "授信类", "20240528", 1_500_000, 1_500_000, "否", approver="关联交易控制委员会"),
        tx(10, "GLF012", "JT03", "服务类", "20240619", 800_000, 800_000, "否", approver="高级管理层"),
        tx(11, "GLF014", "", "服务类", "20240624", 600_000, 600_000, "否", approver="高级管理层"),
    ]


def major_reports() -> list[dict]:
    def rep(no, tx_no, party, name, kind, signed, amount, approved, disclosed, filed, approver="董事会"):
        return {"JRXKZH": LICENCE, "BGBH": f"ZDBG2024{no:03d}", "JYBH": f"GLJY2024{tx_no:04d}", "GLFBH": party,
                "GLFMC": name, "JYLB": kind, "YWLX": BUSINESS[kind], "JYJG": PRICE[kind], "DJZC": PRICING,
                "XYBH": f"SZTH-{kind[:2]}-2024-{tx_no:04d}", "QSRQ": signed,
                "JYJE": money(amount), "BZ": "CNY", "ZBBL": pct(round(amount / NC_Q1 * 100, 6)), "SPJG": approver,
                "SPRQ": approved, "DLDSYJ": "同意", "PLRQ": disclosed, "BSRQ": filed}
    return [
        rep(1, 2, "GLF004", "苏州太湖置业有限公司", "授信类", "20240415", 80_000_000, "20240412", "20240430", "20240430"),
        rep(2, 3, "GLF001", "苏州市吴中国有资本投资集团有限公司", "授信类", "20240520", 120_000_000, "20240517", "20240603",
            "20240603"),
        rep(3, 5, "GLF007", "苏州工业园区城市发展投资有限公司", "资产转移类", "20240603", 30_000_000, "20240531", "20240620",
            "20240625"),
    ]


def quarterly() -> list[dict]:
    def q(party, name, group, gross, margin=0, cd=0, bond=0, majors=0):
        net = gross - margin - cd - bond
        return {"JRXKZH": LICENCE, "JDMRQ": DATE, "GLFBH": party, "GLFMC": name, "JTBH": group, "SXYE": money(gross),
                "BZJ": money(margin), "ZYCD": money(cd), "ZYGZ": money(bond), "SXJE": money(net),
                "ZBBL": pct(round(net / NC_Q1 * 100, 6)), "ZDJYBS": str(majors), "BSRQ": "20240726"}
    return [
        q("GLF002", "江苏太湖实业集团有限公司", "JT01", 450_000_000, margin=20_000_000),
        q("GLF004", "苏州太湖置业有限公司", "JT01", 600_000_000, cd=30_000_000, majors=1),
        q("GLF003", "江苏太湖控股有限公司", "JT01", 80_000_000),
        q("GLF001", "苏州市吴中国有资本投资集团有限公司", "JT02", 650_000_000, majors=1),
        q("GLF005", "苏州金阊纺织集团股份有限公司", "JT03", 310_000_000, margin=10_000_000),
        q("GLF007", "苏州工业园区城市发展投资有限公司", "JT05", 400_000_000, majors=1),
        q("GLF006", "吴江盛泽丝绸控股有限公司", "JT04", 200_000_000),
        q("GLF008", "昆山高新创业投资有限公司", "JT06", 150_000_000, bond=5_000_000),
        q("GLZ001", "顾建华", "", 1_500_000),
    ]


def transfers(ids: dict[str, str]) -> list[dict]:
    """Share transfers (101号 附件一.4(5)): 华通 sold its stake to 恒泰; 顾建华 sold shares to two employees."""
    def tr(no, seller, buyer, price, shares, signed, registered, filed):
        return {"JRXKZH": LICENCE, "ZRBH": f"GQZR2024{no:03d}", "ZRFMC": seller, "ZRFZJHM": ids[seller], "SRFMC": buyer,
                "SRFZJHM": ids[buyer], "ZRJG": "2.3000" if price else "2.0500", "ZRSL": str(shares), "ZRRQ": signed,
                "BGWCRQ": registered, "BSRQ": filed}
    return [tr(1, "江苏华通投资有限公司", "苏州恒泰控股集团有限公司", True, 148_500_000, "20240510", "20240520", "20240531"),
            tr(2, "顾建华", "陆志明", False, 300_000, "20240403", "20240410", "20240419"),
            tr(3, "顾建华", "王丽华", False, 300_000, "20240403", "20240410", "20240419")]


def institution_changes() -> list[dict]:
    """The bank moved its registered office within 吴中区 (101号 附件一.4(1))."""
    return [{"JRXKZH": LICENCE, "BGBH": "JGBG2024001", "JGLB": "商业银行", "BGSX": "注册地",
             "BGQNR": "苏州市吴中区东吴北路66号", "BGHNR": "苏州市吴中区太湖东路8号", "GSBGRQ": "20240412", "BSRQ": "20240509"}]


def assessments() -> list[dict]:
    """The 2023 assessment of every main shareholder, filed by 30 May 2024 (101号 附件一.3(2))."""
    rows = []
    for i, h in enumerate(HOLDERS, start=1):
        if h.main:
            rows.append({"JRXKZH": LICENCE, "PGJZR": "20231231", "GDBH": f"GD{i:03d}", "GDMC": h.name,
                         "SFDGD": "是" if h.shares / TOTAL_SHARES >= 0.1 else "否", "ZZC": money(h.shares * 40),
                         "JZC": money(h.shares * 16), "YYSR": money(h.shares * 9), "JLR": money(h.shares * 0.8),
                         "ZXZCQK": "遵守本行章程，未发现违反章程的情形", "LXCNQK": "已履行入股时作出的各项承诺",
                         "XSQLYWQK": "依法行使表决权，未干预本行经营管理", "LSFGQK": "未发现违反法律法规和监管规定的情形",
                         "BSRQ": "20240528"})
    return rows


def policies() -> list[dict]:
    """The related-party policies as filed (101号 附件二.3(3))."""
    return [{"JRXKZH": LICENCE, "BGRQ": DATE, "ZDBH": "SZTH-ZD-GLJY-001", "ZDMC": "关联交易管理办法（2023年修订）",
             "FBRQ": "20230428", "BSRQ": "20230510"},
            {"JRXKZH": LICENCE, "BGRQ": DATE, "ZDBH": "SZTH-ZD-GLJY-002", "ZDMC": "关联方名单管理实施细则",
             "FBRQ": "20210315", "BSRQ": "20210322"}]


def returns() -> list[dict]:
    def r(no, table, returned, reason, state, fixed):
        return {"JRXKZH": LICENCE, "THBH": f"TH2024{no:03d}", "BBDM": table, "THRQ": returned, "THYY": reason,
                "ZGZT": state, "ZGRQ": fixed}
    return [
        r(1, "GDJBXX", "20240415", "股东证件号码与工商登记不一致", "已整改", "20240424"),
        r(2, "GLFR", "20240603", "关联方档案缺少注册资本", "已整改", "20240614"),
        r(3, "GLJYJB", "20240708", "授信净额计算口径有误", "未整改", ""),
    ]


# ---------------------------------------------------------------- the batch and its defects

CATALOG = load_catalog(ROOT / "specs" / "equity_rpt")


def file_name(table: str) -> str:
    return f"{LICENCE}-{table}-{DATE}.csv"


def index_of(rows: list[dict], key: str, value: str) -> int:
    return next(i for i, r in enumerate(rows) if r[key] == value)


def build_batch() -> CsvBatch:
    b = CsvBatch(CATALOG, file_name)
    holders = shareholders()
    ids = {r["GDMC"]: r["ZJHM"] for r in holders}
    b.rows = {"JGJCXX": institution(), "GDJBXX": holders, "GQJG": structure(), "GDCTXX": chains(ids),
              "ZYDJBD": pledges(ids), "GLFR": legal_parties(), "GLZRR": natural_parties(), "GLJYMX": transactions(),
              "ZDGLJY": major_reports(), "GLJYJB": quarterly(), "THZG": returns(), "GQZR": transfers(ids),
              "JGBGXX": institution_changes(), "ZYGDPG": assessments(), "GLJYZD": policies()}
    set_clean_events(b)
    plant_institution(b)
    plant_shareholders(b)
    plant_structure(b)
    plant_chains(b)
    plant_pledges(b)
    plant_related_parties(b)
    plant_transactions(b)
    plant_quarterly(b)
    plant_returns(b)
    plant_notice(b)
    return b


def set_clean_events(b: CsvBatch) -> None:
    """Pledges, the share transfer and the new holders as they stand in the register (all on time). A new
    holder's report runs from its registration (DJRQ); 变动知悉日期 (BDRQ) is for changes of existing holders."""
    rows = b.rows["GDJBXX"]
    taihu, jinchang, chengyuan = (index_of(rows, "GDMC", n) for n in
                                  ("江苏太湖实业集团有限公司", "苏州金阊纺织集团股份有限公司", "江苏澄源电力设备有限公司"))
    rows[taihu].update(ZYGS="171000000", ZYBL="60", SFXQ="是", BDRQ="20240606", BSRQ="20240620")
    rows[jinchang].update(ZYGS="129600000", ZYBL="60", SFXQ="是", BDRQ="20240415", BSRQ="20240426")
    rows[chengyuan].update(ZYGS="45000000", ZYBL="50", BDRQ="20240520", BSRQ="20240527")
    freeze = index_of(rows, "GDMC", "张家港保税区长江国际贸易有限公司")
    rows[freeze].update(DJGS="20000000", DJBL=pct(round(20_000_000 / 96_000_000 * 100, 6)), BDRQ="20240607", BSRQ="20240614")
    buyer = index_of(rows, "GDMC", "苏州恒泰控股集团有限公司")
    rows[buyer].update(SFXZ="是", DJRQ="20240520", RGRQ="20240520", BSRQ="20240531", RGJG="2.3000",
                       RGJE=money(148_500_000 * 2.3))
    for name in ("陆志明", "王丽华"):
        i = index_of(rows, "GDMC", name)
        rows[i].update(SFXZ="是", DJRQ="20240410", RGRQ="20240410", BSRQ="20240419")
    assert add_workdays("20240606", 10) == "20240621" and add_workdays("20240415", 10) == "20240428"


def plant_institution(b: CsvBatch) -> None:
    rows, t = b.rows["JGJCXX"], "JGJCXX"
    rows[0]["BSRQ"] = "20240508"  # Q1 data filed after 30 April
    b.expect("JGJCXX.BSRQ.deadline", t, 0)


def plant_shareholders(b: CsvBatch) -> None:
    rows, t = b.rows["GDJBXX"], "GDJBXX"
    at = {r["GDMC"]: i for i, r in enumerate(rows)}
    # the seller of the 恒泰 stake was never set 无效: with the misreported 3.5 % below, the register holds 105.25 %
    b.expect("GDJBXX.ratio_sum", t, 0, f"{LICENCE}|{DATE}", value="total=105.25; holders=25")
    i = at["苏州金阊纺织集团股份有限公司"]          # pledged 60 % but votes not restricted
    rows[i]["SFXQ"] = "否"
    b.expect("GDJBXX.pledge_restricts_votes", t, i)
    i = at["吴江盛泽丝绸控股有限公司"]              # main shareholder never penetrated, no controller or beneficiary given
    rows[i]["SJKZR"] = rows[i]["ZZSYR"] = ""
    b.expect("GDJBXX.main_penetration", t, i)
    b.expect("GDJBXX.main_needs_controller", t, i)
    b.expect("GDJBXX.entity_needs_controller", t, i)
    b.expect("GDJBXX.entity_needs_beneficiary", t, i)
    i = at["苏州工业园区城市发展投资有限公司"]       # 6 % but not flagged as a main shareholder
    rows[i]["SFZYGD"] = "否"
    b.expect("GDJBXX.main_by_ratio", t, i)
    i = at["昆山高新创业投资有限公司"]              # its investor is main holder of 3 banks and controls 2
    rows[i].update(CGSHYHSL="3", KGSHYHSL="2")
    b.expect("GDJBXX.banks_major", t, i)
    b.expect("GDJBXX.banks_controlled", t, i)
    i = at["张家港保税区长江国际贸易有限公司"]       # 96,000,000 / 3,000,000,000 = 3.2 %, reported 3.5
    rows[i]["CGBL"] = "3.5"
    b.expect("GDJBXX.ratio_vs_shares", t, i, value="CGSL=96000000; CGBL=3.5; total_shares=3000000000")
    i = at["苏州银通投资管理有限公司"]              # typed 非银行金融机构, industry 商务服务业
    rows[i]["HY"] = "L72"
    b.expect("GDJBXX.financial_type_industry", t, i)
    i = at["太仓港口物流有限公司"]
    rows[i]["ZJHM"] = broken(rows[i]["ZJHM"])
    b.expect("GDJBXX.ZJHM.uscc", t, i)
    i = at["江苏太湖实业集团有限公司"]              # 5 % or more without the approval reference; a late change
    rows[i].update(XZXKWH="", BDRQ="20240606", BSRQ="20240625")
    b.expect("GDJBXX.main_needs_approval", t, i)
    b.expect("GDJBXX.BSRQ.change_deadline", t, i)
    i = at["苏州吴中经济技术开发区资产经营有限公司"]   # a 4.9 % main holder with no director or supervisor
    rows[i].update(PZDJS="否", TMDSRS="0")
    b.expect("GDJBXX.main_influence", t, i)
    i = at["江苏东吴物产集团有限公司"]              # 4.5 % marked 控股股东
    rows[i].update(SFKGGD="是", KGSHYHSL="1")
    b.expect("GDJBXX.controlling_ratio", t, i)
    i = at["江苏澄源电力设备有限公司"]              # pledged 45,000,000 of 90,000,000 = 50 %, reported 45
    rows[i]["ZYBL"] = "45"
    b.expect("GDJBXX.pledge_ratio", t, i)
    i = at["常熟市华源置业有限公司"]                # 入股金额 in 万元 instead of 元
    rows[i]["RGJE"] = money(144_000_000 * 2.05 / 10_000)
    b.expect("GDJBXX.amount_vs_price", t, i)
    i = at["王丽华"]                                # a natural person typed 民营企业
    rows[i]["GDLX"] = "民营企业"
    b.expect("GDJBXX.type_matches_subject", t, i)
    i = at["顾建华"]                                # a person with a USCC document type: also not a valid USCC
    rows[i]["ZJLX"] = "统一社会信用代码"
    b.expect("GDJBXX.id_type_matches_subject", t, i)
    b.expect("GDJBXX.ZJHM.uscc", t, i)
    i = at["沈玉芬"]
    rows[i]["ZJHM"] = broken(rows[i]["ZJHM"])
    b.expect("GDJBXX.ZJHM.resident_id", t, i)
    i = at["陆志明"]                                # registered 10 April, reported 28 June
    rows[i]["BSRQ"] = "20240628"
    b.expect("GDJBXX.BSRQ.new_holder_deadline", t, i)
    i = at["苏州工业园区城市发展投资有限公司"]
    rows[i]["LEI"] = broken(rows[i]["LEI"])
    b.expect("GDJBXX.LEI.lei", t, i)
    i = at["江苏苏豪控股集团有限公司"]
    rows[i]["GJDQ"] = "PRC"
    b.expect("GDJBXX.GJDQ.country", t, i)
    i = at["苏州市相城城市建设投资（集团）有限公司"]
    rows[i]["ZCD"] = "320599"
    b.expect("GDJBXX.ZCD.division", t, i)
    i = at["苏州东方丝路股权投资合伙企业（有限合伙）"]
    rows[i]["HY"] = "Z10"
    b.expect("GDJBXX.HY.industry", t, i)


def plant_structure(b: CsvBatch) -> None:
    rows, t = b.rows["GQJG"], "GQJG"
    i = index_of(rows, "GDLB", "民营法人股")
    assert rows[i]["BL"] == "52.05"
    rows[i]["BL"] = "52.5"  # transposed digits: the categories add up to 100.45 %
    b.expect("GQJG.ratio_sum", t, 0, f"{LICENCE}|{DATE}", value="total=100.45")


def plant_chains(b: CsvBatch) -> None:
    rows, t = b.rows["GDCTXX"], "GDCTXX"
    ks = index_of(rows, "CYRMC", "昆山创业控股集团有限公司")
    ks_holder = rows[index_of(rows, "CYRMC", "昆山高新创业投资有限公司")]
    # a cross-holding: 昆山高新 holds 10 % of its own parent
    rows.append(edge(ks_holder["GDBH"], 3, "昆山高新创业投资有限公司", ks_holder["CYRZJHM"], "国有机构", "昆山创业控股集团有限公司",
                     rows[ks]["CYRZJHM"], 10))
    b.expect("GDCTXX.no_cycle", t, ks)
    b.expect("GDCTXX.no_cycle", t, len(rows) - 1)
    # 苏州锦华投资 (35 % of 金阊纺织) is not traced further: the chain stops at an unlisted firm
    b.expect("GDCTXX.chain_terminal", t, index_of(rows, "CYRMC", "苏州锦华投资有限公司"))
    # a level-3 record hanging on an entity that holds nothing in the chain
    wz = rows[index_of(rows, "CYRMC", "苏州市吴中国有资本投资集团有限公司")]
    rows.append(edge(wz["GDBH"], 3, "江苏省人民政府国有资产监督管理委员会", uscc("320000", 9, "11"), "国有机构",
                     "苏州市吴中区国有资本投资有限公司", uscc("320506", 300009), 40))
    b.expect("GDCTXX.chain_connected", t, len(rows) - 1)
    # 开发区资产经营's level-1 record carries the company's old registration code
    i = index_of(rows, "CYRMC", "苏州吴中经济技术开发区资产经营有限公司")
    rows[i]["CYRZJHM"] = uscc("320506", 290021)
    b.expect("GDCTXX.level1_is_shareholder", t, i)
    # … so the level-2 record above it (the district's 国资办 holding the company) hangs on no holder either
    b.expect("GDCTXX.chain_connected", t, index_of(rows, "BCYZTMC", "苏州吴中经济技术开发区资产经营有限公司"))
    i = index_of(rows, "CYRMC", "钱立新")
    rows[i]["CYRZJHM"] = broken(rows[i]["CYRZJHM"])
    b.expect("GDCTXX.CYRZJHM.resident_id", t, i)
    i = index_of(rows, "CYRMC", "苏州工业园区国有资产控股发展有限公司")
    rows[i]["CYBL"] = "0"
    b.expect("GDCTXX.CYBL.range", t, i)


def plant_pledges(b: CsvBatch) -> None:
    rows, t = b.rows["ZYDJBD"], "ZYDJBD"
    # known 15 April; 10 working days end on Sunday 28 April (a make-up working day); filed 6 May
    rows[1]["BSRQ"] = "20240506"
    b.expect("ZYDJBD.BSRQ.deadline", t, 1)
    rows[2]["ZQRTYDM"] = broken(rows[2]["ZQRTYDM"])
    b.expect("ZYDJBD.ZQRTYDM.uscc", t, 2)


def plant_related_parties(b: CsvBatch) -> None:
    legal, t = b.rows["GLFR"], "GLFR"
    i = index_of(legal, "GLFMC", "苏州顾氏餐饮管理有限公司")   # identified 3 June, filed 5 July (due 2 July)
    legal[i].update(RDRQ="20240603", BSRQ="20240705")
    assert add_workdays("20240603", 20) == "20240702"
    b.expect("GLFR.BSRQ.deadline", t, i)
    i = index_of(legal, "GLFMC", "吴中湖滨物业管理有限公司")    # ended, without an end date
    legal[i]["ZT"] = "无效"
    b.expect("GLFR.ended_needs_date", t, i)
    people, t = b.rows["GLZRR"], "GLZRR"
    i = index_of(people, "XM", "吴海燕")
    people[i]["GLRBH"] = ""
    b.expect("GLZRR.relative_needs_link", t, i)
    i = index_of(people, "XM", "钱晓雯")
    people[i]["ZJHM"] = broken(people[i]["ZJHM"])
    b.expect("GLZRR.ZJHM.resident_id", t, i)
    i = index_of(people, "XM", "孙丽萍")                       # a new supervisor's profile filed late
    people[i].update(RDRQ="20240520", RZRQ="20240520", BSRQ="20240625")
    assert add_workdays("20240520", 20) == "20240618"
    b.expect("GLZRR.BSRQ.deadline", t, i)


def plant_transactions(b: CsvBatch) -> None:
    rows, t = b.rows["GLJYMX"], "GLJYMX"
    # 70,000,000 ≥ 1 % of 6,850,000,000: a major transaction flagged 否 and never reported
    i = index_of(rows, "JYBH", "GLJY20240004")
    b.expect("GLJYMX.major_recomputed", t, i)
    b.expect("GLJYMX.major_needs_report", t, i)
    i = index_of(rows, "JYBH", "GLJY20240008")                 # a unified agreement without a report
    rows[i]["SFTYXY"] = "是"
    b.expect("GLJYMX.major_needs_report", t, i)
    i = index_of(rows, "JYBH", "GLJY20240010")
    rows[i]["BZ"] = "RMB"
    b.expect("GLJYMX.BZ.currency", t, i)
    i = index_of(rows, "JYBH", "GLJY20240011")                 # a counterparty missing from the profiles
    rows[i]["GLFBH"] = "GLF099"
    b.expect("GLJYMX.party_known", t, i)
    reports, t = b.rows["ZDGLJY"], "ZDGLJY"
    assert add_workdays("20240603", 15) == "20240625"
    reports[2]["BSRQ"] = "20240626"                            # signed 3 June, reported 26 June (due 25 June)
    b.expect("ZDGLJY.BSRQ.deadline", t, 2)
    reports[1]["SPJG"] = "关联交易控制委员会"                 # approved by the committee only, not the board
    b.expect("ZDGLJY.approval_body", t, 1)
    reports[0]["ZBBL"] = "11.678832"                           # decimal point slipped: 1.167883
    b.expect("ZDGLJY.ratio_vs_capital", t, 0)


def plant_quarterly(b: CsvBatch) -> None:
    rows, t = b.rows["GLJYJB"], "GLJYJB"
    # group JT01: 430 + 570 + 80 = 1,080 million > 15 % of 6,850 million (1,027.5)
    b.expect("GLJYJB.limit_group", t, 0, f"{LICENCE}|{DATE}|JT01",
             value="credit=1080000000; parties=3; nc=6850000000.00")
    i = index_of(rows, "GLFBH", "GLF001")                      # 720 million > 10 % (685)
    rows[i].update(SXYE=money(720_000_000), SXJE=money(720_000_000), ZBBL=pct(round(720_000_000 / NC_Q1 * 100, 6)))
    b.expect("GLJYJB.limit_single", t, i, value="credit=720000000; nc=6850000000.00")
    i = index_of(rows, "GLFBH", "GLF005")                      # the gross balance reported as the net one
    rows[i]["SXJE"] = rows[i]["SXYE"]
    rows[i]["ZBBL"] = pct(round(310_000_000 / NC_Q1 * 100, 6))
    b.expect("GLJYJB.net_balance", t, i)
    i = index_of(rows, "GLFBH", "GLF006")
    rows[i]["ZBBL"] = "29.197080"                              # 2.919708 with a slipped decimal point
    b.expect("GLJYJB.ratio_vs_capital", t, i)
    i = index_of(rows, "GLFBH", "GLF002")                      # one major transaction claimed, none in the detail
    rows[i]["ZDJYBS"] = "1"
    b.expect("GLJYJB.major_count", t, i)


def plant_returns(b: CsvBatch) -> None:
    rows, t = b.rows["THZG"], "THZG"
    rows[1]["ZGRQ"] = "20240620"                               # returned 3 June, due 18 June
    assert add_workdays("20240603", 10) == "20240618"
    b.expect("THZG.ZGRQ.deadline", t, 1)
    rows[2]["ZGZT"] = "已整改"                                 # marked corrected, no date
    b.expect("THZG.corrected_needs_date", t, 2)


def plant_notice(b: CsvBatch) -> None:
    """Defects against the notice's own requirements (银保监办发〔2022〕101号)."""
    holders, t = b.rows["GDJBXX"], "GDJBXX"
    i = index_of(holders, "GDMC", "太仓港口物流有限公司")        # last updated in November 2022 (每年至少更新维护一次)
    holders[i]["ZJGXRQ"] = "20221130"
    b.expect("GDJBXX.annual_update", t, i)
    i = index_of(holders, "GDMC", "昆山高新创业投资有限公司")    # a main shareholder with no 2023 assessment
    b.rows["ZYGDPG"] = [r for r in b.rows["ZYGDPG"] if r["GDBH"] != holders[i]["GDBH"]]
    b.expect("GDJBXX.main_assessed", t, i)
    rows, t = b.rows["ZYGDPG"], "ZYGDPG"
    i = index_of(rows, "GDMC", "吴江盛泽丝绸控股有限公司")        # filed 3 June, due 30 May
    rows[i]["BSRQ"] = "20240603"
    b.expect("ZYGDPG.BSRQ.deadline", t, i)
    rows, t = b.rows["ZYDJBD"], "ZYDJBD"
    rows[2]["ZYMD"] = ""                                          # a pledge without its purpose
    b.expect("ZYDJBD.pledge_purpose", t, 2)
    rows, t = b.rows["GQZR"], "GQZR"
    rows[1]["BSRQ"] = "20240520"                                  # registered 10 April, due 10 May
    b.expect("GQZR.BSRQ.deadline", t, 1)
    rows, t = b.rows["JGBGXX"], "JGBGXX"
    rows[0]["BSRQ"] = "20240514"                                  # registered 12 April; 12 May a Sunday, due 13 May
    b.expect("JGBGXX.BSRQ.deadline", t, 0)


def main() -> None:
    run_csv_example(__doc__, HERE, BATCH, "equity-rpt", build_batch)


if __name__ == "__main__":
    main()
