"""unique rule: (composite) keys must not repeat; maps_to: one key value maps to one target value."""
import pytest

from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, run_rules


def test_single_and_composite_keys_skip_empty(tmp_path):
    rules = """
    rules:
      - {id: U1, table: DEMO, kind: unique, fields: [ID]}
      - {id: U2, table: DEMO, kind: unique, fields: [ID, 开始日期]}
      - {id: U3, table: DEMO, kind: unique, fields: [名称]}
    """
    rows = [
        {"ID": "A", "KSRQ": "20240101", "MC": "张三"},
        {"ID": "B", "KSRQ": "20240101", "MC": "李四"},
        {"ID": "A", "KSRQ": "20240102", "MC": "张三"},
        {"ID": "A", "KSRQ": "20240101", "MC": "王五"},
        {"ID": "", "KSRQ": "20240101", "MC": ""},      # empty key: skipped
        {"ID": "", "KSRQ": "20240101", "MC": ""},
        {"ID": "C", "KSRQ": "", "MC": "张三 "},         # trailing space is a different value
        {"ID": "C", "KSRQ": "", "MC": "赵六"},          # empty KSRQ: skipped by U2, not by U1
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "U1") == [1, 3, 4, 7, 8]
    assert failing_lines(result, "U2") == [1, 4]
    assert failing_lines(result, "U3") == [1, 3]
    assert [s.value for s in rule_result(result, "U2").samples] == ["ID=A; KSRQ=20240101"] * 2
    assert [s.value for s in rule_result(result, "U3").samples] == ["*三", "*三"]   # MC is pii: name
    assert rule_result(result, "U1").message_zh == "DEMO表.编号应唯一"


def test_maps_to_flags_all_rows_of_the_offending_key(tmp_path):
    rules = """
    rules:
      - {id: U1, table: DEMO, kind: unique, fields: [ID], maps_to: [名称]}
      - {id: U2, table: DEMO, kind: unique, fields: [ID], maps_to: [LX, BZ]}
    """
    rows = [
        {"ID": "A", "MC": "张三", "LX": "甲类", "BZ": "CNY"},
        {"ID": "A", "MC": "张三", "LX": "甲类", "BZ": "CNY"},
        {"ID": "B", "MC": "李四", "LX": "甲类", "BZ": "CNY"},
        {"ID": "B", "MC": "李斯", "LX": "乙类", "BZ": "CNY"},
        {"ID": "B", "MC": "李四", "LX": "甲类", "BZ": "USD"},
        {"ID": "C", "MC": "王五", "LX": "甲类", "BZ": ""},
        {"ID": "C", "MC": "王五", "LX": "", "BZ": "甲类"},    # (甲类, '') vs ('', 甲类): different
        {"ID": "", "MC": "赵六", "LX": "甲类", "BZ": "CNY"},  # empty key: skipped
        {"ID": "", "MC": "钱七", "LX": "乙类", "BZ": "CNY"},
        {"ID": "D", "MC": "孙八", "LX": "乙类", "BZ": "USD"},
    ]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "U1") == [3, 4, 5]
    assert failing_lines(result, "U2") == [3, 4, 5, 6, 7]
    assert sorted(s.value for s in rule_result(result, "U1").samples) == ["B → *四", "B → *四", "B → *斯"]
    assert rule_result(result, "U2").message_en == "each DEMO.ID must map to one LX+BZ"


def test_unique_key_evidence_and_table_key(tmp_path):
    rules = "rules:\n  - {id: U1, table: DEMO, kind: unique, fields: [ID, CJRQ]}\n"
    rows = [{"ID": "A", "MC": "张三"}, {"ID": "A", "MC": "李四"}, {"ID": "B", "MC": "王五"}]
    result = run_rules(tmp_path, rules, rows, keys={"DEMO": ["ID", "MC"]})
    samples = rule_result(result, "U1").samples
    assert [s.line for s in samples] == [1, 2]
    assert [s.key for s in samples] == ["A|*三", "A|*四"]          # the table key, masked where pii


def _csv_batch(tmp_path, rows):
    cols = [f["code"] for f in DEMO_FIELDS]
    batch = tmp_path / "csvbatch"
    batch.mkdir()
    lines = [",".join(cols)] + [",".join({"CJRQ": "20240630", **r}.get(c, "") for c in cols) for r in rows]
    (batch / "DEMO.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return batch


def test_maps_to_on_csv_with_nulls_in_different_columns(tmp_path):
    from engine.ruleset import load_pack
    from engine.backends.duckdb.run import validate_submission
    from tests.helpers import write_pack, write_spec
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, "rules:\n  - {id: U1, table: DEMO, kind: unique, fields: [ID], maps_to: [JE, YE]}\n"))
    batch = _csv_batch(tmp_path, [{"ID": "A", "JE": "1"}, {"ID": "A", "YE": "1"}, {"ID": "B", "JE": "2"}])
    result = validate_submission(batch, pack, sample_limit=100)
    assert failing_lines(result, "U1") == [2, 3]     # CSV lines count the header


def test_maps_to_evidence_on_csv_null_target(tmp_path):
    from engine.ruleset import load_pack
    from engine.backends.duckdb.run import validate_submission
    from tests.helpers import write_pack, write_spec
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, "rules:\n  - {id: U1, table: DEMO, kind: unique, fields: [ID], maps_to: [JE]}\n"))
    batch = _csv_batch(tmp_path, [{"ID": "A", "JE": "1"}, {"ID": "A"}])
    result = validate_submission(batch, pack, sample_limit=100)
    assert failing_lines(result, "U1") == [2, 3]
    assert all(s.value is not None for s in rule_result(result, "U1").samples)
