"""A rule kind owns its knowledge: one class registered in engine/rules is run, exported to GX,
linted and conformance-checked without any other module naming it."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from engine import conformance
from engine.compile import build_plan, rule_sql
from engine.dialects import dialect_for
from engine.export.gx import export_suites
from engine.lint import lint
from engine.ruleset import load_pack
from engine.rules import REGISTRY, refusals
from engine.rules.base import CompileContext, NotExpressible, Rule, RuleKind, filled, with_value
from engine.rules.expect import column, match_regex
from engine.sources.warehouse import WarehouseSource
from engine.spec import Catalog, TableSpec
from tests.helpers import failing_lines, run_rules, write_pack, write_spec


class EvenLength(RuleKind):
    """A filled field must have an even number of characters, at most ``max``."""

    name = "even_length"
    category = "长度"
    fires_on = "filled"
    params_schema = {"max": {"type": "integer", "minimum": 0}}
    required_params = ("max",)

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        evens = ", ".join(map(str, range(2, int(rule.params["max"]) + 1, 2))) or "0"
        return f"({filled(col)} AND length({col}) NOT IN ({evens}))"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[tuple[str, dict]]:
        if rule.params["max"] > 100:
            raise NotExpressible("a repetition above 100 is not portable")
        return match_regex(column(rule, ctx), f"(?s)^(?:..){{1,{rule.params['max'] // 2}}}\\Z")

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        return [f"can never pass: no even length up to {rule.params['max']}"] if rule.params["max"] < 2 else []

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return with_value(rule, table, clean, "odd")


RULES = """\
rules:
  - {id: E1, table: DEMO, kind: even_length, field: MC, max: 6, when: "LX = '甲类'",
     examples: {fail: [{LX: 甲类, MC: 三个字}], pass: [{LX: 甲类, MC: 四个字符}, {LX: 乙类, MC: 三个字}]}}
  - {id: E2, table: DEMO, kind: even_length, field: MC, max: 1}
  - {id: E3, table: DEMO, kind: even_length, field: MC, max: 4, when: "is_empty(MC)"}
  - {id: E4, table: DEMO, kind: even_length, field: LX, max: 200}
  - {id: E5, table: DEMO, kind: even_length, field: MC, max: 200}
