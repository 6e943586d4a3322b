"""`jianhe lint`: purpose-made bad packs give one `file:line: rule id: message` line per mistake."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.lint import lint
from engine.spec import load_catalog
from tests.helpers import write_pack, write_spec

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<rule>[^:]+): (?P<message>.+)$")

NEVER_FIRES = """\
rules:
  - {id: W1, table: DEMO, kind: required, field: MC, when: "LX = '甲类' AND LX = '乙类'"}
  - {id: W2, table: DEMO, kind: required, field: MC, when: "LX IN ('甲类', '乙类') AND LX <> '甲类' AND LX <> '乙类'"}
  - {id: W3, table: DEMO, kind: required, field: MC, when: "num(JE) > 5 AND num(JE) < 3"}
  - {id: W4, table: DEMO, kind: required, field: MC, when: "is_empty(LX) AND LX = '甲类'"}
  - {id: W5, table: DEMO, kind: required, field: MC, when: "BZ = 'RMB币'"}
  - {id: W6, table: DEMO, kind: required, field: MC, when: "(LX = '甲类' AND LX = '乙类') OR (JE > 5 AND JE < 1)"}
  - {id: R1, table: DEMO, kind: range, field: JE, min: 100, max: 10}
  - {id: R2, table: DEMO, kind: range, field: JE, min: 5, max: 5, max_inclusive: false}
  - {id: L1, table: DEMO, kind: length, field: MC, min: 5, max: 2}
  - {id: C1, table: DEMO, kind: codelist, field: BZ, values: [人民币, 美元]}
  - {id: Q1, table: DEMO, kind: required, field: MC, when: "filled(MC)"}
  - {id: F1, table: DEMO, kind: format, field: KSRQ, format: YYYYMMDD, when: "is_empty(KSRQ)"}
"""
OVERLAPS = """\
rules:
  - {id: O1, table: DEMO, kind: format, field: JE}
  - {id: O2, table: DEMO, kind: regex, field: KSRQ, pattern: "[0-9]{8}"}
  - {id: O3, table: DEMO, kind: compare, field: JSRQ, op: ">=", other: KSRQ, type: date}
  - {id: O4, table: DEMO, kind: compare, field: JSRQ, op: ">=", other: 开始日期, type: date}
"""
CLEAN = """\
rules:
  - {id: K1, table: DEMO, kind: required, field: MC, when: "LX = '甲类' OR LX = '乙类'"}
  - {id: K2, table: DEMO, kind: range, field: JE, min: 0, max: 1000000}
  - {id: K3, table: DEMO, kind: regex, field: KSRQ, pattern: "20[0-9]{6}"}
  - {id: K4, table: DEMO, kind: codelist, field: BZ, values: [CNY, USD]}
  - {id: K5, table: DEMO, kind: required, field: MC, when: "num(JE) >= 5 AND num(JE) <= 5 AND LX IN ('甲类', '乙类') AND LX <> '乙类'"}
  - {id: K6, table: DEMO, kind: format, field: KSRQ, format: YYYYMMDD, when: "filled(JSRQ)"}
"""
BROKEN_A = """\
rules:
  - {id: B1, table: DEMO, kind: required, field: NOSUCH}
  - {id: B2, table: DEMO, kind: codelist, field: 不存在字段, values: [x]}
  - {id: B3, table: NOTABLE, kind: required, field: MC}
"""
BROKEN_B = """\
table: DEMO
rules:
  - {id: B1, kind: required, field: MC}
  - {id: B4, kind: sparkle, field: MC}
  - {id: B5, kind: expression, expr: "GHOST = '1'"}
