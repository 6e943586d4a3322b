"""Output paths: never on or inside an input, only jianhe's own files replaced, one run per folder."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import EXAMPLE, ROOT, jianhe

JGXXB = "B0001H111000001-JGXXB-20240630.txt"


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failures_on_an_input_file_is_refused_and_the_file_kept(example_copy):
    before = _digest(example_copy)
    run = jianhe("validate", example_copy, "--failures", example_copy / JGXXB, "--quiet")
    assert run.returncode == 2, run.stderr
    assert "--failures" in run.stderr and "inside the submission" in run.stderr
    assert _digest(example_copy) == before


@pytest.mark.parametrize("option", ["--baseline", "--waivers"])
def test_failures_on_another_input_is_refused(tmp_path, option):
    given = tmp_path / "given.json"
    given.write_text("{}", encoding="utf-8")
    run = jianhe("validate", EXAMPLE, option, given, "--failures", given, "--quiet")
    assert run.returncode == 2 and option in run.stderr, run.stderr
    assert given.read_text(encoding="utf-8") == "{}"


def test_failures_on_a_single_file_submission_is_refused(tmp_path):
    single = tmp_path / JGXXB
    single.write_bytes((EXAMPLE / JGXXB).read_bytes())
    run = jianhe("validate", single, "--failures", single, "--quiet")
    assert run.returncode == 2 and "is the submission" in run.stderr, run.stderr
    assert single.read_bytes() == (EXAMPLE / JGXXB).read_bytes()


def test_reports_inside_the_submission_are_refused(example_copy):
    for target in (example_copy, example_copy / "out"):
        run = jianhe("validate", example_copy, "--report-dir", target, "--quiet")
        assert run.returncode == 2 and "--report-dir" in run.stderr, run.stderr
    assert not (example_copy / "out").exists()
    assert not any(p.name.startswith((".jianhe", "report", "manifest")) for p in example_copy.iterdir())


def test_reconcile_reports_inside_its_input_are_refused(tmp_path):
    folder = tmp_path / "202406"
    import shutil
    shutil.copytree(ROOT / "examples" / "debt_platform" / "202406", folder)
    run = jianhe("reconcile", "--param", "province=460000", folder, "--report-dir", folder / "recon", "--quiet")
    assert run.returncode == 2 and "inside the folder" in run.stderr, run.stderr


def test_a_failed_run_deletes_no_user_file(tmp_path):
    out = tmp_path / "w"
    out.mkdir()
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    typo = jianhe("validate", EXAMPLE, "--report-dir", out, "--pack", "typo")
    assert typo.returncode == 2
    refused = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet")
    assert refused.returncode == 2 and "manifest.json" in refused.stderr and "not written by jianhe" in refused.stderr
    assert (out / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_reconcile_keeps_recipients_replies(tmp_path):
    out = tmp_path / "r"
    (out / "feedback").mkdir(parents=True)
    reply = out / "feedback" / "某银行.xlsx"
    reply.write_bytes(b"a recipient's filled-in reply")
    missing = jianhe("reconcile", "--param", "province=460000", tmp_path / "none", "--report-dir", out)
    assert missing.returncode in (2, 3)
    run = jianhe("reconcile", "--param", "province=460000", ROOT / "examples" / "debt_platform" / "202406", "--report-dir", out, "--quiet")
    assert run.returncode == 2 and "某银行.xlsx" in run.stderr, run.stderr
    assert reply.read_bytes() == b"a recipient's filled-in reply"


def test_a_changed_feedback_workbook_is_not_replaced(tmp_path):
    out = tmp_path / "r"
    first = jianhe("reconcile", "--param", "province=460000", ROOT / "examples" / "debt_platform" / "202406", "--report-dir", out, "--quiet")
    assert first.returncode == 1, first.stderr
    workbook = sorted((out / "feedback").glob("*.xlsx"))[0]
    workbook.write_bytes(workbook.read_bytes() + b"filled in")
    second = jianhe("reconcile", "--param", "province=460000", ROOT / "examples" / "debt_platform" / "202406", "--report-dir", out, "--quiet")
    assert second.returncode == 2 and workbook.name in second.stderr
    assert workbook.read_bytes().endswith(b"filled in")
    workbook.unlink()  # the user moves it away: the run goes on and replaces only its own files
    third = jianhe("reconcile", "--param", "province=460000", ROOT / "examples" / "debt_platform" / "202406", "--report-dir", out, "--quiet")
    assert third.returncode == 1, third.stderr
    assert workbook.exists()


def test_rerun_replaces_own_reports_and_records_them(tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        run = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json,html")
        assert run.returncode == 1, run.stderr
    marker = json.loads((out / ".jianhe-reports.json").read_text(encoding="utf-8"))
    assert sorted(marker["files"]) == ["manifest.json", "report.html", "report.json"]
    assert not (out / ".jianhe-previous").exists()
    assert not list(out.glob(".jianhe-staging-*"))


def test_second_run_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    batch = tmp_path / "big"
    batch.mkdir()
    line = (EXAMPLE / "B0001H111000001-GRXDYWJJB-20240630.txt").read_bytes().split(b"\n")[0] + b"\n"
    (batch / "B0001H111000001-GRXDYWJJB-20240630.txt").write_bytes(line * 800_000)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen([sys.executable, "-m", "engine.cli", "validate", str(batch), "--report-dir", str(out),
                              "--quiet", "--format", "json,html"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / ".jianhe.lock").exists() and time.time() < deadline:
        time.sleep(0.1)
    second = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json,html")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 1, err
    assert second.returncode == 2 and "in use by another jianhe run" in second.stderr, second.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["submission"] == str(batch)  # every report is the first run's
    assert str(batch) in (out / "report.html").read_text(encoding="utf-8")


def test_same_failures_file_from_two_runs_is_always_whole(tmp_path):
    target = tmp_path / "failures.parquet"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "engine.cli", "validate", str(EXAMPLE), "--failures", str(target),
                               "--quiet"], cwd=ROOT, env=env) for _ in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [1, 1, 1]
    import pyarrow.parquet as pq
    assert pq.read_table(target).num_rows > 0
    assert [p.name for p in tmp_path.iterdir()] == ["failures.parquet"]  # no partial file left


@pytest.mark.parametrize("make, expected", [
    (lambda t: (t / "f").write_text("x"), "is a file"),
    (lambda t: None, "cannot be created"),
])
def test_unusable_report_dir_is_a_usage_error(tmp_path, make, expected):
    make(tmp_path)
    target = tmp_path / "f" if expected == "is a file" else Path("/proc/jianhe-no-such/out")
    run = jianhe("validate", EXAMPLE, "--report-dir", target, "--quiet")
    assert run.returncode == 2 and "--report-dir" in run.stderr and expected in run.stderr, run.stderr


def test_folder_as_failures_is_a_usage_error(tmp_path):
    run = jianhe("validate", EXAMPLE, "--failures", tmp_path, "--quiet")
    assert run.returncode == 2 and "--failures" in run.stderr and "is a folder" in run.stderr, run.stderr


def test_failures_in_a_missing_folder_is_a_usage_error(tmp_path):
    run = jianhe("validate", EXAMPLE, "--failures", tmp_path / "no" / "f.parquet", "--quiet")
    assert run.returncode == 2 and "does not exist" in run.stderr, run.stderr


@pytest.fixture
def tiny_fs(tmp_path):
    """A 16 MB file system of its own (tmpfs), to be filled up by the test."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path) -> None:
    """Write a filler file until the file system is full."""
    block = b"\0" * 4096
    with open(mount / "filler", "wb", buffering=0) as fh:  # unbuffered: closing has nothing left to write
        try:
            while True:
                fh.write(block)
        except OSError:
            pass


def test_full_file_system_keeps_earlier_reports_and_says_so_in_one_line(tiny_fs):
    out = tiny_fs / "out"
    first = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json")
    assert first.returncode == 1, first.stderr
    _fill(tiny_fs)
    run = jianhe("validate", EXAMPLE, "--report-dir", out, "--quiet", "--format", "json,html,xlsx")
    assert run.returncode == 3, run.stderr
    assert "No space left on device" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not list(out.glob(".jianhe-staging-*"))
    assert not (out / "report.html").exists()  # nothing half-written presented
    assert (out / ".jianhe-previous" / "report.json").exists()  # the earlier report, withdrawn, not lost


def test_failures_on_a_full_file_system(tiny_fs):
    _fill(tiny_fs)
    run = jianhe("validate", EXAMPLE, "--failures", tiny_fs / "failures.parquet", "--quiet")
    assert run.returncode == 3 and "--failures" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert [p.name for p in tiny_fs.iterdir()] == ["filler"]