"""


@pytest.fixture
def even_length(monkeypatch):
    """The one registry line a new kind needs (rules/__init__.REGISTRY), for this test only."""
    monkeypatch.setitem(REGISTRY, EvenLength.name, EvenLength())


def _pack(tmp_path):
    write_spec(tmp_path)
    return load_pack(write_pack(tmp_path, RULES))


def test_a_new_kind_runs_with_its_when_applied_once(tmp_path, even_length):
    rows = [{"ID": "1", "LX": "甲类", "MC": "三个字"}, {"ID": "2", "LX": "乙类", "MC": "三个字"},
            {"ID": "3", "LX": "甲类", "MC": "四个字符"}, {"ID": "4", "LX": "甲类", "MC": "七个字符太长了"}]
    result = run_rules(tmp_path, RULES, rows)
    assert failing_lines(result, "E1") == [1, 4]
    plan = build_plan(load_pack(tmp_path / "rulesets" / "demo"))
    shown = rule_sql(plan, plan.entry("E1", "DEMO"))
    assert shown.count("\"LX\" = '甲类'") == 1 and "length(\"MC\") NOT IN (2, 4, 6)" in shown


def test_a_new_kind_is_exported_to_gx_by_asking_it(tmp_path, even_length):
    suite = export_suites(_pack(tmp_path))[0]
    e1 = next(e for e in suite.expectations if e["meta"]["rule_id"] == "E1")
    assert e1["type"] == "expect_column_values_to_match_regex"
    assert e1["kwargs"]["regex"] == "(?s)^(?:..){1,3}\\Z"
    assert e1["kwargs"]["row_condition"] == {"type": "comparison", "column": {"name": "LX"}, "operator": "==",
                                             "parameter": "甲类"}
    assert {"rule": "E4", "kind": "even_length", "reason": "a repetition above 100 is not portable"} \
        in suite.not_exported


def test_a_new_kind_is_linted_by_its_own_facts(tmp_path, even_length):
    _pack(tmp_path)
    found = {(f.rule, f.message) for f in lint(tmp_path / "rulesets" / "demo")}
    assert ("E2", "can never pass: no even length up to 1") in found
    assert ("E3", "can never fire: even_length checks filled values, but 'when' needs the field empty") in found
    assert not any(rule == "E1" for rule, _ in found)


def test_a_new_kind_is_conformance_checked(tmp_path, even_length):
    pack = _pack(tmp_path)
    pack.rules = [r for r in pack.rules if r.id in ("E1", "E4")]
    derived = next(r for r in pack.rules if r.id == "E4")
    derived.origin = "derived"  # no examples: its failing row comes from the kind (failing_rows)
    _, expectations, untested = conformance.build_fixtures(pack)
    assert {e.rule.id for e in expectations} == {"E1", "E4"} and not untested
    report = conformance.check(pack)
    assert report.ok, report.problems
    assert report.checked == 2


def test_conformance_catches_a_kind_failing_the_clean_row(tmp_path, even_length):
    pack = _pack(tmp_path)
    pack.rules = [r for r in pack.rules if r.id == "E5"]
    pack.rules[0].origin = "derived"  # the clean value of MC (a name) is one character: odd
    assert conformance.check(pack).problems == ["DEMO E5: fails on passing row(s), line(s) [1] (values: ['明'])"]


def test_a_kind_without_a_generator_leaves_derived_rules_untested(tmp_path, even_length, monkeypatch):
    pack = _pack(tmp_path)
    pack.rules = [r for r in pack.rules if r.id == "E4"]
    pack.rules[0].origin = "derived"
    monkeypatch.setattr(EvenLength, "failing_rows", RuleKind.failing_rows)
    assert conformance.build_fixtures(pack)[2] == ["DEMO E4"]


class LocalOnly(EvenLength):
    """The same check, declared unable to leave DuckDB (as a kind reading a local file would be)."""

    name = "even_length_local"
    cannot_run_on = {"pushdown": "reads a local file", "spark": "reads a local file"}


def test_a_kind_says_where_it_cannot_run(tmp_path, even_length, monkeypatch):
    monkeypatch.setitem(REGISTRY, LocalOnly.name, LocalOnly())
    write_spec(tmp_path)
    both = """\
rules:
  - {id: R1, table: DEMO, kind: even_length, field: MC, max: 6}
  - {id: R2, table: DEMO, kind: even_length_local, field: MC, max: 6}
"""
    plan = build_plan(load_pack(write_pack(tmp_path, both)))
    tp = plan.tables["DEMO"]
    refused = refusals(tp.row_rules + tp.set_rules, "spark", plan.not_run)
    assert {plan.entries[i].rule.id: why for i, why in refused.items()} == {"R2": "reads a local file"}
    warehouse = SimpleNamespace(lowering=dialect_for("postgresql"))
    assert WarehouseSource._unpushable(warehouse, plan, "DEMO") == "rule R2: reads a local file"
    plan = build_plan(load_pack(write_pack(tmp_path, both.replace("even_length_local", "even_length"))))
    assert WarehouseSource._unpushable(warehouse, plan, "DEMO") is None  # R2 lowers to PostgreSQL


def test_kinds_without_gx_say_why():
    assert REGISTRY["range"].gx_unsupported.startswith("reads the text as a number")
    with pytest.raises(NotExpressible, match="rule kind 'graph' has no GX expectation"):
        REGISTRY["graph"].gx_expectations(Rule(id="G", table="T", kind="graph"), None)


def test_only_table_level_kinds_run_their_fixtures_alone():
    assert {name for name, kind in REGISTRY.items() if kind.table_level} == {"distribution"}


def test_rules_do_not_import_the_reconcile_command():
    """The reconcile kind's SQL lives with the kind; engine/reconcile/ builds on it, not the reverse."""
    code = "import sys, engine.rules; print(sorted(m for m in sys.modules if m.startswith('engine.reconcile')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
