"""Spot checks (engine/sampling.py): row rules on a reproducible sample, set rules on every row,
and Wilson intervals that cover the true error rate at the stated level.

Coverage is tested over 250 seeds on a generated batch with planted error rates known exactly
(the full run confirms them): for each seed the sample is the one the engine draws (the same SQL,
engine.sampling.sample_sql; three seeds are checked against real engine runs), and a one-sided
binomial test must not reject "coverage ≥ 95%" at the 1% level. The same test rejects the Wald
interval at a 1% error rate — it can fail."""
from __future__ import annotations

import math
import random
from pathlib import Path

import duckdb
import pytest

from engine.api import validate
from engine.sampling import LEVEL, apply, sample_sql, sampled, wilson
from examples.east5 import generate as east5

pytestmark = pytest.mark.slow
LOANS = 2000
SAMPLE = 200
SEEDS = range(250)
# rule → (changed fields, planted records): true error rates of 5%, 1% and 0% among the loans
PLANTED = {"GRXDYWJJB.XDYWZL.codelist": ({"XDYWZL": "网贷"}, 100), "JHGZ3727": ({"SJLL": "-0.5"}, 20),
           "GRXDYWJJB.DKFFRQ.format": ({}, 0)}
SET_RULE = ("GRXDYWJJB.KHTYBH.reference", {"KHTYBH": "P9999"}, 7)  # a set rule: always on every row


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    folder = east5.write_scaled_batch(LOANS, tmp_path_factory.mktemp("spot") / f"{east5.LICENCE}-{east5.CJRQ}")
    path = folder / east5.file_name("GRXDYWJJB")
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = east5.fields_of("GRXDYWJJB")
    rows = random.Random(1).sample(range(LOANS), sum(n for _, n in PLANTED.values()) + SET_RULE[2])
    plan = [changes for changes, n in PLANTED.values() for _ in range(n)] + [SET_RULE[1]] * SET_RULE[2]
    for row, changes in zip(rows, plan):
        values = lines[row].split(east5.SEP)
        for name, value in changes.items():
            values[fields.index(name)] = value
        lines[row] = east5.SEP.join(values)
    path.write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def full(batch) -> dict[str, set[int]]:
    """Failing lines per planted rule in the full run (the truth the samples estimate)."""
    result = validate(batch, sample_limit=LOANS)
    lines = {r.id: {s.line for s in r.samples} for r in result.rules if r.table == "GRXDYWJJB"}
    for rule, (_, n) in PLANTED.items():
        assert len(lines.get(rule, set())) == n, rule
    return lines


def _sample_lines(seed: int) -> set[int]:
    """The lines the engine samples for ``seed`` (place p is line p + 1 in one EAST file)."""
    sql = sample_sql(f"(SELECT range AS p FROM range({LOANS}))", seed, SAMPLE, place="p")
    return {p + 1 for (p,) in duckdb.sql(sql).fetchall()}


def _binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


def _covered(truth: set[int], interval) -> int:
    covered = 0
    rate = len(truth) / LOANS
    for seed in SEEDS:
        failed = len(truth & _sample_lines(seed))
        low, high = interval(failed, SAMPLE)
        covered += low <= rate <= high
    return covered


def _wald(failed: int, n: int) -> tuple[float, float]:
    p = failed / n
    half = 1.959963984540054 * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


@pytest.mark.parametrize("rule", [r for r, (_, n) in PLANTED.items() if n])
def test_wilson_intervals_cover_the_true_rate_at_the_stated_level(full, rule):
    covered = _covered(full[rule], wilson)
    p_value = _binomial_cdf(covered, len(SEEDS), LEVEL)  # P(this few or fewer | coverage = 95%)
    assert p_value > 0.01, f"{rule}: {covered}/{len(SEEDS)} intervals cover the true rate (p = {p_value:.2g})"


def test_the_coverage_test_can_fail_wald_at_one_percent(full):
    covered = _covered(full["JHGZ3727"], _wald)
    assert _binomial_cdf(covered, len(SEEDS), LEVEL) < 0.01, covered


def test_intervals_are_informative(full):
    widths = [wilson(len(full["GRXDYWJJB.XDYWZL.codelist"] & _sample_lines(s)), SAMPLE) for s in range(20)]
    assert sum(h - l for l, h in widths) / len(widths) < 0.08


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_engine_samples_the_same_rows_and_runs_set_rules_whole(batch, full, seed):
    with sampled(rows=SAMPLE, seed=seed) as sampling:
        result = validate(batch)
    apply(result, sampling)
    lines = _sample_lines(seed)
    rules = {r.id: r for r in result.rules if r.table == "GRXDYWJJB"}
    for rule, (_, n) in PLANTED.items():
        assert rules[rule].failed == len(full.get(rule, set()) & lines), (rule, seed)
        assert rules[rule].checked == SAMPLE
    entries = {e["id"]: e for e in result.options["sampling"]["sampled_rules"] if e["table"] == "GRXDYWJJB"}
    low, high = wilson(rules["JHGZ3727"].failed, SAMPLE)
    assert entries["JHGZ3727"]["interval"]["low"] == round(low, 6) and entries["JHGZ3727"]["interval"]["high"] == round(high, 6)
    assert "Wilson" in rules["JHGZ3727"].note
    reference = rules[SET_RULE[0]]
    assert reference.failed == SET_RULE[2] and reference.checked == LOANS
    assert f"GRXDYWJJB:{SET_RULE[0]}" in result.options["sampling"]["whole_rules"]
    assert result.options["sampling"]["tables"]["GRXDYWJJB"] == {"population": LOANS, "sample": SAMPLE}


def test_same_seed_same_sample_other_seed_other_sample():
    assert _sample_lines(5) == _sample_lines(5)
    assert _sample_lines(5) != _sample_lines(6)
    assert len(_sample_lines(5)) == SAMPLE


def test_fraction_sizes_and_wilson_edges():
    with sampled(fraction=0.1, seed=1) as s:
        assert (s.size(2000), s.size(5), s.size(0)) == (200, 1, 0)
    with pytest.raises(ValueError):
        with sampled(rows=5, fraction=0.1):
            pass
    low, high = wilson(0, 200)
    assert low == 0.0 and 0.015 < high < 0.02
    assert wilson(200, 200)[1] == 1.0
