"""tieout rule: a field equals the sum (or count) of matching rows of another table, within a tolerance."""
from tests.helpers import failing_lines, rule_result, run_rules

F = lambda code, name, fmt="C..20", **kw: {"code": code, "name": name, "format": fmt, **kw}  # noqa: E731
CJRQ = F("CJRQ", "采集日期", "YYYYMMDD")
TABLES = {
    "JJB": [F("JJH", "借据号"), F("BZ", "币种"), F("YE", "借据余额", "D20.2"), F("BS", "笔数", "I..4"), CJRQ],
    "FZB": [F("JJH", "借据号"), F("BZ", "币种"), F("YE", "分户余额", "D20.2"), F("ZT", "状态"), CJRQ],
}


def test_sum_count_tolerance_and_no_matching_rows(tmp_path):
    rules = """
    rules:
      - {id: T1, table: JJB, kind: tieout, field: YE, keys: [JJH], from: {table: FZB, keys: [JJH], sum: YE}}
      - {id: T2, table: JJB, kind: tieout, field: 笔数, keys: [借据号], from: {table: FZB, keys: [借据号], count: true}}
      - {id: T3, table: JJB, kind: tieout, field: YE, keys: [JJH], tolerance: 0.5,
         from: {table: FZB, keys: [JJH], sum: 分户余额}}
      - {id: T4, table: JJB, kind: tieout, field: YE, keys: [JJH, BZ], from: {table: FZB, keys: [JJH, BZ], sum: YE}}
      - {id: T5, table: JJB, kind: tieout, field: YE, keys: [JJH], from: {table: FZB, keys: [JJH], sum: YE, when: "ZT = '正常'"}}
    """
    rows = {
        "JJB": [
            {"JJH": "A", "BZ": "CNY", "YE": "300.00", "BS": "2"},    # 100 + 200
            {"JJH": "B", "BZ": "CNY", "YE": "50.40", "BS": "1"},     # ledger 50.00: off by 0.40
            {"JJH": "C", "BZ": "CNY", "YE": "10.00", "BS": "0"},     # no ledger rows: total 0
            {"JJH": "D", "BZ": "CNY", "YE": "0", "BS": "1"},         # no ledger rows: 0 = 0, but count 0 ≠ 1
            {"JJH": "E", "BZ": "CNY", "YE": "70", "BS": "2"},        # ledger 60 + 'abc' (not a number)
            {"JJH": "", "BZ": "CNY", "YE": "5", "BS": "1"},          # empty key: skipped
            {"JJH": "G", "BZ": "CNY", "YE": "", "BS": ""},           # empty field: skipped
            {"JJH": "H", "BZ": "CNY", "YE": "1.00", "BS": "2"},      # ledger 2.00: off by 1; 1 row ≠ 2
        ],
        "FZB": [
            {"JJH": "A", "BZ": "CNY", "YE": "100", "ZT": "正常"}, {"JJH": "A", "BZ": "USD", "YE": "200", "ZT": "正常"},
            {"JJH": "B", "BZ": "CNY", "YE": "50.00", "ZT": "正常"},
            {"JJH": "E", "BZ": "CNY", "YE": "60", "ZT": "正常"}, {"JJH": "E", "BZ": "CNY", "YE": "abc", "ZT": "正常"},
            {"JJH": "", "BZ": "CNY", "YE": "5", "ZT": "正常"},
            {"JJH": "G", "BZ": "CNY", "YE": "9", "ZT": "正常"},
            {"JJH": "H", "BZ": "CNY", "YE": "2.00", "ZT": "核销"},
        ],
    }
    result = run_rules(tmp_path, rules, rows, tables=TABLES)
    assert failing_lines(result, "T1") == [2, 3, 5, 8]
    assert failing_lines(result, "T2") == [4, 8]
    assert failing_lines(result, "T3") == [3, 5, 8]
    assert failing_lines(result, "T4") == [1, 2, 3, 5, 8]    # A: only the CNY row (100) matches
    assert failing_lines(result, "T5") == [2, 3, 5, 8]       # H: its only ledger row is filtered out → 0
    values = {s.line: s.value for s in rule_result(result, "T1").samples}
    assert values[3] == "10.0000000000 ≠ 0.0000000000"         # own value ≠ total (0 when no rows)
    assert values[2] == "50.4000000000 ≠ 50.0000000000"
    assert [s.value for s in rule_result(result, "T2").samples] == ["1.0000000000 ≠ 0", "2.0000000000 ≠ 1"]
    assert "之和" in rule_result(result, "T1").message_zh
    assert "记录数" in rule_result(result, "T2").message_zh


def test_missing_from_table_means_not_run(tmp_path):
    rules = """
    rules:
      - {id: T1, table: JJB, kind: tieout, field: YE, keys: [JJH], from: {table: FZB, keys: [JJH], sum: YE}}
    """
    result = run_rules(tmp_path, rules, {"JJB": [{"JJH": "A", "YE": "1"}]}, tables=TABLES)
    assert rule_result(result, "T1").status == "not_run"
    assert "FZB" in rule_result(result, "T1").note
    assert [s.value for s in rule_result(result, "FILE.MISSING_TABLE", "JJB").samples] == ["FZB (rule T1)"]
