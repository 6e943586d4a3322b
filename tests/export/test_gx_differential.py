"""Great Expectations and jianhe on the same data: every exported rule fails on the same number of
records (GX ``unexpected_count`` = jianhe's failures, 备注 excuses included, since GX has none).

Two data sets: the shipped example's well-formed rows (east5_core, 11 tables), and a generated
table built to hit every branch of the export — valid values, near misses (29 February in
century years, 99991231, '1.', '-0', one-digit days, '其他-' without a value, multi-values with
an empty item, line breaks inside text …) and gaps. GX gets the same values with empty fields as
null, the convention the suites document; jianhe treats '' and NULL alike.
"""
from __future__ import annotations

import json
import random
import warnings

import pandas as pd
import pytest

gx = pytest.importorskip("great_expectations", reason="Great Expectations is not installed (pip install 'jianhe[gx]')")

import engine  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.export.gx import export_suites  # noqa: E402
from engine.ruleset import load_pack  # noqa: E402
from tests.example_tables import PREVIOUS, ROOT, example_rows, pack  # noqa: E402
from tests.helpers import write_pack, write_spec  # noqa: E402

FIELDS = [
    {"code": "ID", "name": "编号", "format": "C..20", "required": True},
    {"code": "SEQ", "name": "序号", "format": "I..6", "required": True},
    {"code": "NAME", "name": "名称", "format": "C..60"},
    {"code": "LX", "name": "类型", "format": "C..30", "codelist": "类型"},
    {"code": "DX", "name": "多选", "format": "C..100", "codelist": "多选", "multi": True},
    {"code": "ZT", "name": "状态", "format": "C..10", "codelist": "状态"},
    {"code": "JE", "name": "金额", "format": "D20.2"},
    {"code": "SL", "name": "数量", "format": "I..4"},
    {"code": "LL", "name": "利率", "format": "F"},
    {"code": "KSRQ", "name": "开始日期", "format": "YYYYMMDD"},
    {"code": "JSRQ", "name": "结束日期", "format": "YYYYMMDD"},
    {"code": "NY", "name": "年月", "format": "YYYYMM"},
    {"code": "SJ", "name": "时间", "format": "hhmmss"},
    {"code": "ZH", "name": "账号", "format": "C..40"},
    {"code": "A1", "name": "文本甲", "format": "C..30"},
    {"code": "A2", "name": "文本乙", "format": "C..30"},
    {"code": "BBZ", "name": "备注", "format": "C..600"},
    {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD", "required": True},
]
CODELISTS = {"类型": {"values": ["甲类", "乙类"], "other": True}, "多选": {"values": ["A", "B", "C"]},
             "状态": {"values": ["正常", "结清", "核销"]}}
RULES = r"""
table: GEN
rules:
  - {id: W1, kind: regex, field: ZH, pattern: '[0-9]{6,19}'}
  - {id: W2, kind: regex, field: NAME, pattern: '[\x{4e00}-\x{9fa5}A-Za-z（）()]{2,}'}
  - {id: W3, kind: length, field: NAME, min: 2, max: 8}
  - {id: W4, kind: length, field: ZH, lengths: [16, 19]}
  - {id: W5, kind: unique, fields: [ZH]}
  - {id: W6, kind: compare, field: A1, op: ">", other: A2, type: text}
  - {id: W7, kind: compare, field: A1, op: "<=", other: A2, type: text}
  - {id: W8, kind: compare, field: A1, op: "=", other: A2, type: text}
  - {id: W9, kind: not_default, field: KSRQ}
  - {id: W10, kind: forbidden_chars, field: NAME, charset: standard}
  - {id: W11, kind: required, field: JSRQ, when: "ZT = '结清'"}
  - {id: W12, kind: required, field: JE, when: "ZT IN ('正常', '结清') AND 类型 = '甲类'"}
  - {id: W13, kind: codelist, field: A1, values: ['x', 'y'], other_prefixes: ['第三方支付']}
  - {id: W14, kind: length, field: A2, max: 3}
  - {id: W15, kind: regex, field: A2, pattern: 'a.c$|^[0-9]+\.[0-9]{2}'}
  - {id: W16, kind: range, field: JE, min: 0}
  - {id: W17, kind: compare, field: KSRQ, op: "<=", other: JSRQ}
  - {id: W18, kind: expression, expr: "SL <> '7'"}
  - {id: W19, kind: required, field: NY, when: "ZT <> '核销'"}
"""
POOLS = {
    "SEQ": ["1", "2", "3", "01", "-0", "0", "1234567", "x"],
    "NAME": ["张三", "李四公司", "AB", "A", "中国银行（北京）分行", "x#y", "王五.", "Ωmega", "很长很长的一个名称啊", "张\n三",
             "a b", "招商银行(深圳)"],
    "LX": ["甲类", "乙类", "其他-自定义", "其他-", "其他", "丙类", "甲类 ", "其他-\n"],
    "DX": ["A", "A;B", "B;C;A", "A;", "D", ";", "A;D", "C", "a"],
    "ZT": ["正常", "结清", "核销", "逾期"],
    "JE": ["0", "1234.5", "1234.56", "-1.00", "1.", ".5", "00.5", "1234.567", "12345678901234567.12",
           "123456789012345678.12", "+1", "1e5", " 1", "-0", "abc", "-", "0.0"],
    "SL": ["0", "1", "9999", "10000", "-1", "01", "+1", "1.0", "7", "-0"],
    "LL": ["1", "1.5", "-2.25", "1e-3", "1E+5", ".5", "1.", "abc", "--1", "0"],
    "KSRQ": ["20240630", "20240229", "20230229", "19000229", "20000229", "00000229", "00001231", "99991231",
             "20241301", "20240431", "2024063", " 20240630", "2024-06-30", "abcdefgh", "04000229", "01000229",
             "20240100", "20241231"],
    "NY": ["202406", "999912", "000012", "202413", "202400", "2024-6", "20240", "100001"],
    "SJ": ["000000", "235959", "240000", "236000", "12345", "123456", "1234567", "23595a"],
    "A": ["a", "b", "B", "ab", "中", "中文", "Z", "x", "y", "第三方支付-微信", "第三方支付-", "abc", "a\nc", "axc",
          "12.34", "1.234", "12.3", "第三方支付"],
}


def generated_rows(n: int = 2500, seed: int = 20240630) -> list[dict]:
    rnd = random.Random(seed)

    def pick(pool: list[str], empty: float = 0.08) -> str:
        return "" if rnd.random() < empty else rnd.choice(pool)

    def account() -> str:
        if rnd.random() < 0.1:
            return rnd.choice(["62220200001", "6222020000112345", "ABC1234567", "62220200001123456789"])
        return "".join(rnd.choice("0123456789") for _ in range(rnd.choice([5, 6, 16, 19, 20])))
    rows = []
    for _ in range(n):
        rows.append({
            "ID": pick([f"ID{i}" for i in range(900)], 0.02), "SEQ": pick(POOLS["SEQ"], 0.02),
            "NAME": pick(POOLS["NAME"]), "LX": pick(POOLS["LX"]), "DX": pick(POOLS["DX"]), "ZT": pick(POOLS["ZT"]),
            "JE": pick(POOLS["JE"]), "SL": pick(POOLS["SL"]), "LL": pick(POOLS["LL"]), "KSRQ": pick(POOLS["KSRQ"]),
            "JSRQ": pick(POOLS["KSRQ"]), "NY": pick(POOLS["NY"]), "SJ": pick(POOLS["SJ"]),
            "ZH": "" if rnd.random() < 0.08 else account(), "A1": pick(POOLS["A"]), "A2": pick(POOLS["A"]),
            "BBZ": "", "CJRQ": pick(["20240630"], 0.03),
        })
    return rows


def gx_counts(suite: dict, df: pd.DataFrame) -> dict[str, int]:
    """Run the suite on the frame with GX (ephemeral context, pandas); unexpected records per rule id."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = gx.get_context(mode="ephemeral")
        batch_definition = (context.data_sources.add_pandas("jianhe").add_dataframe_asset(suite["name"])
                            .add_batch_definition_whole_dataframe("all"))
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"],
                                                          meta=suite["meta"]))
        results = batch_definition.get_batch(batch_parameters={"dataframe": df}).validate(gx_suite,
                                                                                         result_format="BASIC")
    counts: dict[str, int] = {}
    for r in results.results:
        info = r.exception_info or {}
        raised = info.get("raised_exception") or any(isinstance(v, dict) and v.get("raised_exception")
                                                       for v in info.values())
        assert not raised, f"GX could not evaluate {r.expectation_config.type}: {info}"
        rule_id = r.expectation_config.meta["rule_id"]
        counts[rule_id] = counts.get(rule_id, 0) + r.result["unexpected_count"]
    return counts


def for_gx(df: pd.DataFrame) -> pd.DataFrame:
    """The same values, empty fields as null (the suites' documented convention)."""
    return df.astype(object).where(df != "", None)


def compare(pack_, result, frames: dict[str, pd.DataFrame]) -> dict[str, tuple[int, int]]:
    """Per exported rule: (jianhe failures, GX unexpected records); asserts they agree."""
    jianhe = {(r.table, r.id): r.failed + r.excused for r in result.rules}
    checked = {}
    for suite in export_suites(pack_, sorted(frames)):
        if not suite.expectations:
            continue
        doc = suite.to_json(pack_)
        theirs = gx_counts(doc, for_gx(frames[suite.table.code]))
        for rule_id, count in theirs.items():
            checked[f"{suite.table.code}.{rule_id}"] = (jianhe[(suite.table.code, rule_id)], count)
    different = {k: v for k, v in checked.items() if v[0] != v[1]}
    assert different == {}, f"jianhe vs GX (failures, unexpected): {different}"
    return checked


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    write_spec(root, {"GEN": FIELDS}, codelists=CODELISTS, keys={"GEN": ["ID", "SEQ"]})
    gen_pack = load_pack(write_pack(root, RULES, derive={"required": True, "format": True, "codelist": True,
                                                          "key": True, "links": False}))
    df = pd.DataFrame(generated_rows(), dtype=object)
    return gen_pack, df


def test_generated_table_gx_and_jianhe_count_the_same_failures(generated):
    gen_pack, df = generated
    result = engine.validate({"GEN": df}, pack=gen_pack, sample_limit=0)
    checked = compare(gen_pack, result, {"GEN": df})
    # the data must exercise what is compared: nearly every exported rule fails somewhere, and passes somewhere
    failing = [k for k, (ours, _) in checked.items() if ours]
    assert len(failing) >= 0.9 * len(checked), sorted(set(checked) - set(failing))
    assert all(ours < len(df) for ours, _ in checked.values())
    (suite,) = export_suites(gen_pack, ["GEN"])
    types = {e["type"] for e in suite.expectations}
    assert types == {"expect_column_values_to_not_be_null", "expect_column_values_to_match_regex",
                     "expect_column_values_to_be_in_set", "expect_compound_columns_to_be_unique",
                     "expect_column_values_to_be_unique", "expect_column_value_lengths_to_be_between",
                     "expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal",
                     "expect_column_values_to_not_be_in_set", "expect_column_values_to_not_match_regex"}
    assert any("row_condition" in e["kwargs"] and e["kwargs"]["row_condition"]["type"] == "and"
               for e in suite.expectations)


def test_rules_gx_cannot_express_are_listed_with_the_reason(generated):
    gen_pack, _ = generated
    (suite,) = export_suites(gen_pack, ["GEN"])
    left_out = {n["rule"]: n["reason"] for n in suite.not_exported}
    assert "counts UTF-8 bytes" in left_out["GEN.NAME.format"]
    assert "typed values" in left_out["W16"] and "typed values" in left_out["W17"]
    assert "expression" in left_out["W18"]
    assert "when condition" in left_out["W19"]  # '<>' keeps NULLs in GX, drops them in jianhe
    exported = {e["meta"]["rule_id"] for e in suite.expectations}
    assert not exported & set(left_out)
    assert exported | set(left_out) == {r.id for r in gen_pack.for_table("GEN")}


def test_example_tables_gx_and_jianhe_count_the_same_failures():
    frames = {code: pd.DataFrame(rows, columns=cols, dtype=object) for code, (cols, rows) in example_rows().items()}
    result = engine.validate(frames, pack=pack(), previous_date=PREVIOUS, sample_limit=0)
    checked = compare(pack(), result, frames)
    assert len(checked) >= 300 and sum(1 for ours, _ in checked.values() if ours) >= 10


def test_the_export_command_writes_suites_gx_loads(tmp_path, capsys):
    out = tmp_path / "suite.json"
    assert main(["export", "gx", "--pack", str(ROOT / "rulesets" / "east5_core"), "--table", "个人信贷业务借据表",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    doc = json.loads(out.read_text("utf-8"))
    assert doc["name"] == "east5-core.GRXDYWJJB"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gx.get_context(mode="ephemeral")
        suite = gx.ExpectationSuite(**doc)
    assert len(suite.expectations) == len(doc["expectations"]) > 50
    left_out = doc["meta"]["jianhe"]["not_exported"]
    assert left_out and all(f"not exported: {n['rule']} ({n['kind']}): {n['reason']}" in printed for n in left_out)
    folder = tmp_path / "suites"
    assert main(["export", "gx", "--pack", str(ROOT / "rulesets" / "east5_core"), "--out", str(folder)]) == 0
    assert sorted(p.stem for p in folder.glob("*.json")) == sorted(pack().catalog.tables)
    assert main(["export", "gx", "--pack", str(ROOT / "rulesets" / "east5_core"), "--out", str(out)]) == 2
