"""Resource bombs in EAST text files: millions of bad lines, huge lines, sparse files.

A 2 MB file of 2,000,000 empty lines once peaked at 1.2-1.9 GB (a Python object per rejected
line), a 300 MB sparse file at 1.2 GB (its one line read whole, several times over), a 100 MB
line at the end of a file was silently dropped, and 20 MB lines stopped the run (DuckDB out of
memory: its read buffers were sized for lines of 1 GB). Each run here is the real command line
under ``/usr/bin/time -v`` with ``--memory-limit 200MB``: peak RSS stays within that limit plus a
fixed overhead, the run ends in time with findings (exit 1), and every line is counted: rows read
= rows checked + rows rejected.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT

TIME = Path("/usr/bin/time")
LIMIT_MB = 200
OVERHEAD_MB = 400  # the Python interpreter, DuckDB and the pack, beyond DuckDB's memory limit
SECONDS = 240  # generous: two shared cores
JGXXB = "B0001H111000001-JGXXB-20240630.txt"  # 16 fields
GOOD = (EXAMPLE / JGXXB).read_bytes().split(b"\n")[0]
MB = 1 << 20

pytestmark = pytest.mark.skipif(not TIME.exists(), reason="/usr/bin/time (GNU time, package 'time') is not installed")


def write_repeated(path: Path, piece: bytes, times: int, head: bytes = b"", tail: bytes = b"") -> None:
    """``head + piece * times + tail`` in a few large writes."""
    per_write = max(1, (8 * MB) // max(1, len(piece)))
    with open(path, "wb") as fh:
        fh.write(head)
        for start in range(0, times, per_write):
            fh.write(piece * min(per_write, times - start))
        fh.write(tail)


def empty_lines(path: Path) -> None:
    write_repeated(path, b"\n", 2_000_000)


def wrong_field_counts(path: Path) -> None:
    write_repeated(path, b"a\x01b\n", 2_000_000)


def sparse_file(path: Path) -> None:
    """300 MB of NUL bytes that take no disk space: one line."""
    path.touch()
    os.truncate(path, 300 * MB)


def single_line(path: Path) -> None:
    """One 100 MB line, no line feed."""
    write_repeated(path, b"x" * MB, 100)


def long_lines(path: Path) -> None:
    """15 good lines, each followed by a 20 MB line: too long to read within the memory limit."""
    with open(path, "wb") as fh:
        for _ in range(15):
            fh.write(GOOD + b"\n" + b"x" * (20 * MB) + b"\n")


def line_in_the_middle(path: Path) -> None:
    """A good line, a 100 MB line, a good line."""
    write_repeated(path, b"x" * MB, 100, head=GOOD + b"\n", tail=b"\n" + GOOD + b"\n")


# name → (writer, rows read, rows rejected)
CASES = {
    "2M_empty_lines": (empty_lines, 2_000_000, 2_000_000),
    "2M_wrong_field_counts": (wrong_field_counts, 2_000_000, 2_000_000),
    "300MB_sparse_file": (sparse_file, 1, 1),
    "100MB_single_line": (single_line, 1, 1),
    "100MB_line_in_the_middle": (line_in_the_middle, 3, 1),
    "15_lines_of_20MB": (long_lines, 30, 15),
}


def measured_run(submission: Path, out: Path) -> tuple[subprocess.CompletedProcess, int, float]:
    """``jianhe validate`` under /usr/bin/time -v: (process, peak RSS in MB, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JIANHE_DEBUG", None)
    started = time.monotonic()
    proc = subprocess.run([str(TIME), "-v", sys.executable, "-m", "engine.cli", "validate", str(submission),
                           "--memory-limit", f"{LIMIT_MB}MB", "--report-dir", str(out), "--format", "json",
                           "--failures", str(out.parent / "failures.parquet"), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS * 2)
    seconds = time.monotonic() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert peak, proc.stderr[-2000:]
    return proc, int(peak.group(1)) // 1024, seconds


@pytest.mark.parametrize("case", list(CASES))
def test_memory_stays_bounded_and_every_line_is_counted(case, tmp_path):
    write, rows, rejected = CASES[case]
    submission = tmp_path / "submission"
    submission.mkdir()
    data = submission / JGXXB
    try:
        write(data)
        proc, peak_mb, seconds = measured_run(submission, tmp_path / "out")
    finally:
        data.unlink(missing_ok=True)
    print(f"{case}: peak RSS {peak_mb} MB, {seconds:.1f} s")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert peak_mb <= LIMIT_MB + OVERHEAD_MB, f"peak RSS {peak_mb} MB"
    assert seconds < SECONDS, f"took {seconds:.0f} s"
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    for table in report["tables"]:
        assert table["rows_read"] == table["rows_checked"] + table["rows_rejected"], table["code"]
    table = next(t for t in report["tables"] if t["code"] == "JGXXB")
    assert (table["rows_read"], table["rows_rejected"]) == (rows, rejected)
    wrong = next(r for r in report["rules"] if r["id"] == "FILE.FIELD_COUNT" and r["table"] == "JGXXB")
    assert wrong["failed"] == rejected
    assert 0 < len(wrong["samples"]) <= 50  # the sample limit holds; --failures has every line
    import duckdb
    lines = duckdb.connect().execute(
        "SELECT count(*), count(DISTINCT line), min(line) FROM read_parquet(?) WHERE rule_id = 'FILE.FIELD_COUNT'",
        [str(tmp_path / "failures.parquet")]).fetchone()
    assert lines[0] == lines[1] == rejected and lines[2] >= 1
