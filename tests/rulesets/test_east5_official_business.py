"""The official 4业务类 rules of EAST 5.0 (数值比较类, 其他类) in the east5 pack: every active rule of the official
register (specs/east5/official/rules.csv) is implemented under its official id with the register's severity and
category, or recorded in specs/east5/unexpressed/comparisons_other.yaml; deleted and revised rules follow the
Q&A batches; the generated files are current; and the rules read the texts' conditions the way valid data needs."""
from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from engine import conformance
from engine.backends.duckdb.run import validate_submission
from engine.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "specs" / "east5" / "official" / "rules.csv"
UNEXPRESSED = ROOT / "specs" / "east5" / "unexpressed" / "comparisons_other.yaml"
CATEGORIES = {"4业务类-数值比较类": "数值比较", "4业务类-其他类": "其他"}

# Written rules of the table files that were the official rules under a local or draft id, renamed to the
# official id (final number, else JHGZ) — the old ids are gone from the pack.
RENAMED = {
    "GDJGLFXXB.ZJYCBDRQ.after_entry": "3092", "SDSHXXB.SXRQ.after_start": "3101", "GRCKFHZ.XHRQ.after_open": "3107",
    "GRCKFHZMX.JYGYH.not_authoriser": "3111", "GRCKFHZMX.DBRZJHM.not_customer": "JHGZ3665",
    "DGCKFHZ.XHRQ.after_open": "3115", "DGCKFHZ.SCDHRQ.after_open": "3116", "DGCKFHZMX.JYGYH.not_authoriser": "3120",
    "NBFHZ.XHRQ.after_open": "3123", "NBFHZMX.JYGYH.not_authoriser": "3126", "NBFHZMX.XZRQ.after_entry": "3128",
    "JHGZ3695": "3129", "JHGZ3696": "3130", "JHGZ3697": "3131", "JHGZ3699": "3133", "GRXDFHZ.XHRQ.after_open": "3135",
    "JHGZ3705": "3139", "JHGZ3706": "3140", "JHGZ3707": "3141", "DGXDFHZ.DKJE.ge_balance": "JHGZ3708",
    "DGXDFHZ.DKYE.nonneg": "3142", "DGXDFHZ.DQRQ.after_start": "3144", "DGXDFHZ.XHRQ.after_open": "JHGZ3713",
    "DGXDFHZMX.JYGYH.not_authoriser": "3151", "XDHTB.HTDQRQ.after_start": "3153", "JHGZ3720": "3154",
    "JHGZ3722": "3156", "JHGZ3723": "3157", "JHGZ3726": "3160", "JHGZ3727": "3161", "DGXDYWJJB.DKJE.ge_balance": "3163",
    "DGXDYWJJB.DKDQRQ.after_start": "3165", "DGXDYWJJB.ZJRQ.after_start": "3166", "DGXDYWJJB.QBRQ.window": "3167",
    "DGXDYWJJB.QXRQ.window": "3168", "DGXDYWJJB.LJQKQS.ge_consecutive": "3169", "DGXDYWJJB.SJLL.nonneg": "3170",
    "PJTXB.PJDQRQ.after_issue": "3184", "PJZTXB.PJDQRQ.after_issue": "3188", "MYRZYWB.HKRQ.after_start": "3195",
    "RZZLYWB.HTDQRQ.after_start": "3199", "DKDJB.DKYE.within_amount": "3201", "BNWYWDBHTB.DBDQRQ.after_start": "3204",
    "JHGZ3777": "3210", "XDZCZRB.ZRHTDQRQ.after_start": "3212", "DKWJXTBDB.XWJFL.changed": "3216",
    "XYKXXB.BBSXYE.within_limit": "3219", "XYKXXB.ZHDHJYRQ.after_open": "3221",
    "XYKJYMXB.ZCHKRQ.after_statement": "3225", "JHGZ3804": "3231", "JHGZ3805": "3232",
    "BHYXYZB.KTDQRQ.after_start": "3234", "WTDKXXB.HTDQRQ.after_start": "3237", "JRGJXXB.DQRQ.after_issue": "3241",
    "ZYZJJYXXB.HTDQRQ.after_start": "3248", "ZYZJYWYEB.DQRQ.after_start": "JHGZ3829",
    "LCCPXXB.MJJSRQ.after_start": "JHGZ3831", "LCCPXXB.CPZZRQ.after_start": "JHGZ3833",
    "FBZCMXXXB.DQRQ.after_start": "JHGZ3847", "FBZCMXXXB.CESYFPBL.percent": "JHGZ3849",
    "FBZCMXXXB.BFSHBL.percent": "JHGZ3850", "QTFBZCMXXXB.DQRQ.after_start": "JHGZ3853",
    "JHGZ3558": "3026", "GRJCXXB.SFNH.distribution": "3027", "GRJCXXB.BHYGBZ.distribution": "3028",
    "DGKHXXB.XDKHBZ.distribution": "3030", "GLGXB.GLRKHTYBH.not_self": "3032", "GRCKFHZMX.JYJDBZ.distribution": "3035",
    "DGCKFHZMX.JYJDBZ.distribution": "3039", "NBFHZMX.JYJDBZ.distribution": "3044",
    "GRXDFHZMX.JYJDBZ.distribution": "3046", "DGXDFHZMX.JYJDBZ.distribution": "3048",
    "GRXDYWJJB.XDYWZL.distribution": "3050", "GRXDYWJJB.LLLX.distribution": "3052",
    "DGXDYWJJB.XDYWZL.distribution": "3053", "DGXDYWJJB.LLLX.distribution": "3055", "PJZTXB.JYFX.distribution": "3057",
    "XYKJYMXB.JYJDBZ.distribution": "3064", "JHGZ3608": "3069", "DLDXJYXXB.JYFX.distribution": "3070",
    "ZYZJJYXXB.JYFX.distribution": "3073",
}
# Local rules that checked a part of an official rule (or a looser or stricter form of it), removed for the
# generated official rule: the id it gave way to.
SUPERSEDED = {
    "GRCKFHZ.LL.nonneg": "3103", "DGCKFHZ.LL.nonneg": "3112", "NBFHZ.LL.nonneg": "3121",
    "GRCKFHZMX.JYJE.nonneg": "3109", "DGCKFHZMX.JYJE.nonneg": "3118", "NBFHZMX.JYJE.nonneg": "3125",
    "MYRZYWB.BZJBL.percent": "3196", "RZZLYWB.BZJBL.percent": "3200", "XDZCZRB.BZJBL.percent": "3214",
    "BHYXYZB.BZJBL.percent": "3235", "PJCPXXB.BZJBL.max": "3232", "JRGJXXB.JCZCZB.percent": "3244",
    "YTDKXXB.YFFDKJE.within_total": "3179", "YTDKXXB.JJYE.within_amount": "3182",
    "RZZLYWB.XYZYE.within_amount": "3197", "DGKHCWXXB.CWBBRQ.not_future": "3095", "JGXXB.CLRQ.not_future": "3087",
}


