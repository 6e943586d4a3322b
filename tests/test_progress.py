"""Progress lines: per table rows read and rules done, on stderr, only when wanted."""
import io
from pathlib import Path

import pytest

from engine.cli import main
from engine.progress import Progress, wanted
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_shown_on_a_terminal_outside_ci_unless_told_otherwise():
    assert wanted(None, Terminal(), environ={})
    assert not wanted(None, io.StringIO(), environ={})  # a pipe or a file: off
    assert not wanted(None, Terminal(), environ={"CI": "true"})
    assert not wanted(None, Terminal(), environ={}, quiet=True)
    assert wanted(True, io.StringIO(), environ={"CI": "true"})  # --progress wins
    assert not wanted(False, Terminal(), environ={})  # --no-progress wins


@pytest.mark.slow
def test_lines_name_each_table_its_rows_and_its_rules():
    stream = io.StringIO()
    pack = load_pack(ROOT / "rulesets" / "east5_core")
    result = validate_submission(BATCH, pack, progress=Progress(stream, live=False))
    lines = stream.getvalue().splitlines()
    assert all(line.startswith("jianhe: ") for line in lines)
    rules = sum(r.kind != "file" for r in result.rules)
    total = result.summary()["rules_total"]  # the same count as the summary's
    assert lines[0] == (f"jianhe: {total:,} rules ({rules:,} data rules, {total - rules:,} file checks) "
                        f"on {len(result.tables)} table(s)")
    for table in (t for t in result.tables if t.present):
        read = [line for line in lines if line.startswith(f"jianhe: {table.code}: {table.rows_read:,} rows read, ")]
        assert len(read) == 1 and "row rules done in" in read[0], table.code
    set_lines = [line for line in lines if " set rule " in line]
    assert set_lines and all("/" in line.split(" set rule ")[1] for line in set_lines)
    done = sum(r.status != "not_run" for r in result.rules if r.kind != "file")
    assert lines[-1].startswith(f"jianhe: rules done {done:,}/{rules:,}")


def test_a_terminal_line_is_redrawn_in_place():
    stream = Terminal()
    progress = Progress(stream)
    progress.status("GRXDYWJJB: reading 40% (3 s)")
    progress.line("GRXDYWJJB: 10 rows read")
    assert stream.getvalue() == "\r\x1b[Kjianhe: GRXDYWJJB: reading 40% (3 s)\r\x1b[Kjianhe: GRXDYWJJB: 10 rows read\n"


def _batch(tmp_path: Path) -> tuple[Path, Path]:
    write_spec(tmp_path)
    pack = write_pack(tmp_path, "rules:\n  - {id: R1, table: DEMO, kind: required, field: MC}\n")
    folder = tmp_path / "batch"
    write_east(folder, "DEMO", DEMO_FIELDS, [{"ID": "1", "MC": "张三"}, {"ID": "2"}])
    return pack, folder


def test_cli_progress_flag_writes_to_stderr_only(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    pack, folder = _batch(tmp_path)
    assert main(["validate", str(folder), "--pack", str(pack), "--quiet", "--progress"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "jianhe: DEMO: 2 rows read, 1 row rules done in " in err
    assert "jianhe: rules done 1/1" in err


def test_cli_is_silent_in_ci_and_with_no_progress(tmp_path, capsys, monkeypatch):
    pack, folder = _batch(tmp_path)
    monkeypatch.setenv("CI", "true")
    main(["validate", str(folder), "--pack", str(pack), "--quiet"])
    assert "rows read" not in capsys.readouterr().err
    monkeypatch.delenv("CI")
    main(["validate", str(folder), "--pack", str(pack), "--no-progress"])
    assert "rows read" not in capsys.readouterr().err