"""


def _pack(tmp_path: Path, rules: str, derive: dict | None = None) -> Path:
    write_spec(tmp_path)
    return write_pack(tmp_path, rules, derive)


def _by_rule(findings) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f.message)
    return out


def test_rules_that_can_never_fire_or_pass(tmp_path):
    pack = _pack(tmp_path, NEVER_FIRES)
    found = _by_rule(lint(pack))
    assert set(found) == {"W1", "W2", "W3", "W4", "W5", "W6", "R1", "R2", "L1", "C1", "Q1", "F1"}
    assert "no value of LX meets every condition" in found["W1"][0]
    assert "no value of LX" in found["W2"][0]
    assert "JE must be above 5 and below 3" in found["W3"][0]
    assert "LX must be both empty and filled" in found["W4"][0]
    assert "format C3 cannot hold" in found["W5"][0]
    assert found["W6"][0].count(";") == 1  # both alternatives are impossible
    assert "min 100 > max 10" in found["R1"][0] and "exclusive bound is empty" in found["R2"][0]
    assert "min 5 > max 2" in found["L1"][0]
    assert "no code of the list fits format C3" in found["C1"][0]
    assert "already needs the field filled" in found["Q1"][0]
    assert "needs the field empty" in found["F1"][0]


def test_overlapping_rules(tmp_path):
    pack = _pack(tmp_path, OVERLAPS, derive={"required": False, "format": True, "codelist": False,
                                             "key": False, "links": False})
    found = _by_rule(lint(pack))
    assert set(found) == {"O1", "O2", "O4"}
    je_line = load_catalog(tmp_path / "specs" / "demo").tables["DEMO"].field("JE").line
    assert found["O1"] == [f"overlaps rule DEMO.JE.format ({tmp_path / 'specs/demo/tables/DEMO.yaml'}:{je_line}): "
                           "the identical check"]
    assert "every value of format YYYYMMDD already matches" in found["O2"][0]
    assert found["O4"][0].startswith("overlaps rule O3 (") and "rules.yaml:4)" in found["O4"][0]


def test_clean_pack_lints_clean(tmp_path, capsys):
    pack = _pack(tmp_path, CLEAN)
    assert lint(pack) == []
    assert main(["lint", "--pack", str(pack)]) == 0
    assert capsys.readouterr().out == ""


def test_broken_names_are_all_reported_not_just_the_first(tmp_path, capsys):
    pack = _pack(tmp_path, BROKEN_A)
    (pack / "more.yaml").write_text(BROKEN_B, encoding="utf-8")
    rc = main(["lint", "--pack", str(pack)])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    parsed = [LINE.match(line) for line in out]
    assert all(parsed), out
    got = {(Path(m["file"]).name, int(m["line"]), m["rule"]) for m in parsed}
    assert got == {("rules.yaml", 2, "B1"), ("rules.yaml", 3, "B2"), ("rules.yaml", 4, "B3"),
                   ("more.yaml", 4, "B4"), ("more.yaml", 5, "B5")}
    assert len(out) == 6  # B1 at rules.yaml:2 is both a duplicate and an unknown field
    text = "\n".join(out)
    assert "unknown field 'NOSUCH' in table DEMO" in text and "unknown field '不存在字段'" in text
    assert "unknown table 'NOTABLE'" in text and "unknown rule kind 'sparkle'" in text
    assert "duplicate rule id (first defined at" in text and "unknown field 'GHOST'" in text


def test_missing_pack_is_a_usage_error(tmp_path, capsys):
    assert main(["lint", "--pack", str(tmp_path / "nope")]) == 2
    assert "rule pack not found" in capsys.readouterr().err


@pytest.mark.parametrize("pack", ["east5_core", "equity_rpt", "lgfv", "multi_creditor", "debt_platform"])
def test_shipped_pack_lints_clean(pack):
    """Packs with parameters are judged with their defaults filled in, as they run."""
    assert [str(f) for f in lint(pack)] == []


def test_full_pack_findings_are_restated_official_rules_only():
    """The east5 pack restates 11 official rules (2389, 2414 …) as the derived rule of the same field
    with its own history; lint reports each pair as an overlap (every failure is counted twice),
    and nothing else."""
    findings = lint("east5")
    assert all(f.message.startswith("overlaps rule ") for f in findings), [str(f) for f in findings]
    for f in findings:
        pair = {f.rule, f.message.split()[2]}
        assert any(r.isdigit() for r in pair) and any(not r.isdigit() for r in pair), str(f)


@pytest.mark.parametrize("rules, words", [
    ("rules:\n  - {id: X1, table: DEMO, kind: required, field: MC, when: \"JE > 5 AND JE <= 5\"}\n", "JE must be"),
    ("rules:\n  - {id: X1, table: DEMO, kind: required, field: MC, when: \"JE BETWEEN 10 AND 20 AND JE = 30\"}\n",
     "no value of JE"),
    ("rules:\n  - {id: X1, table: DEMO, kind: required, field: MC, when: \"KSRQ = '2024-01-01'\"}\n",
     "format YYYYMMDD cannot hold"),
    ("rules:\n  - {id: X1, table: DEMO, kind: required, field: MC, when: \"LX IS NULL AND filled(LX)\"}\n",
     "both empty and filled"),
])
def test_more_contradictions(tmp_path, rules, words):
    findings = lint(_pack(tmp_path, rules))
    assert len(findings) == 1 and words in findings[0].message, [str(f) for f in findings]
