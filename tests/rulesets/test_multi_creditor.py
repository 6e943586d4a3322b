"""The multi-creditor example: the engine reports exactly the planted findings; thresholds are parameters."""
import pytest

from engine.cli import main
from tests.rulesets.example_checks import (Example, assert_exactly_planted, assert_generator_reproduces,
                                           assert_planted_values, found)

EXAMPLE = Example("multi_creditor", "multi_creditor")


@pytest.fixture(scope="module")
def result():
    return EXAMPLE.run()


def test_reports_exactly_the_planted_findings(result):
    assert_exactly_planted(EXAMPLE, result)


def test_planted_values_show_the_evidence(result):
    assert_planted_values(EXAMPLE, result, at_least=4)


def test_committee_worklist_is_information_not_a_failure(result):
    """恒昌 (4 banks), 精工 (3 banks), 新达 (5 small lenders) and 华盛 (a bank, a small lender and a leasing company);
    not 三元, whose three 江南银行 branches are one creditor bank."""
    candidates = next(r for r in result.rules if r.id == "JKRXX.committee_candidates")
    assert (candidates.severity, candidates.failed) == ("info", 4)
    assert main(["validate", str(EXAMPLE.batch), "--pack", "multi_creditor", "--quiet", "--fail-on", "strong"]) == 1


def test_thresholds_are_parameters(result):
    """Four creditor banks instead of three drops 精工 (3 banks) from the worklist; six small-loan
    companies drops 新达 (5); a 20 % tolerance accepts 虞山's gap but not the sign error."""
    base = found(result)
    fewer = found(EXAMPLE.run(min_creditor_banks=4, min_creditor_small_lenders=6))
    assert sorted((k[0], k[3]) for k in (base - fewer)) == [("JKRXX.committee_candidates", 3),
                                                            ("JKRXX.committee_candidates", 4),
                                                            ("JKRXX.committee_required", 4)]
    tolerant = found(EXAMPLE.run(exposure_rel_tolerance_pct=50))
    assert [(k[0], k[3]) for k in (base - tolerant)] == [("JKRXX.total_exposure", 7)]


def test_generator_is_deterministic(tmp_path):
    assert_generator_reproduces(EXAMPLE, tmp_path)
