"""Every registered rule kind fails somewhere in the shipped examples, each run with its own pack.

A kind no example exercises is a kind whose failure path nobody has seen on realistic data.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.ruleset import load_pack
from engine.rules import REGISTRY
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [  # (batch, pack, run parameters)
    ("east5/B0001H111000001-20240630", "east5_core", {"previous_date": "20240531"}),
    ("equity_rpt/B1287H232050001-20240630", "equity_rpt", {}),
    ("lgfv/B0281H232050001-20240630", "lgfv", {}),
    ("multi_creditor/SZJG-20240630", "multi_creditor", {}),
    ("debt_platform/202406", "debt_platform", {}),
]


@pytest.fixture(scope="module")
def failed_kinds_by_example() -> dict[str, set[str]]:
    out = {}
    for batch, pack, params in EXAMPLES:
        result = validate_submission(ROOT / "examples" / batch, load_pack(pack), **params)
        out[batch] = {r.kind for r in result.rules if r.status == "failed"}
    return out


@pytest.mark.slow
def test_every_registered_kind_fails_in_some_example(failed_kinds_by_example):
    seen = set().union(*failed_kinds_by_example.values())
    assert sorted(set(REGISTRY) - seen) == []


@pytest.mark.slow
def test_every_example_fails_some_rule(failed_kinds_by_example):
    assert all(failed_kinds_by_example.values())
