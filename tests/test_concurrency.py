"""Under load: concurrent runs agree with sequential ones; an interrupted run leaves no report."""
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine.report.json_report import dumps
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.test_reproducible import without_timings

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
RUNS = 10


def test_ten_threads_give_the_same_results_as_one_at_a_time():
    pack = load_pack(ROOT / "rulesets" / "east5_core")
    sequential = [without_timings(dumps(validate_submission(BATCH, pack))) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        parallel = list(pool.map(lambda _: without_timings(dumps(validate_submission(BATCH, pack))), range(RUNS)))
    assert sequential[0] == sequential[1]
    assert all(p == sequential[0] for p in parallel)


def test_ten_cli_processes_give_the_same_reports(tmp_path):
    cmd = [sys.executable, "-m", "engine.cli", "validate", str(BATCH), "--quiet", "--fail-on", "none", "--report-dir"]
    assert subprocess.run(cmd + [str(tmp_path / "seq")], cwd=ROOT).returncode == 0
    procs = [subprocess.Popen(cmd + [str(tmp_path / f"p{i}")], cwd=ROOT) for i in range(RUNS)]
    assert [p.wait(timeout=300) for p in procs] == [0] * RUNS
    expected = without_timings((tmp_path / "seq" / "report.json").read_text("utf-8"))
    for i in range(RUNS):
        assert without_timings((tmp_path / f"p{i}" / "report.json").read_text("utf-8")) == expected


def test_sigint_leaves_no_report_presented_as_complete(tmp_path):
    batch = tmp_path / "big"
    batch.mkdir()
    line = (BATCH / "B0001H111000001-GRXDYWJJB-20240630.txt").read_bytes().split(b"\n")[0] + b"\n"
    (batch / "B0001H111000001-GRXDYWJJB-20240630.txt").write_bytes(line * 600_000)
    out = tmp_path / "out"
    earlier = subprocess.run([sys.executable, "-m", "engine.cli", "validate", str(BATCH), "--report-dir", str(out),
                              "--quiet", "--format", "json"], cwd=ROOT)
    assert earlier.returncode == 1 and (out / "report.json").exists()
    proc = subprocess.Popen([sys.executable, "-m", "engine", "validate", str(batch), "--report-dir", str(out),
                             "--quiet"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120  # the run has begun once it withdrew the earlier report
    while not (out / ".jianhe-previous" / "report.json").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, "the run finished before it could be interrupted; make the batch bigger"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    # neither the earlier report (withdrawn, not lost) nor a partial one is presented
    assert sorted(p for p in os.listdir(out) if not p.startswith(".")) == []
    assert (out / ".jianhe-previous" / "report.json").exists()
