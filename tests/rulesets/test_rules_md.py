"""RULES.md of the equity, LGFV and multi-creditor packs is generated from the rule files and current."""
import importlib.util

import pytest

from tests.rulesets.example_checks import ROOT

spec = importlib.util.spec_from_file_location("rules_md", ROOT / "rulesets" / "tools" / "rules_md.py")
rules_md = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rules_md)


@pytest.mark.parametrize("pack", ["equity_rpt", "lgfv", "multi_creditor"])
def test_rules_md_is_current(pack):
    shipped = (ROOT / "rulesets" / pack / "RULES.md").read_text("utf-8")
    assert shipped == rules_md.render(pack), f"run: python rulesets/tools/rules_md.py {pack}"


def test_every_threshold_rule_names_its_parameters_and_source():
    text = rules_md.render("equity_rpt")
    row = next(line for line in text.splitlines() if line.startswith("| `GLJYJB.limit_single`"))
    assert "第十六条" in row and "`rp_single_limit_pct`" in row and "10%" in row
    assert "| `rp_single_limit_pct` | 10 |" in text
