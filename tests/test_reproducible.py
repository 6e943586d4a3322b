"""Runs are reproducible: same input → same JSON (but for timings); inputs are never modified."""
import builtins
import hashlib
import json
import os
import shutil
from pathlib import Path

from engine.cli import main
from engine.report.json_report import dumps
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "examples" / "east5" / "B0001H111000001-20240630"
TIMING_FIELDS = ("started_at", "duration_s")


def without_timings(text: str) -> str:
    doc = json.loads(text)
    for key in TIMING_FIELDS:
        doc.pop(key)
    doc["manifest"].pop("timings")
    return json.dumps(doc, ensure_ascii=False, indent=2)


def snapshot(folder: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_mode)
            for p in sorted(folder.iterdir())}


def test_two_runs_give_identical_json_apart_from_timings(tmp_path):
    pack = load_pack(ROOT / "rulesets" / "east5_core")
    first, second = dumps(validate_submission(BATCH, pack)), dumps(validate_submission(BATCH, pack))
    assert without_timings(first) == without_timings(second)
    # and through the CLI, file for file
    for n in (1, 2):
        assert main(["validate", str(BATCH), "--report-dir", str(tmp_path / f"r{n}"), "--quiet", "--fail-on", "none"]) == 0
    a, b = (tmp_path / "r1" / "report.json").read_text("utf-8"), (tmp_path / "r2" / "report.json").read_text("utf-8")
    assert without_timings(a) == without_timings(b)


def test_manifest_lists_inputs_with_sha256_pack_hash_and_versions(tmp_path):
    assert main(["validate", str(BATCH), "--report-dir", str(tmp_path), "--quiet", "--fail-on", "none"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    files = {f["file"]: f for f in manifest["inputs"]}
    assert set(files) == {p.name for p in BATCH.iterdir()}
    for p in BATCH.iterdir():
        assert files[p.name]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
        assert files[p.name]["bytes"] == p.stat().st_size
    assert files["B0001H111000001-GRXDYWJJB-20240630.txt"]["rows_rejected"] == 1
    assert manifest["pack"]["name"] == "east5-core" and len(manifest["pack"]["digest"]) == 16
    assert set(manifest["engine"]) == {"jianhe", "duckdb", "python"}
    assert manifest["options"]["show_pii"] is False and manifest["waivers"] == []
    timings = manifest["timings"]
    assert {"load_s", "rules_s", "total_s"} <= set(timings)
    assert timings["GRXDYWJJB.rows"] == 37 and timings["GRXDYWJJB.rows_per_s"] > 0  # throughput per table
    assert {k.split(".")[0] for k in timings if "." in k} == {p.name.split("-")[1] for p in BATCH.iterdir()} - {"XYZB"}


def test_inputs_are_opened_read_only_and_never_modified(tmp_path, monkeypatch):
    batch = tmp_path / "batch"
    shutil.copytree(BATCH, batch)
    for p in batch.iterdir():
        p.chmod(0o444)
    batch.chmod(0o555)
    before = snapshot(batch)
    modes: list[tuple[str, str]] = []
    real_open = builtins.open

    def recording_open(file, mode="r", *args, **kwargs):
        if str(file).startswith(str(batch)):
            modes.append((str(file), mode))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    main(["validate", str(batch), "--report-dir", str(tmp_path / "out"), "--failures", str(tmp_path / "f.parquet"),
          "--quiet"])
    monkeypatch.undo()
    batch.chmod(0o755)
    assert snapshot(batch) == before
    assert modes and all(set(m) <= {"r", "b"} for _, m in modes), modes
    assert not any(p.name.startswith(".") for p in batch.iterdir())


def test_show_pii_is_explicit_and_recorded(tmp_path):
    assert main(["validate", str(BATCH), "--report-dir", str(tmp_path / "m"), "--quiet", "--fail-on", "none"]) == 0
    assert main(["validate", str(BATCH), "--report-dir", str(tmp_path / "p"), "--quiet", "--fail-on", "none",
                 "--show-pii"]) == 0
    masked = json.loads((tmp_path / "m" / "report.json").read_text("utf-8"))
    shown = json.loads((tmp_path / "p" / "report.json").read_text("utf-8"))
    assert masked["options"]["show_pii"] is False and shown["options"]["show_pii"] is True

    def value(doc, rule_id):
        return next(r for r in doc["rules"] if r["id"] == rule_id)["samples"][0]["value"]

    assert value(masked, "2009") == "110*************34"
    assert value(shown, "2009") == "110101199001011234"
    html = (tmp_path / "m" / "report.html").read_text("utf-8")
    assert "110101199001011234" not in html and "欧阳小明" not in html
    assert os.path.exists(tmp_path / "p" / "manifest.json")
