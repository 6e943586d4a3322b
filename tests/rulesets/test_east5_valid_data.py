"""The east5 pack does not fail data filed the way the regulator's documents allow: G01_VII industry lines,
3- or 6-character regions, and no field format stricter than the official one (specs/east5/official)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from engine import conformance
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "specs" / "east5" / "official"


@pytest.fixture(scope="module")
def pack():
    return load_pack("east5")


def _official_fields() -> dict[tuple[str, str], dict]:
    with open(OFFICIAL / "fields.csv", encoding="utf-8", newline="") as fh:
        return {(r["table"], r["field"]): r for r in csv.DictReader(fh)}


def _accepts_all(loose: str, strict: str) -> bool:
    import importlib.util
    import sys
    spec = importlib.util.spec_from_file_location("import_official", ROOT / "specs" / "east5" / "tools" / "import_official.py")
    module = sys.modules.get("import_official")
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["import_official"] = module
        spec.loader.exec_module(module)
    return module.format_accepts_all(loose, strict)


def test_no_field_format_is_stricter_than_the_official_one(pack):
    """Every value the official format (附件3 数据结构 with the Q&A 表2 changes) allows passes the spec's format."""
    official = _official_fields()
    stricter = []
    for table in pack.catalog.tables.values():
        for f in table.fields:
            row = official[(table.code, f.code)]
            if row["spec_format"] and not _accepts_all(f.format.code, row["spec_format"]):
                stricter.append(f"{table.code}.{f.code} {f.name}: spec {f.format.code}, official {row['official_format']}")
    assert stricter == [], f"{len(stricter)} field formats stricter than the official ones:\n" + "\n".join(stricter)


def test_fields_new_in_the_final_version_say_their_format_is_inferred():
    official = _official_fields()
    unmarked = []
    for path in sorted((ROOT / "specs" / "east5" / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        unmarked += [f"{doc['table']}.{f['code']} {f['name']}" for f in doc["fields"]
                     if official[(doc["table"], f["code"])]["basis"] == "new_in_final"
                     and "inferred" not in str(f.get("note", ""))]
    assert unmarked == [], "fields with no published format whose spec does not say the format is inferred:\n" + \
        "\n".join(unmarked)


def _run(pack, tmp_path: Path, table: str, rows: list[dict]):
    """Run the pack on one table's clean conformance row overlaid with ``rows`` (line 1 is the clean row)."""
    clean = conformance.clean_rows(pack.catalog)[table]
    all_rows = [dict(clean)] + [{**clean, **r} for r in rows]
    for i, row in enumerate(all_rows[1:], start=2):  # distinct keys
        for k in pack.catalog.tables[table].key:
            if k != "CJRQ":
                row[k] = f"{row[k]}{i}"
    conformance.write_batch(tmp_path, pack.catalog, {table: all_rows})
    return validate_submission(tmp_path, pack, sample_limit=10_000, previous_date=conformance.PREVIOUS_DATE)


def _rules_failing_on(result, table: str, lines: range) -> set[str]:
    """Rules failing on one of ``lines`` and not on the clean row (line 1, which a few written rules reject —
    e.g. 3162 wants 下期还款日期 after 采集日期)."""
    out = set()
    for r in result.rules:
        if r.table != table or r.status != "failed":
            continue
        hit = {s.line for s in r.samples if s.line is not None and not s.excused}
        if 1 not in hit and hit & set(lines):
            out.add(r.id)
    return out


def _failing_lines(result, rule_id: str, table: str) -> list[int]:
    rule = next(r for r in result.rules if r.id == rule_id and r.table == table)
    return sorted(s.line for s in rule.samples if not s.excused and s.line is not None)


G01_VII = ["2.1农、林、牧、渔业", "2.2采矿业", "2.3制造业", "2.4电力、热力、燃气及水的生产和供应业", "2.4电力、热力、燃气及水生产和供应业",
           "2.5建筑业", "2.6批发和零售业", "2.7交通运输、仓储和邮政业", "2.8住宿和餐饮业", "2.9信息传输、软件和信息技术服务业",
           "2.10金融业", "2.11房地产业", "2.12租赁和商务服务业", "2.13科学研究和技术服务业", "2.14水利、环境和公共设施管理业",
           "2.15居民服务、修理和其他服务业", "2.16教育", "2.17卫生和社会工作", "2.18文化、体育和娱乐业", "2.19公共管理、社会保障和社会组织",
           "2.20国际组织", "2.21.1个人贷款-信用卡", "2.21.2个人贷款-汽车", "2.21.3个人贷款-住房按揭贷款", "2.21.4个人贷款-其他",
           "2.22买断式转贴现", "2.23买断其他票据类资产", "3.对境外贷款"]


@pytest.mark.parametrize("table,rule_id", [("GRXDYWJJB", "2431"), ("DGXDYWJJB", "2445")])
def test_loan_industry_accepts_every_g01_vii_line(pack, tmp_path, table, rule_id):
    """数据元说明 005008 (and 表2, batch 3: 2.4 without 的): the lines banks file personal loans under pass."""
    result = _run(pack, tmp_path, table, [{"DKTXHY": v} for v in G01_VII] + [{"DKTXHY": "制造业"}, {"DKTXHY": "2.21个人贷款"}])
    assert _failing_lines(result, rule_id, table) == [len(G01_VII) + 2, len(G01_VII) + 3]
    failing = _rules_failing_on(result, table, range(2, len(G01_VII) + 2))
    assert failing == set(), f"rules failing on a G01_VII line: {failing}"


@pytest.mark.parametrize("table,rule_id", [("GRXDYWJJB", "2123"), ("DGXDYWJJB", "2132")])
def test_loan_region_takes_3_or_6_characters(pack, tmp_path, table, rule_id):
    """2123/2132 (JHGZ2476/2485, 弱校验): 贷款投向地区 is a GB/T 2260 code (6) or a GB/T 2659 country code such as USA (3)."""
    values = ["110105", "110100", "USA", "HKG"]
    result = _run(pack, tmp_path, table, [{"DKTXDQ": v} for v in values] + [{"DKTXDQ": "1101"}, {"DKTXDQ": "北京"}])
    assert _failing_lines(result, rule_id, table) == [len(values) + 2, len(values) + 3]
    assert pack.rule(rule_id).severity == "weak" and pack.rule(rule_id).category == "长度"
    failing = _rules_failing_on(result, table, range(2, len(values) + 2))
    assert failing == set(), f"rules failing on a valid region code: {failing}"


def test_document_amount_is_required_only_for_invoices_from_batch_3(pack, tmp_path):
    """表3 (第三期) made 1051 conditional: 单据种类为“发票”时，不允许单据金额为空."""
    rows = [{"DJZL": "合同", "DJJE": ""}, {"DJZL": "发票", "DJJE": ""}]
    assert _failing_lines(_run(pack, tmp_path / "now", "JYBJXXB", rows), "1051", "JYBJXXB") == [3]
    assert _failing_lines(_run(pack.at("2022.2"), tmp_path / "before", "JYBJXXB", rows), "1051", "JYBJXXB") == [2, 3]