def _tool():
    name = "official_business"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "specs" / "east5" / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def pack():
    return load_pack(ROOT / "rulesets" / "east5")


@pytest.fixture(scope="module")
def register() -> dict[str, list[dict]]:
    """Register rows of the two categories by pack id (final number, else JHGZ number)."""
    out: dict[str, list[dict]] = {}
    with open(REGISTER, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] in CATEGORIES:
                out.setdefault(r["final"] or r["jhgz"], []).append(r)
    return out


def _active(register) -> dict[str, dict]:
    return {rid: rows[0] for rid, rows in register.items() if rows[0]["status"] == "active"}


def _unexpressed() -> dict[str, str]:
    return {str(e["official"]): e["why"] for e in yaml.safe_load(UNEXPRESSED.read_text("utf-8"))}


def test_generated_files_are_current():
    assert _tool().main(["--check"]) == 0, "re-run specs/east5/tools/official_business.py"


def test_every_active_rule_is_implemented_or_recorded_as_unexpressed(pack, register):
    unexpressed = _unexpressed()
    for rid, row in _active(register).items():
        rule = pack.rule(rid)
        implemented = rule is not None and rule.table == row["final_table"]
        assert implemented != (rid in unexpressed), f"{rid} ({row['final_table']}): implemented={implemented}, " \
                                                     f"unexpressed={rid in unexpressed}"
    assert all(why.strip() for why in unexpressed.values())


