"""`jianhe init`: a spec + pack scaffolded from a sample loads, and the sample passes it with zero failures."""
from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from engine.cli import main
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.scaffold import profile, round_up, sample_submission

HEADER = ["JJH", "客户名称", "DKJE", "LL", "DKFFRQ", "DKLX", "QS", "ZT", "NY", "SJ", "NBJGH", "BZ", "KZD", "CJRQ"]
ROWS = [
    ["L0001", "张三", "1000.00", "4.3500", "20240101", "消费贷款", "12", "正常", "202401", "120000", "0101", "", "", "20240630"],
    ["L0002", "李四", "25000.5", "3.1", "20240215", "住房贷款", "240", "正常", "202402", "083000", "0102", "", "", "20240630"],
    ["L0003", "欧阳娜娜", "300", "5", "20231130", "消费贷款", "6", "逾期", "202311", "235959", "0101", "补录", "", "20240630"],
    ["L0004", "赵六", "88.88", "4.35", "99991231", "住房贷款", "360", "正常", "202312", "000000", "0103", "", "", "20240630"],
    ["L0005", "孙七", "-12345678.12", "0", "20220101", "消费贷款", "12", "结清", "202201", "101010", "0101", "", "", "20240630"],
    ["L0006", "周八", "0.5", "12.125", "20220102", "住房贷款", "12", "正常", "202201", "101011", "0102", "", "", "20240630"],
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


def _fields(root: Path, table: str) -> dict[str, dict]:
    doc = yaml.safe_load((root / "specs" / "local" / "tables" / f"{table}.yaml").read_text(encoding="utf-8"))
    return {f["code"]: f for f in doc["fields"]}, doc


def _failures(root: Path, sample: Path, table: str, fields=None, date=None) -> list[str]:
    """Validate the sample, named as a submission file of the table, with the scaffolded pack."""
    pack = load_pack(root / "rulesets" / "local")
    batch = root / "batch"
    shutil.rmtree(batch, ignore_errors=True)
    sample_submission(sample, table, batch, fields, date)
    result = validate_submission(batch, pack, sample_limit=5)
    assert any(r.table == table and r.status == "passed" for r in result.rules)
    return [f"{r.table} {r.id} {r.failed} {[s.value for s in r.samples]}" for r in result.rules if r.status != "passed"]


def test_csv_sample_profiled_into_formats_keys_codelists(tmp_path, capsys):
    sample = _write_csv(tmp_path / "loans.csv", HEADER, ROWS)
    out = tmp_path / "scaffold"
    assert main(["init", "--sample", str(sample), "--table", "DKXXB", "--name", "贷款信息表", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "the sample passes every rule" in printed and "key ['JJH']" in printed
    fields, doc = _fields(out, "DKXXB")
    assert doc["name"] == "贷款信息表" and doc["key"] == ["JJH"]
    formats = {code: f["format"] for code, f in fields.items()}
    assert formats == {"JJH": "C..6", "F02": "C..12", "DKJE": "D20.2", "LL": "D20.4", "DKFFRQ": "YYYYMMDD",
                       "DKLX": "C..12", "QS": "I..4", "ZT": "C..6", "NY": "YYYYMM", "SJ": "hhmmss",
                       "NBJGH": "C..4", "BZ": "C..6", "KZD": "C..100", "CJRQ": "YYYYMMDD"}
    assert fields["F02"]["name"] == "客户名称"  # a Chinese header keeps its name; the code is positional
    required = {code for code, f in fields.items() if f.get("required")}
    assert required == set(HEADER) - {"客户名称", "BZ", "KZD"} | {"F02"}
    codelists = yaml.safe_load((out / "specs" / "local" / "codelists.yaml").read_text(encoding="utf-8"))["codelists"]
    assert {f["code"]: f.get("codelist") for f in fields.values() if f.get("codelist")} == {
        "DKLX": "DKXXB.DKLX", "ZT": "DKXXB.ZT", "NBJGH": "DKXXB.NBJGH"}
    assert codelists["DKXXB.ZT"]["values"] == ["正常", "结清", "逾期"]  # by frequency, then value
    assert codelists["DKXXB.NBJGH"]["values"] == ["0101", "0102", "0103"]  # leading zeros: text, not integers
    assert _failures(out, sample, "DKXXB") == []
    # the derived rules really bite: a value outside the code list, a broken date, a duplicate key
    bad = _write_csv(tmp_path / "bad.csv", HEADER, ROWS + [["L0001", "x", "1", "1", "20241301", "车贷", "1", "正常",
                                                           "202401", "120000", "0101", "", "", "20240630"]])
    failing = " ".join(_failures(out, bad, "DKXXB"))
    assert "DKXXB.DKLX.codelist" in failing and "DKXXB.DKFFRQ.format" in failing and "DKXXB.key.unique" in failing


def test_east_text_sample_with_field_list(tmp_path):
    name = "B0001H111000001-DKXXB-20240630.txt"
    sample = tmp_path / name
    sample.write_text("".join("\x01".join(r) + "\n" for r in ROWS), encoding="utf-8")
    codes = ["JJH", "KHMC", "DKJE", "LL", "DKFFRQ", "DKLX", "QS", "ZT", "NY", "SJ", "NBJGH", "BZ", "KZD", "CJRQ"]
    out = tmp_path / "east"
    assert main(["init", "--sample", str(sample), "--table", "DKXXB", "--fields", ",".join(codes), "--out", str(out)]) == 0
    fields, _ = _fields(out, "DKXXB")
    assert list(fields) == codes and fields["KHMC"]["format"] == "C..12"
    assert _failures(out, sample, "DKXXB", codes) == []


def test_parquet_sample_with_typed_columns(tmp_path):
    sample = tmp_path / "t.parquet"
    duckdb.execute(f"""COPY (SELECT 'K' || i AS ID, i AS N, i * 1.25 AS AMT, DATE '2024-01-01' + i::INTEGER AS D,
                       ['甲', '乙'][1 + i % 2] AS TP FROM range(1, 41) t(i)) TO '{sample}' (FORMAT parquet)""")
    out = tmp_path / "pq"
    assert main(["init", "--sample", str(sample), "--table", "PQB", "--out", str(out)]) == 0
    fields, doc = _fields(out, "PQB")
    assert doc["key"] == ["ID"]
    assert fields["N"]["format"] == "I..2" and fields["AMT"]["format"] == "D20.2"
    assert fields["D"]["format"] == "YYYYMMDD"  # a DATE column reads as 20240102, as in an EAST file
    assert fields["TP"]["codelist"] == "PQB.TP"
    assert _failures(out, sample, "PQB") == []


def test_second_table_in_the_same_folder_and_no_overwrite(tmp_path, capsys):
    out = tmp_path / "two"
    a = _write_csv(tmp_path / "a.csv", ["ID", "LX"], [["1", "x"], ["2", "x"], ["3", "y"], ["4", "y"]])
    b = _write_csv(tmp_path / "b.csv", ["ID", "MC"], [["1", "甲"], ["2", "乙"]])
    assert main(["init", "--sample", str(a), "--table", "AB", "--out", str(out)]) == 0
    assert main(["init", "--sample", str(b), "--table", "BB", "--out", str(out)]) == 0
    pack = load_pack(out / "rulesets" / "local")
    assert set(pack.catalog.tables) == {"AB", "BB"} and "AB.LX" in pack.catalog.codelists
    capsys.readouterr()
    assert main(["init", "--sample", str(b), "--table", "BB", "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--table", "X"], "sample not found"),
    (["--table", "lower"], "table code in capitals"),
    (["--table", "TX", "--txt"], "give --fields"),
])
def test_bad_invocations_are_usage_errors(tmp_path, capsys, argv, words):
    txt = tmp_path / "s.txt"
    txt.write_text("a\x01b\n", encoding="utf-8")
    csv_file = _write_csv(tmp_path / "s.csv", ["A"], [["1"]])
    sample = str(txt) if "--txt" in argv else str(csv_file if "lower" in argv or "TX" in argv else tmp_path / "no.csv")
    argv = [a for a in argv if a != "--txt"]
    assert main(["init", "--sample", sample, *argv, "--out", str(tmp_path / "o")]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("seed", range(4))
def test_generated_samples_always_pass_their_own_scaffold(tmp_path, seed):
    """Random mixes of codes, amounts, dates, blanks and CJK text: the scaffold accepts its sample."""
    rnd = random.Random(seed)
    n = rnd.randint(3, 40)
    cols = {
        "ID": [f"{rnd.choice('ABC')}{i:05d}" for i in range(n)],
        "AMT": [rnd.choice(["", f"{rnd.uniform(-1e6, 1e6):.{rnd.randint(0, 3)}f}", str(rnd.randint(0, 99))]) for _ in range(n)],
        "RQ": [rnd.choice(["20240131", "99991231", "19991231", f"2023{rnd.randint(1, 12):02d}15"]) for _ in range(n)],
        "TXT": ["".join(rnd.choice("银行贷款abc 1-") for _ in range(rnd.randint(0, 30))) for _ in range(n)],
        "FLAG": [rnd.choice(["0", "1"]) for _ in range(n)],
        "CNT": [str(rnd.randint(-5000, 5000)) for _ in range(n)],
    }
    sample = _write_csv(tmp_path / "g.csv", list(cols), [list(r) for r in zip(*cols.values())])
    out = tmp_path / "g"
    assert main(["init", "--sample", str(sample), "--table", "GEN", "--out", str(out)]) == 0
    assert _failures(out, sample, "GEN") == []


def test_profile_and_rounding():
    assert [round_up(n) for n in (1, 3, 7, 19, 21, 401, 4001)] == [1, 4, 8, 20, 24, 500, 5000]
    with pytest.raises(Exception, match="sample not found"):
        profile(Path("/nonexistent.csv"), "T")
