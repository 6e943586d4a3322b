"""The distribution: packs shipped inside it, found by name from anywhere; `jianhe` as import name."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_python_m_jianhe_and_version(tmp_path):
    run = _run("-m", "jianhe", "--version", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("jianhe ") and "DuckDB" in run.stdout


def test_import_name_jianhe_has_the_api():
    import jianhe
    assert callable(jianhe.validate) and jianhe.__version__


def test_help_lists_the_exit_codes(tmp_path):
    run = _run("-m", "jianhe", "--help", cwd=tmp_path)
    assert "exit codes:" in run.stdout and "143" in run.stdout


def test_packs_by_name_from_another_folder(tmp_path):
    run = _run("-m", "jianhe", "validate", str(EXAMPLE), "--pack", "east5_core", "--quiet", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    default = _run("-m", "jianhe", "validate", str(EXAMPLE), "--quiet", cwd=tmp_path)
    assert default.returncode == 1, default.stderr


def test_pack_path_variable_adds_packs(tmp_path):
    packs = tmp_path / "packs"
    shutil.copytree(ROOT / "rulesets" / "east5_core", packs / "mine")
    pack_yaml = packs / "mine" / "pack.yaml"
    pack_yaml.write_text(pack_yaml.read_text("utf-8").replace("../../specs/east5", str(ROOT / "specs" / "east5")),
                         encoding="utf-8")
    missing = _run("-m", "jianhe", "rules", "--pack", "mine", "--count", cwd=tmp_path)
    assert missing.returncode == 2 and "JIANHE_PACK_PATH" in missing.stderr
    found = _run("-m", "jianhe", "rules", "--pack", "mine", "--count", cwd=tmp_path,
                 env={"JIANHE_PACK_PATH": str(packs)})
    assert found.returncode == 0 and "active rules" in found.stdout, found.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0:
        pytest.skip(f"the wheel could not be built here (a build backend from the package index is needed): "
                    f"{build.stderr.strip().splitlines()[-1:]}")
    return next(out.glob("jianhe-*.whl"))


def test_wheel_ships_every_pack_and_spec(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (p.parent.name for p in (ROOT / "rulesets").glob("*/pack.yaml")):
        assert f"jianhe/rulesets/{pack}/pack.yaml" in names
    spec_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "specs").rglob("*.yaml") if "tools" not in p.parts}
    assert {f"jianhe/{name}" for name in spec_files} <= names
    assert {"jianhe/__init__.py", "jianhe/__main__.py", "engine/cli.py"} <= names
    assert not any("/tools/" in n or n.startswith("tests/") for n in names)


def test_wheel_license_metadata_is_current(wheel):
    archive = zipfile.ZipFile(wheel)
    metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
