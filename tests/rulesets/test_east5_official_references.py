"""The east5 pack's official cross-table reference rules (3表间关联类-关联校验) follow the official rule register:
every active 关联 rule is a rule of the pack, covered by a derived reference with the same targets, or recorded
as unexpressed; the generated rules keep the register's conditions, severity and Q&A history, fail on their
failing fixtures and pass on their passing ones, and a rule whose target table was not submitted is not run."""
from __future__ import annotations

import csv
import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine.api import validate
from engine.conformance import check
from engine.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "specs" / "east5" / "tools" / "official_references.py"
GENERATED = ROOT / "rulesets" / "east5" / "rules" / "official_references.yaml"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("official_references", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["official_references"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pack():
    return load_pack("east5")


def test_generated_files_are_current(tool):
    assert tool.main(["--check"]) == 0, "run specs/east5/tools/official_references.py"


def test_every_active_reference_rule_is_implemented_covered_or_unexpressed(tool, pack):
    ids = {r.id for r in pack.rules}
    with open(tool.COVERED, encoding="utf-8", newline="") as fh:
        covered = {row["official"]: row["derived"] for row in csv.DictReader(fh) if row["match"] == "same"}
    unexpressed = {str(item["official"]) for item in yaml.safe_load(tool.UNEXPRESSED.read_text("utf-8"))}
    derived = {r.id for r in pack.rules if r.origin == "derived"}
    missing = []
    for rid, rows in tool.official_rows().items():
        in_pack = rid in ids or any(r["jhgz"] in ids for r in rows)
        if not (in_pack or rid in unexpressed or (rid in covered and covered[rid] in derived | ids)):
            missing.append(rid)
    assert not missing, f"active 关联 rules neither in the pack, covered nor recorded: {missing}"
    assert len(tool.official_rows()) == 377  # 412 register rows; the 定期 twins share the 活期 rows' numbers


def test_generated_rules_pass_and_fail_on_their_fixtures(pack):
    mine = [r for r in pack.rules if r.source and r.source.startswith(str(GENERATED))]
    assert len(mine) > 200
    report = check(replace(pack, rules=mine))
    assert report.ok, report.problems[:20]


def test_conditions_severity_and_history_follow_the_register(pack):
    latest, first = pack, pack.at("2021")
    assert latest.rule("2644").when == "是否实体柜员 = '是'"  # 是否实体柜员“是”，且工号非空时
    assert latest.rule("2688").when == "员工卡标志 = '是'"  # 借记卡信息表 names its 员工标志 员工卡标志
    assert latest.rule("2676").severity == "weak"  # 是否强校验 否
    # 填报口径第二期 made the 明细科目 rules conditional on a balance / turnover
    assert first.rule("2721").when is None and latest.rule("2721").when == "num(交易金额) <> 0"
    assert first.rule("2713").when is None and latest.rule("2713").when == "num(存款余额) <> 0"
    assert first.rule("2812").when is None and latest.rule("2812").when == "num(贷款余额) <> 0"  # written, renamed
    # adopted Q&A answers: 第二期 limits 2855/2856 to 转贴现买断 deals and lets 2662 name a corporate customer
    assert first.rule("2855").when is None and latest.rule("2855").when == "转贴现类别 = '转贴现买断'"
    assert {t["table"] for t in latest.rule("2662").params["targets"]} == {"GRJCXXB", "DGKHXXB"}
    assert {t["table"] for t in first.rule("2662").params["targets"]} == {"GRJCXXB"}
    # deleted by 第一期 / 第三期: present before the batch, retired from it on
    assert first.rule("2707") is not None and pack.at("2022.1").rule("2707") is None
    assert pack.at("2022.2").rule("2789") is not None and pack.at("2022.3").rule("2789") is None
    # a composite "same name on the joined account" rule
    assert latest.rule("2723").params["fields"] == ["GRCKZH", "ZHMC"]


def _frame(rows: list[dict], table: str, pack) -> pd.DataFrame:
    codes = pack.catalog.tables[table].field_codes
    return pd.DataFrame([{c: r.get(c, "") for c in codes} for r in rows], dtype=str)


def _status(result, rid: str) -> str:
    return next(r.status for r in result.rules if r.id == rid)


def test_a_reference_to_a_table_outside_the_run_is_not_run_never_failed(pack):
    teller = _frame([{"GYH": "G1", "JRXKZH": "B0001H111000001", "CJRQ": "20240630"}], "GYB", pack)
    assert _status(validate(teller, pack, table="GYB"), "2641") == "not_run"


def test_a_reference_holds_only_where_its_condition_does(pack):
    frames = {"JGXXB": _frame([{"JRXKZH": "B0001H111000001", "CJRQ": "20240630"}], "JGXXB", pack),
              "YGB": _frame([{"GH": "E1", "CJRQ": "20240630"}], "YGB", pack)}
    virtual = _frame([{"GYH": "G1", "GH": "X9", "SFSTGY": "否", "JRXKZH": "B0001H111000001", "CJRQ": "20240630"}],
                     "GYB", pack)
    physical = _frame([{"GYH": "G1", "GH": "X9", "SFSTGY": "是", "JRXKZH": "NOSUCH", "CJRQ": "20240630"}],
                      "GYB", pack)
    passed = validate({**frames, "GYB": virtual}, pack)
    assert (_status(passed, "2644"), _status(passed, "2641")) == ("passed", "passed")
    failed = validate({**frames, "GYB": physical}, pack)
    assert (_status(failed, "2644"), _status(failed, "2641")) == ("failed", "failed")
