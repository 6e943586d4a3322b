"""The CI snippets of README.md (GitHub Actions, GitLab CI, pre-commit) are valid YAML and their
`jianhe` commands, run on the shipped example, exit as the README states and write what later steps
upload; .pre-commit-hooks.yaml serves `id: jianhe-validate`."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SNIPPET = re.compile(r"<!-- ci-snippet: (?P<name>[\w-]+) exit=(?P<exit>\d) -->\n```yaml\n(?P<body>.*?)```", re.S)


def _snippets() -> dict[str, tuple[int, str]]:
    found = {m["name"]: (int(m["exit"]), m["body"]) for m in SNIPPET.finditer(README.read_text(encoding="utf-8"))}
    assert set(found) == {"github", "gitlab", "pre-commit"}, set(found)
    return found


def _run(command: list[str], cwd: Path, monkeypatch) -> int:
    """A `jianhe …` command line, run in-process in ``cwd`` (which sees the repository's examples)."""
    assert command[0] == "jianhe", command
    monkeypatch.chdir(cwd)
    return main(command[1:])


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A fresh checkout-like folder: the example and the packs, nothing written before."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "rulesets").symlink_to(ROOT / "rulesets")
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    return tmp_path


def _jianhe_lines(script: str) -> list[list[str]]:
    return [shlex.split(line) for line in script.splitlines() if line.strip().startswith("jianhe ")]


def test_github_actions_snippet(workdir, monkeypatch):
    expected, body = _snippets()["github"]
    doc = yaml.safe_load(body)
    assert doc["name"] and (doc.get("on") or doc.get(True))  # YAML 1.1 reads the key `on` as True
    steps = doc["jobs"]["validate"]["steps"]
    commands = [c for s in steps if "run" in s for c in _jianhe_lines(s["run"])]
    assert len(commands) == 1
    assert _run(commands[0], workdir, monkeypatch) == expected
    sarif = next(s["with"]["sarif_file"] for s in steps if "upload-sarif" in s.get("uses", ""))
    assert json.loads((workdir / sarif).read_text(encoding="utf-8"))["version"] == "2.1.0"
    artifact = next(s["with"]["path"] for s in steps if "upload-artifact" in s.get("uses", ""))
    assert {"report.html", "junit.xml", "report.json", "jianhe.sarif"} <= {p.name for p in (workdir / artifact).iterdir()}


def test_gitlab_ci_snippet(workdir, monkeypatch):
    expected, body = _snippets()["gitlab"]
    doc = yaml.safe_load(body)
    job = doc["jianhe"]
    commands = [c for line in job["script"] for c in _jianhe_lines(line)]
    assert len(commands) == 1
    assert _run(commands[0], workdir, monkeypatch) == expected
    junit = workdir / job["artifacts"]["reports"]["junit"]
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    assert (workdir / job["artifacts"]["paths"][0] / "report.html").is_file()


def test_pre_commit_hook_and_config_snippet(workdir, monkeypatch):
    expected, body = _snippets()["pre-commit"]
    config = yaml.safe_load(body)
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {"jianhe-validate", "jianhe-lint"} <= set(hooks)
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        assert hook["pass_filenames"] is False  # one run per commit, on the folder given in args
    used = config["repos"][0]["hooks"][0]
    hook = hooks[used["id"]]
    command = shlex.split(hook["entry"]) + [str(a) for a in used.get("args", [])]
    assert _run(command, workdir, monkeypatch) == expected
    assert _run(shlex.split(hooks["jianhe-lint"]["entry"]) + ["--pack", "east5_core"], workdir, monkeypatch) == 0


def test_pre_commit_validates_manifest_and_config(tmp_path):
    """pre-commit's own checks of the hook manifest and of the README's config (pre-commit is a test extra)."""
    exe = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(exe).exists():
        pytest.skip("pre-commit (test extra) not installed")
    _, body = _snippets()["pre-commit"]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(body, encoding="utf-8")
    for args in (["validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], ["validate-config", str(config)]):
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
