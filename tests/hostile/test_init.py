"""`jianhe init` into an existing pack: hand-written content is never lost.

Adding a second table once re-dumped codelists.yaml (dropping every comment), and a code list
whose name another table already used stopped the run after the new table's spec was written
(a pack that no longer loaded). Now files a user may have edited are extended as text or kept,
and a refusal (exit 2) happens before anything is written.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from engine.cli import main
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.scaffold import sample_submission

CODELIST_NOTE = "# 码值由业务部门确认 (hand-written, must survive)"
SPEC_NOTE = "# 贷款类型的取值需与总行字典一致 (hand-written, must survive)"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


def sample_a(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "a.csv", ["ID", "LX", "贷款类型"],
                     [["1", "x", "消费"], ["2", "x", "消费"], ["3", "y", "住房"], ["4", "y", "住房"]])


def sample_b(tmp_path: Path) -> Path:
    """A second table with a code list of its own (ZT)."""
    return write_csv(tmp_path / "b.csv", ["BH", "ZT"], [["K1", "正常"], ["K2", "正常"], ["K3", "结清"], ["K4", "结清"]])


def sample_c(tmp_path: Path) -> Path:
    """A column named like one of A's (贷款类型) with other values."""
    return write_csv(tmp_path / "c.csv", ["BH", "贷款类型"], [["K1", "经营"], ["K2", "经营"], ["K3", "经营"]])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def init(sample: Path, table: str, out: Path) -> int:
    return main(["init", "--sample", str(sample), "--table", table, "--out", str(out)])


def failures(out: Path, samples: dict[str, Path], tmp_path: Path) -> list[str]:
    """Validate every sample (as a submission file of its table) with the pack in ``out``."""
    pack = load_pack(out / "rulesets" / "local")
    batch = tmp_path / "batch"
    shutil.rmtree(batch, ignore_errors=True)
    for table, sample in samples.items():
        sample_submission(sample, table, batch, None, None)
    result = validate_submission(batch, pack)
    assert {r.table for r in result.rules if r.status == "passed"} >= set(samples)
    return [f"{r.id} {r.failed}" for r in result.rules if r.status != "passed"]


def test_second_table_keeps_hand_written_comments(tmp_path, capsys):
    out = tmp_path / "pack"
    a, b = sample_a(tmp_path), sample_b(tmp_path)
    assert init(a, "AB", out) == 0
    codelists = out / "specs" / "local" / "codelists.yaml"
    spec_a = out / "specs" / "local" / "tables" / "AB.yaml"
    lines = codelists.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, "  " + CODELIST_NOTE + "\n")  # inside the codelists block, before the first list
    codelists.write_text("".join(lines) + CODELIST_NOTE + "\n", encoding="utf-8")
    spec_a.write_text(spec_a.read_text(encoding="utf-8") + SPEC_NOTE + "\n", encoding="utf-8")
    before = codelists.read_text(encoding="utf-8")
    capsys.readouterr()
    assert init(b, "BB", out) == 0, capsys.readouterr().err
    after = codelists.read_text(encoding="utf-8")
    assert after.count(CODELIST_NOTE) == 2 and after.startswith(before)  # appended, nothing re-dumped
    assert SPEC_NOTE in spec_a.read_text(encoding="utf-8")
    assert f"extended {codelists}" in capsys.readouterr().out
    pack = load_pack(out / "rulesets" / "local")
    assert set(pack.catalog.tables) == {"AB", "BB"} and pack.catalog.codelists["BB.ZT"].values == ("正常", "结清")
    assert failures(out, {"AB": a, "BB": b}, tmp_path) == []


def test_same_named_code_list_with_other_values_gets_its_own_name(tmp_path, capsys):
    """Once: exit 2 after CB.yaml was written, leaving a pack that no longer loaded."""
    out = tmp_path / "pack"
    a, c = sample_a(tmp_path), sample_c(tmp_path)
    assert init(a, "AB", out) == 0
    assert init(c, "CB", out) == 0, capsys.readouterr().err
    pack = load_pack(out / "rulesets" / "local")
    assert set(pack.catalog.codelists["贷款类型"].values) == {"消费", "住房"}  # A's list untouched
    assert pack.catalog.codelists["CB.F02"].values == ("经营",)  # C's column: a list of its own
    assert failures(out, {"AB": a, "CB": c}, tmp_path) == []


def test_same_table_again_is_refused_without_touching_files(tmp_path, capsys):
    out = tmp_path / "pack"
    a = sample_a(tmp_path)
    assert init(a, "AB", out) == 0
    codelists = out / "specs" / "local" / "codelists.yaml"
    codelists.write_text(codelists.read_text(encoding="utf-8") + CODELIST_NOTE + "\n", encoding="utf-8")
    before = snapshot(out)
    capsys.readouterr()
    assert init(a, "AB", out) == 2
    assert "AB.yaml exists already" in capsys.readouterr().err
    assert snapshot(out) == before


def test_code_list_file_that_cannot_be_extended_is_refused_before_writing(tmp_path, capsys):
    """A hand-written flow-style codelists.yaml cannot take lines appended: exit 2, naming it."""
    out = tmp_path / "pack"
    assert init(sample_a(tmp_path), "AB", out) == 0
    codelists = out / "specs" / "local" / "codelists.yaml"
    codelists.write_text(f"{CODELIST_NOTE}\ncodelists: {{AB.LX: {{values: [x, y]}}, 贷款类型: {{values: [消费, 住房]}}}}\n",
                         encoding="utf-8")
    before = snapshot(out)
    capsys.readouterr()
    assert init(sample_b(tmp_path), "BB", out) == 2
    err = capsys.readouterr().err
    assert str(codelists) in err and "cannot add code lists" in err
    assert snapshot(out) == before  # no BB.yaml, no rules/BB.yaml, codelists.yaml as it was
    load_pack(out / "rulesets" / "local")


def test_first_table_without_code_lists_then_one_with(tmp_path):
    """An empty ``codelists: {}`` written for the first table is opened up for the second."""
    out = tmp_path / "pack"
    plain = write_csv(tmp_path / "p.csv", ["ID", "MC"], [["1", "甲"], ["2", "乙"]])
    assert init(plain, "PB", out) == 0
    codelists = out / "specs" / "local" / "codelists.yaml"
    codelists.write_text(CODELIST_NOTE + "\n" + codelists.read_text(encoding="utf-8"), encoding="utf-8")
    a = sample_a(tmp_path)
    assert init(a, "AB", out) == 0
    assert CODELIST_NOTE in codelists.read_text(encoding="utf-8")
    assert failures(out, {"PB": plain, "AB": a}, tmp_path) == []
