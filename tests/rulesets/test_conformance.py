"""Every rule of every shipped pack fails on its failing fixture and passes on the clean row."""
import pytest

from engine import conformance
from engine.ruleset import load_pack

PACKS = ["east5_core", "east5"]


@pytest.mark.parametrize("name", PACKS)
def test_every_rule_passes_and_fails_on_its_fixtures(name):
    pack = load_pack(name)
    report = conformance.check(pack)
    assert report.problems == []
    assert report.untested == []
    assert report.checked == len(pack.rules)


def test_a_rule_that_cannot_fail_is_caught(tmp_path):
    """The harness itself can fail: a written rule whose failing example does not fail is reported."""
    from tests.helpers import write_pack, write_spec
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, """
        rules:
          - id: R
            table: DEMO
            kind: required
            field: MC
            examples: {fail: [{MC: "有值"}], pass: [{MC: "有值"}]}
    """))
    report = conformance.check(pack)
    assert report.problems == ["DEMO R: does not fail on its failing example(s), line(s) [2]"]
