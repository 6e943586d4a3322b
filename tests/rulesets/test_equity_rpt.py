"""The 股权和关联交易 example: the engine reports exactly the planted findings; thresholds are parameters."""
import json

import jsonschema
import pytest

from engine.cli import main
from engine.ruleset import load_pack
from tests.rulesets.example_checks import (ROOT, Example, assert_exactly_planted, assert_generator_reproduces,
                                           assert_planted_values, found)

EXAMPLE = Example("equity_rpt", "equity_rpt")


@pytest.fixture(scope="module")
def result():
    return EXAMPLE.run()


def test_reports_exactly_the_planted_findings(result):
    assert_exactly_planted(EXAMPLE, result)
    assert sum(EXAMPLE.planted().values()) >= 50 and len({f["rule"] for f in EXAMPLE.expected["findings"]}) >= 45


def test_planted_values_show_the_evidence(result):
    assert_planted_values(EXAMPLE, result, at_least=5)


def test_the_business_rule_kinds_fail_somewhere(result):
    failed_kinds = {r.kind for r in result.rules if r.status == "failed"}
    assert {"aggregate", "graph", "deadline", "identifier", "reference", "expression", "range", "required"} <= failed_kinds


def test_cli_exits_1_and_writes_a_valid_report(tmp_path):
    rc = main(["validate", str(EXAMPLE.batch), "--pack", "equity_rpt", "--report-dir", str(tmp_path), "--format", "json",
               "--quiet"])
    assert rc == 1
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    jsonschema.validate(doc, json.loads((ROOT / "reports" / "result.schema.json").read_text("utf-8")))
    assert doc["pack"]["name"] == "equity-rpt"


def test_thresholds_are_parameters(result):
    """At 40 % the all-parties limit flags the quarter (41.7 % of 上季末资本净额); at 11 % the single-party limit
    no longer flags the 10.5 % party."""
    base = found(result)
    stricter = found(EXAMPLE.run(rp_total_limit_pct=40))
    assert list(stricter - base) == [("GLJYJB.limit_total", "GLJYJB", "B1287H232050001-GLJYJB-20240630.csv", 2,
                                      "B1287H232050001|20240630")]
    assert not (base - stricter)
    looser = found(EXAMPLE.run(rp_single_limit_pct=11))
    assert [k[0] for k in (base - looser)] == ["GLJYJB.limit_single"] and not (looser - base)


def test_messages_cite_the_threshold_in_force():
    pack = load_pack("equity_rpt", parameters={"rp_group_limit_pct": 12})
    assert "12%" in pack.rule("GLJYJB.limit_group").message_zh
    assert "15%" in load_pack("equity_rpt").rule("GLJYJB.limit_group").message_zh


def test_generator_is_deterministic(tmp_path):
    assert_generator_reproduces(EXAMPLE, tmp_path)
