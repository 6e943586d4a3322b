"""The feedback workbooks written by worker processes (engine/reconcile/workbook_pool.py): the same files,
byte for byte, as written one after the other; an unwritable place is the same error; a stop (Ctrl-C to
the whole process group, or SIGTERM) leaves no worker process and no workbook behind."""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from engine.reconcile import render_xlsx, workbook_pool
from engine.reconcile.run import reconcile_submission

from tests.reconcile.helpers import PACK

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "debt_platform" / "202406"


@pytest.fixture(scope="module")
def example():
    return reconcile_submission(EXAMPLE, PACK)


def many_recipients(result, copies: int):
    """The example's findings once per copy, each copy for recipients of their own (codes suffixed)."""
    def moved(rec, k):
        return replace(rec, code=f"{rec.code}{k:04d}") if rec else None
    findings = [replace(f, recipient=moved(f.recipient, k), creditor_recipient=moved(f.creditor_recipient, k))
                for k in range(copies) for f in result.findings]
    return replace(result, findings=findings)


def written(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xlsx"))}


def parallel(monkeypatch) -> None:
    """Two workers, whatever the machine, and no size below which the parent writes alone."""
    monkeypatch.setattr(workbook_pool, "PER_WORKER", 0)
    monkeypatch.setattr(workbook_pool, "usable_cores", lambda: 2)


def test_workers_write_the_same_bytes_as_one_process(tmp_path, example, monkeypatch):
    result = many_recipients(example, 40)
    serial = render_xlsx.render(result, tmp_path / "serial")
    time.sleep(1.1)  # a creation time taken from the clock would now differ
    parallel(monkeypatch)
    spread = render_xlsx.render(result, tmp_path / "parallel")
    assert [p.name for p in spread] == [p.name for p in serial] and len(serial) == 17 * 40
    assert all(p.is_file() for p in spread)
    assert written(tmp_path / "parallel" / "feedback") == written(tmp_path / "serial" / "feedback")


def test_a_workbook_is_created_when_the_run_started(tmp_path, example):
    path = render_xlsx.render(example, tmp_path)[0]
    with zipfile.ZipFile(path) as zf:
        core = zf.read("docProps/core.xml").decode()
    assert f">{example.started_at.removesuffix('+00:00')}Z</dcterms:created>" in core


def test_a_small_run_starts_no_process(tmp_path, example, monkeypatch):
    monkeypatch.setattr(workbook_pool, "_Pool", None)  # calling it would fail
    assert len(render_xlsx.render(example, tmp_path)) == 17


@pytest.mark.parametrize("cores, rows, started", [
    (64, [1] * 500, 2), (64, [40_000], None), (64, [1] * 400, None), (1, [1] * 10_000, None),
    (64, [1] * 100_000, workbook_pool.MAX_WORKERS), (2, [1] * 2000, 2)])
def test_workers_only_as_many_as_the_work_pays_for(monkeypatch, cores, rows, started):
    seen = []

    class Pool:
        def __init__(self, task, common, n):
            seen.append(n)

        def run(self, jobs, costs):
            return []

    monkeypatch.setattr(workbook_pool, "_Pool", Pool)
    monkeypatch.setattr(workbook_pool, "usable_cores", lambda: cores)
    workbook_pool.write(lambda common, job: Path(str(job)), None, list(range(len(rows))), rows)
    assert seen == ([started] if started else [])


@pytest.mark.parametrize("workers", [False, True], ids=["serial", "parallel"])
def test_an_unwritable_place_is_the_same_os_error(tmp_path, example, monkeypatch, workers):
    result = many_recipients(example, 20)
    blocked = tmp_path / render_xlsx.FOLDER / render_xlsx.filename(result.findings[-1].recipient)
    blocked.mkdir(parents=True)  # a folder where the workbook goes: no one may write it, not even root
    if workers:
        parallel(monkeypatch)
    with pytest.raises(IsADirectoryError) as raised:
        render_xlsx.render(result, tmp_path)
    assert raised.value.strerror == "Is a directory" and Path(raised.value.filename) == blocked


def test_a_report_folder_that_is_a_file_fails_before_any_worker_starts(tmp_path, example, monkeypatch):
    (tmp_path / "out").write_text("x")
    monkeypatch.setattr(workbook_pool, "_Pool", None)
    monkeypatch.setattr(workbook_pool, "PER_WORKER", 0)
    with pytest.raises(OSError):
        render_xlsx.render(many_recipients(example, 20), tmp_path / "out")


STOPPED = '''
import pickle, sys
from pathlib import Path
from engine import signals
from engine.reconcile.reports import write_reports

if __name__ == "__main__":
    signals.install()
    result = pickle.loads(Path(sys.argv[1]).read_bytes())
    try:
        write_reports(result, Path(sys.argv[2]), ["xlsx"])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(signals.exit_code())
'''


def workers(pid: int) -> int:
    """How many worker processes the process has started (multiprocessing's resource tracker is not one)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    count = 0
    for child in path.read_text().split() if path.exists() else []:
        try:
            count += "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()
        except OSError:
            continue
    return count


def group(pgid: int) -> list[str]:
    """The command lines of the group's processes, once those that end with their parent have ended
    (multiprocessing's resource tracker reads to the end of its pipe, then stops)."""
    deadline = time.time() + 10
    while True:
        left = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    left.append((proc / "cmdline").read_text().replace("\0", " "))
            except (OSError, ValueError, IndexError):
                continue
        if not left or time.time() > deadline:
            return left
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children from /proc")
@pytest.mark.parametrize("signum, code, moment", [(signal.SIGINT, 130, "writing"), (signal.SIGTERM, 143, "writing"),
                                                   (signal.SIGINT, 130, "starting")])
def test_a_stop_leaves_no_process_and_no_workbook(tmp_path, example, signum, code, moment):
    """Stopped while the workers write, or while the first one is still starting (importing)."""
    (tmp_path / "result.pkl").write_bytes(pickle.dumps(many_recipients(example, 300)))
    (tmp_path / "stopped.py").write_text(STOPPED, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(tmp_path / "stopped.py"), str(tmp_path / "result.pkl"), str(out)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        started = workers(proc.pid)
        if moment == "starting" and started or started >= 2 and list(out.glob(".jianhe-staging-*/feedback/*.xlsx")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the writing ended before the stop; give it more recipients"
    os.killpg(proc.pid, signum)  # as a terminal's Ctrl-C: every process of the group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "interrupted" in err and "Traceback" not in err
    assert group(proc.pid) == []
    assert not list(out.rglob("*.xlsx")) and not list(out.glob(".jianhe-staging-*"))