def test_severity_and_category_follow_the_register(pack, register):
    wrong = []
    for rid, row in _active(register).items():
        rule = pack.rule(rid)
        if rule is None:
            continue
        severity = "weak" if row["final_strong"] == "否" else "strong"
        if (rule.severity, rule.category) != (severity, CATEGORIES[row["category"]]):
            wrong.append(f"{rid}: {rule.severity}/{rule.category}, official {severity}/{CATEGORIES[row['category']]}")
    assert wrong == []


def test_renamed_local_rules_are_gone_and_official_ids_are_unique(pack):
    ids = [r.id for r in pack.base_rules]
    assert not (set(RENAMED) | set(SUPERSEDED)) & set(ids)
    assert all(pack.rule(new) is not None for new in RENAMED.values())
    assert all(r in ids for r in SUPERSEDED.values())
    active = [r.id for r in pack.rules]
    assert len(active) == len(set(active))


@pytest.mark.parametrize("rid,version", [("3051", "2022.2"), ("3096", "2022.1"), ("3125", "2022.3"),
                                         ("3224", "2022.2"), ("3226", "2022.1")])
def test_deleted_rules_retire_in_the_batch_that_deleted_them(pack, register, rid, version):
    assert register[rid][0]["status"] == "deleted" and f"{version}:删除" in register[rid][0]["history"]
    versions = [v["id"] for v in pack.versions]
    assert pack.at(versions[versions.index(version) - 1]).rule(rid) is not None
    assert pack.at(version).rule(rid) is None


def test_rules_not_in_the_final_version_are_not_checked(pack, register):
    gone = [rid for rid, rows in register.items() if rows[0]["status"] == "not_in_final"]
    assert gone and not [rid for rid in gone if pack.rule(rid) is not None]


def test_revisions_apply_from_their_batch(pack):
    """表3 修改: the check before and after the batch (the register's history)."""
    at = pack.at
    assert "19490101" in at("2022.1").rule("3094").params["expr"]
    assert "19490101" not in at("2022.2").rule("3094").params["expr"]  # 客户成立日期可能早于19490101
    for rid, version, before in [("3192", "2022.3", "2022.2"), ("3250", "2022.3", "2022.2")]:
        assert "CJRQ" in at(before).rule(rid).params["expr"] and "CJRQ" not in at(version).rule(rid).params["expr"]
    assert (at("2021").rule("3162").params["op"], at("2022.1").rule("3162").params["op"]) == ("<=", ">")
    assert (at("2021").rule("3097").params["other"], at("2022.1").rule("3097").params["other"]) == ("JTSXED", "JTYYED")
    assert (at("2022.3").rule("3222").field, at("2022.4").rule("3222").field) == ("ZHDHJYRQ", "XKRQ")
    assert at("2022.3").rule("3193").when is None and "回购" in at("2022.4").rule("3193").when
    assert at("2021").rule("3045").when is None and at("2022.2").rule("3045").when
    assert (at("2021").rule("3089").params["max"], at("2022.1").rule("3089").params["max"]) == (1, 100)


def _run(pack, tmp_path: Path, table: str, rows: list[dict], clean: bool = True):
    """The pack on one table: the clean conformance row (line 1, unless ``clean`` is False) and ``rows``."""
    base = conformance.clean_rows(pack.catalog)[table]
    all_rows = ([dict(base)] if clean else []) + [{**base, **r} for r in rows]
    for i, row in enumerate(all_rows, start=1):
        for k in pack.catalog.tables[table].key:
            if k != "CJRQ":
                row[k] = f"{base[k]}{i}"
    conformance.write_batch(tmp_path, pack.catalog, {table: all_rows})
    return validate_submission(tmp_path, pack, sample_limit=10_000, previous_date=conformance.PREVIOUS_DATE)


def _result(result, rule_id: str):
    return next(r for r in result.rules if r.id == rule_id)


