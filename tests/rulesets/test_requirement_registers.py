"""The requirement registers of the equity, LGFV and multi-creditor packs: every requirement of each pack's
source document with its status, checked against the pack by `jianhe rules coverage`."""
from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.coverage import load_coverage
from engine.ruleset import load_pack

COUNTS = {  # total, implemented, partial, not_checkable, not_applicable
    "lgfv": (58, 30, 6, 20, 2),
    "multi_creditor": (20, 4, 4, 3, 9),
    "equity_rpt": (50, 23, 10, 10, 7),
}
KEY_REQUIREMENTS = {
    "lgfv": {"第四条(三)": "implemented", "第七条(二)": "implemented", "第八条(五)": "implemented", "第九条": "implemented",
             "第十一条b": "implemented", "第十四条(二)": "implemented", "第十五条b": "implemented", "第二十条b": "implemented",
             "第四条(二)b": "partial", "第三条b": "partial", "第七条(四)": "partial"},
    "multi_creditor": {"三(一)a": "implemented", "三(一)b": "implemented", "三(一)c": "implemented", "三(一)g": "implemented",
                       "三(一)d": "partial"},
    "equity_rpt": {"附件二.3(1)保险": "implemented", "附件一.4(2)": "implemented", "附件一.4(3)": "implemented",
                   "附件一.4(5)": "implemented", "附件一.4(6)": "implemented", "附件一.4(1)": "implemented",
                   "附件二.3(1)信托": "implemented", "附件一.3(1)": "implemented", "附件二.3(3)a": "implemented",
                   "附件一.3(2)": "partial"},
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_register_is_complete_and_consistent(name):
    coverage = load_coverage(load_pack(name))
    counts = coverage.counts()
    total, implemented, partial, not_checkable, not_applicable = COUNTS[name]
    assert (counts["total"], counts["implemented"], counts["partial"], counts["not_checkable"], counts["not_applicable"]) == \
        (total, implemented, partial, not_checkable, not_applicable)
    statuses = {r.id: r.status for r in coverage.requirements}
    for place, status in KEY_REQUIREMENTS[name].items():
        assert statuses[place] == status, place
    for r in coverage.requirements:  # every implemented or partial requirement names only active rules
        if r.status in ("implemented", "partial"):
            assert r.rules and r.active_rules == r.rules, r.id


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_the_command_prints_the_register(name, capsys):
    assert main(["rules", "coverage", "--pack", name, "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["total"] == COUNTS[name][0]
