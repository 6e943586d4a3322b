"""The debt_platform pack against its source document: the requirements register (every requirement with
its place, status and rules; `jianhe rules coverage --pack debt_platform`), RULES.md generated from the rule
files, and every citation — register and rule notes alike — found in the notice at the place it names."""
import importlib.util
import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.coverage import load_coverage
from engine.ruleset import load_pack, resolve_pack_dir
from engine.yamlio import load_yaml
from tests.reconcile import notice

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "rulesets" / "debt_platform"

spec = importlib.util.spec_from_file_location("rules_md", ROOT / "rulesets" / "tools" / "rules_md.py")
rules_md = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rules_md)


def register():
    return load_coverage(load_pack("debt_platform"))


def test_the_register_loads_and_counts():
    coverage = register()
    counts = coverage.counts()
    assert counts["total"] == len(coverage.requirements) >= 50
    assert counts["implemented"] + counts["partial"] + counts["not_checkable"] == counts["total"]
    assert all(r.why for r in coverage.requirements if r.status != "implemented")


@pytest.mark.parametrize("place", sorted({"二(一)", "二(二)", "三(一)1", "三(二)1 第一步", "三(二)1 第二步", "三(二)1 第三步",
                                          "三(二)1 第四步", "三(二)2 第一步", "三(二)2 第二步", "三(三)", "四(二)",
                                          "附件1 二", "附件1 三.1", "附件1 三.2", "附件2 二", "附件2 三", "附件3 二",
                                          "附件4 一", "附件4 二", "附件4 三", "附件5 一"}))
def test_every_checkable_place_of_the_notice_is_in_the_register(place):
    assert any(r.id.split("·")[0] == place for r in register().requirements), place


def test_every_register_citation_is_in_the_source_at_its_place():
    problems = []
    for r in register().requirements:
        place = r.id.split("·")[0]
        assert notice.quotes(r.text), f"{r.id}: quotes nothing of the notice"
        problems += notice.check(place, r.text)
    assert problems == []


def test_every_place_of_the_notice_is_accounted_for():
    """Each numbered place of the notice (its leaves) is a requirement or under one."""
    cited = {r.id.split("·")[0] for r in register().requirements}
    leaves = [p for p in notice.places() if not any(q != p and q.startswith(p) for q in notice.places())]
    missing = [p for p in leaves if not any(p == c or p.startswith(c) or c.startswith(p) for c in cited)]
    assert missing == ["一"], missing  # 一、工作目标: the aims, no requirement of the data


def test_the_command_prints_and_checks_the_register(capsys):
    assert main(["rules", "coverage", "--pack", "debt_platform"]) == 0
    out = capsys.readouterr().out
    assert "二(二)·瞒报" in out and "requirements:" in out
    assert main(["rules", "coverage", "--pack", "debt_platform", "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pack"] == "debt_platform" and doc["counts"]["total"] == len(register().requirements)


# ---------------------------------------------------------------- RULES.md and the rules' citations


def test_rules_md_is_current():
    shipped = (PACK_DIR / "RULES.md").read_text("utf-8")
    assert shipped == rules_md.render("debt_platform"), "run: python rulesets/tools/rules_md.py debt_platform"


def _notes() -> dict[str, str]:
    out = {}
    for path in sorted((resolve_pack_dir("debt_platform") / "rules").glob("*.yaml")):
        for item in load_yaml(path).get("rules", []):
            out[str(item["id"])] = str(item.get("note") or "")
    return out


def test_every_written_rule_names_its_source():
    missing = [rule for rule, note in _notes().items() if not note.strip()]
    assert missing == []


def test_every_rule_citation_of_the_notice_is_in_the_source_at_its_place():
    problems = []
    for rule, note in _notes().items():
        for place, quote in notice.citations(note):
            problems += [f"{rule}: {p}" for p in notice.check(place, f"「{quote}」")]
    assert problems == []
    cited = sum(len(notice.citations(n)) for n in _notes().values())
    assert cited >= 20  # the reconcile rules and the field rules the notice asks for cite it


@pytest.mark.parametrize("kind,ok", [("国有控股企业", True), ("政府机关", True), ("国有企业", True), ("其他", False),
                                     ("政府部门", False)])
def test_unit_types_are_the_notices_five(tmp_path, kind, ok):
    """通知 二(一): 政府机关、事业单位、融资平台公司、国有企业、国有控股企业."""
    from engine.backends.duckdb.run import validate_submission
    from tests.reconcile.helpers import folder_with, unit
    result = validate_submission(folder_with(tmp_path, units=[unit(UNIT_KIND=kind)]), load_pack("debt_platform"))
    rule = next(r for r in result.rules if r.id == "DEBT_UNIT.UNIT_KIND.codelist")
    assert (rule.failed == 0) is ok