def _failing_lines(result, rule_id: str) -> list[int]:
    return sorted(s.line for s in _result(result, rule_id).samples if s.line is not None)


def test_date_window_reads_its_conditions(pack, tmp_path):
    """3132 发放日期不为空且不为99991231时，应当晚于19490101且小于等于采集日期 (采集日期 20240630)."""
    values = ["99991231", "", "19490102", "20240630", "19490101", "20240701", "18000101"]
    result = _run(pack, tmp_path, "GRXDFHZ", [{"FFRQ": v, "CJRQ": "20240630"} for v in values])
    assert _failing_lines(result, "3132") == [6, 7, 8]


def test_date_order_skips_empty_and_open_ended_dates(pack, tmp_path):
    """3107 销户日期和开户日期均不为空且不为99991231时，销户日期应晚于或等于开户日期."""
    rows = [{"KHRQ": "20200101", "XHRQ": "99991231"}, {"KHRQ": "99991231", "XHRQ": "20190101"},
            {"KHRQ": "20200101", "XHRQ": ""}, {"KHRQ": "20200101", "XHRQ": "20200101"},
            {"KHRQ": "20200101", "XHRQ": "20191231"}]
    assert _failing_lines(_run(pack, tmp_path, "GRCKFHZ", rows), "3107") == [6]


def test_amount_condition_not_zero(pack, tmp_path):
    """3179 已发放银团贷款金额不等于0时，应小于等于银团贷款总金额."""
    rows = [{"YFFDKJE": "0", "YTDKZJE": "0"}, {"YFFDKJE": "100", "YTDKZJE": "100"}, {"YFFDKJE": "100.01", "YTDKZJE": "100"}]
    assert _failing_lines(_run(pack, tmp_path, "YTDKXXB", rows), "3179") == [4]


def test_ratios_are_read_in_percent(pack, tmp_path):
    """JHGZ3838 says 0..1, but 比例 is filed in percent (数据元 001003: 4.5% → 4.50), as the Q&A corrected 3089."""
    rows = [{"YJBJJZSX": v} for v in ["4.50", "0", "100", "100.01", "-0.01"]]
    assert _failing_lines(_run(pack, tmp_path, "LCCPXXB", rows), "JHGZ3838") == [5, 6]


@pytest.mark.parametrize("rows,clean,fails", [
    ([], False, False),                                        # an empty table
    ([], True, False),                                         # one record: one value is not "all the same"
    ([{"SHMDBZ": "否"}, {"SHMDBZ": "否"}], False, True),       # two records, one value
    ([{"SHMDBZ": "否"}, {"SHMDBZ": "是"}], False, False),
    ([{"SHMDBZ": "否"}, {"SHMDBZ": ""}], False, False),        # one filled value: left to the 为空 rule
])
def test_all_same_value_is_judged_on_two_or_more_filled_rows(pack, tmp_path, rows, clean, fails):
    """3029 上本行黑名单标志不允许所有数据都为相同值: a set rule over the whole table (distribution, min_rows 2)."""
    result = _run(pack, tmp_path, "GRJCXXB", rows, clean=clean)
    assert (_result(result, "3029").status == "failed") == fails


def test_write_off_date_is_compared_with_the_joined_loan(pack, tmp_path):
    """3060: 资产核销表.核销日期 ≥ 个人信贷业务借据表.贷款发放日期 of the loan its 借据号 names (clean loan: 20240101)."""
    loan = conformance.clean_rows(pack.catalog)["GRXDYWJJB"]["XDJJH"]
    rows = [{"JJH": loan, "HXRQ": "20240101"}, {"JJH": loan, "HXRQ": "20231231"}, {"JJH": "OTHER", "HXRQ": "20231231"}]
    base = conformance.clean_rows(pack.catalog)
    batch = {"GRXDYWJJB": [dict(base["GRXDYWJJB"])],
             "ZCHXB": [{**base["ZCHXB"], **r, "JJH": r["JJH"]} for r in rows]}
    conformance.write_batch(tmp_path, pack.catalog, batch)
    result = validate_submission(tmp_path, pack, sample_limit=100, previous_date=conformance.PREVIOUS_DATE)
    assert _failing_lines(result, "3060") == [2]
