"""graph rule: ownership chains — cycles, chains ending in an allowed holder, main shareholders that
trace up to their ultimate controller — by recursive SQL over edge records."""
import pytest

from engine.errors import RuleFileError
from tests.helpers import failing_lines, rule_result, run_rules, write_pack, write_spec

F = lambda code, name, fmt="C..20", **kw: {"code": code, "name": name, "format": fmt, **kw}  # noqa: E731
CJRQ = F("CJRQ", "采集日期", "YYYYMMDD")
TABLES = {
    "CT": [F("JG", "机构"), F("CYR", "持有人证件号码"), F("BCY", "被持有主体证件号码"), F("LX", "持有人类型"),
           F("SK", "是否实际控制人"), CJRQ],
    "GD": [F("JG", "机构"), F("ZJHM", "证件号码"), F("ZY", "是否主要股东"), CJRQ],
}
RULES = """
rules:
  - {id: CYC, table: CT, kind: graph, check: cycle, edges: {from: CYR, to: BCY, partition: [JG]}}
  - id: TERM
    table: CT
    kind: graph
    check: terminal
    edges: {from: 持有人证件号码, to: 被持有主体证件号码, partition: [机构]}
    terminal: "持有人类型 IN ('自然人', '国有机构', '上市公司')"
  - id: REACH
    table: GD
    kind: graph
    check: reach
    field: 证件号码
    when: "是否主要股东 = '是'"
    partition: [机构]
    edges: {table: CT, from: CYR, to: BCY, partition: [JG]}
    target: "是否实际控制人 = '是'"
"""
EDGES = [
    {"JG": "A", "CYR": "P1", "BCY": "BANK", "LX": "民营企业"},                     # 1  P1 holds the bank
    {"JG": "A", "CYR": "P0", "BCY": "P1", "LX": "民营企业"},                       # 2  P0 holds P1
    {"JG": "A", "CYR": "ZHANG", "BCY": "P0", "LX": "自然人", "SK": "是"},          # 3  a person controls P0: chain ends well
    {"JG": "A", "CYR": "C1", "BCY": "BANK", "LX": "民营企业"},                     # 4  C1 ⇄ C2: a cycle
    {"JG": "A", "CYR": "C2", "BCY": "C1", "LX": "民营企业"},                       # 5
    {"JG": "A", "CYR": "C1", "BCY": "C2", "LX": "民营企业"},                       # 6
    {"JG": "A", "CYR": "T1", "BCY": "BANK", "LX": "非上市企业"},                   # 7  chain stops at an unlisted firm
    {"JG": "A", "CYR": "S1", "BCY": "S1", "LX": "民营企业"},                       # 8  holds itself
    {"JG": "B", "CYR": "P1", "BCY": "BANK2", "LX": "民营企业"},                    # 9  another institution: its own graph
    {"JG": "A", "CYR": "SASAC", "BCY": "BANK", "LX": "国有机构"},                  # 10 ends in a state body, no controller flag
    {"JG": "A", "CYR": "", "BCY": "BANK", "LX": "民营企业"},                       # 11 empty holder: not an edge
]
HOLDERS = [
    {"JG": "A", "ZJHM": "P1", "ZY": "是"},      # 1  P1 → P0 → ZHANG (controller): passes
    {"JG": "A", "ZJHM": "C1", "ZY": "是"},      # 2  only a cycle above: fails
    {"JG": "A", "ZJHM": "T1", "ZY": "是"},      # 3  no controller above: fails
    {"JG": "A", "ZJHM": "ZHANG", "ZY": "是"},   # 4  is the controller: passes
    {"JG": "A", "ZJHM": "NEW", "ZY": "是"},     # 5  no penetration records at all: fails
    {"JG": "B", "ZJHM": "P1", "ZY": "是"},      # 6  in B, P1 has no holders above it: fails
    {"JG": "A", "ZJHM": "X9", "ZY": "否"},      # 7  not a main shareholder: not checked
    {"JG": "A", "ZJHM": "", "ZY": "是"},        # 8  no start node: skipped
]


def test_cycles_terminals_and_reach(tmp_path):
    result = run_rules(tmp_path, RULES, {"CT": EDGES, "GD": HOLDERS}, tables=TABLES)
    assert failing_lines(result, "CYC") == [5, 6, 8]
    assert [s.value for s in rule_result(result, "CYC").samples] == ["C2 → C1", "C1 → C2", "S1 → S1"]
    # tops of chains: ZHANG (person), T1 (unlisted: fails), SASAC (state: passes), P1 in B (fails)
    assert failing_lines(result, "TERM") == [7, 9]
    assert rule_result(result, "TERM").samples[0].value == "T1 非上市企业"
    assert failing_lines(result, "REACH") == [2, 3, 5, 6]
    assert "逐层穿透" in rule_result(result, "REACH").message_zh


def test_long_chain_and_diamond(tmp_path):
    edges = [{"JG": "A", "CYR": f"N{i + 1}", "BCY": f"N{i}", "LX": "民营企业"} for i in range(30)]
    edges += [{"JG": "A", "CYR": "TOP", "BCY": "N30", "LX": "自然人", "SK": "是"},
              {"JG": "A", "CYR": "D1", "BCY": "N0", "LX": "民营企业"}, {"JG": "A", "CYR": "N5", "BCY": "D1", "LX": "民营企业"}]
    result = run_rules(tmp_path, RULES, {"CT": edges, "GD": [{"JG": "A", "ZJHM": "N0", "ZY": "是"}]}, tables=TABLES)
    assert failing_lines(result, "REACH") == []
    assert failing_lines(result, "CYC") == []
    assert failing_lines(result, "TERM") == []


@pytest.mark.parametrize("rule, message", [
    ("{id: X, table: CT, kind: graph, check: loop, edges: {from: CYR, to: BCY}}", "loop"),
    ("{id: X, table: CT, kind: graph, check: cycle, edges: {from: NOPE, to: BCY}}", "unknown field 'NOPE'"),
    ("{id: X, table: CT, kind: graph, check: terminal, edges: {from: CYR, to: BCY}}", "needs 'terminal'"),
    ("{id: X, table: GD, kind: graph, check: cycle, edges: {table: CT, from: CYR, to: BCY}}", "runs on the edge table"),
    ("{id: X, table: GD, kind: graph, check: reach, field: ZJHM, edges: {table: CT, from: CYR, to: BCY}}",
     "needs 'field'"),
    ("{id: X, table: GD, kind: graph, check: reach, field: ZJHM, target: \"SK = '是'\", "
     "edges: {table: CT, from: CYR, to: BCY, partition: [JG]}}", "same length"),
    ("{id: X, table: GD, kind: graph, check: reach, field: ZJHM, target: \"NOPE = '是'\", "
     "edges: {table: CT, from: CYR, to: BCY}}", "unknown field 'NOPE'"),
])
def test_mistakes_are_rule_file_errors_with_file_and_line(tmp_path, rule, message):
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, f"rules:\n  - {rule}\n")
    from engine.ruleset import load_pack
    with pytest.raises(RuleFileError, match=message) as info:
        load_pack(pack_dir)
    assert info.value.location.file.endswith("rules.yaml") and info.value.location.line == 2
