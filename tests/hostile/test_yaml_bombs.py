"""YAML alias bombs ("billion laughs") and oversized YAML in every file jianhe reads.

A 400-byte document whose aliases expand to 387 million values once gave a 58 MB error message
(waivers) or ran for minutes; every YAML reader now refuses it at once, naming file and line,
with exit 2 and a short message.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.errors import JianheError
from engine.spec import load_catalog
from engine.sources.warehouse import load_table_map
from engine import yamlio
from engine.yamlio import load_yaml

from .conftest import EXAMPLE, jianhe

LEVELS = 9  # 9⁹ = 387,420,489 leaves from about 400 bytes
FAST = 5.0  # seconds to refuse a bomb once read (it takes milliseconds)
STARTUP = 20.0  # seconds for a whole command: interpreter start and pack loading on a busy 2-core machine
SHORT = 4096  # bytes of stderr
DEBT_FOLDER = EXAMPLE.parents[1] / "debt_platform" / "202406"


def bomb(levels: int = LEVELS) -> str:
    """A flow sequence whose anchors each repeat the previous one nine times."""
    parts = ['&a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefghijk", "bcdefghijk"[: levels - 1]):
        parts.append(f"&{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "[" + ", ".join(parts) + "]"


def tiny_pack(root: Path, rules: str = "rules: []", field_name: str = "编号") -> Path:
    """A one-table pack: specs/t (table TB) and rulesets/t."""
    (root / "specs" / "t" / "tables").mkdir(parents=True)
    (root / "specs" / "t" / "tables" / "TB.yaml").write_text(
        f"table: TB\nname: 测试表\nkind: 状态类\nkey: [ID]\nfields:\n"
        f"  - {{code: ID, name: {field_name}, format: C..10, required: true}}\n", encoding="utf-8")
    (root / "rulesets" / "t" / "rules").mkdir(parents=True)
    (root / "rulesets" / "t" / "pack.yaml").write_text(
        'pack: t\nversion: "1"\nspec: ../../specs/t\nderive: {required: true}\n', encoding="utf-8")
    (root / "rulesets" / "t" / "rules" / "TB.yaml").write_text(f"table: TB\n{rules}\n", encoding="utf-8")
    return root / "rulesets" / "t"


def assert_refused(run, path: Path, line: int) -> None:
    """Refused fast (in-process and as a command), exit 2, a short message naming file and line."""
    started = time.monotonic()
    with pytest.raises(JianheError) as caught:
        load_yaml(path)
    assert time.monotonic() - started < FAST and len(str(caught.value)) < SHORT
    started = time.monotonic()
    proc = run()
    elapsed = time.monotonic() - started
    assert elapsed < STARTUP, f"took {elapsed:.1f} s"
    assert proc.returncode == 2, proc.stderr[:500]
    assert len(proc.stderr.encode()) < SHORT, f"stderr is {len(proc.stderr):,} characters"
    assert f"{path}:{line}" in proc.stderr and "alias" in proc.stderr


def test_waivers_bomb(tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"waivers:\n  - rule: {bomb()}\n    reason: x\n    approver: y\n    expiry: 2030-01-01\n",
                       encoding="utf-8")
    assert len(waivers.read_bytes()) < 500
    assert_refused(lambda: jianhe("validate", EXAMPLE, "--waivers", waivers, "--quiet",
                                  "--report-dir", tmp_path / "out", timeout=60), waivers, 2)
    assert not (tmp_path / "out" / "report.json").exists()


def test_pack_rule_file_bomb(tmp_path):
    pack = tiny_pack(tmp_path, f"rules:\n  - id: TB.R1\n    kind: required\n    field: {bomb()}")
    assert_refused(lambda: jianhe("rules", "--pack", pack, timeout=60), pack / "rules" / "TB.yaml", 5)


def test_spec_bomb(tmp_path):
    pack = tiny_pack(tmp_path, field_name=bomb())
    assert_refused(lambda: jianhe("rules", "--pack", pack, timeout=60),
                   tmp_path / "specs" / "t" / "tables" / "TB.yaml", 6)


def test_codelists_bomb(tmp_path):
    pack = tiny_pack(tmp_path)
    codelists = tmp_path / "specs" / "t" / "codelists.yaml"
    codelists.write_text(f"codelists:\n  L:\n    values: {bomb()}\n", encoding="utf-8")
    assert_refused(lambda: jianhe("rules", "--pack", pack, timeout=60), codelists, 3)


def test_calendar_bomb(tmp_path):
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text(f"year: 2031\nholidays: []\nworkdays: []\nsource: {bomb()}\n", encoding="utf-8")
    assert_refused(lambda: jianhe("validate", EXAMPLE, "--calendar", calendar, "--quiet", timeout=60), calendar, 4)


def test_table_map_bomb(tmp_path):
    """``--table-map`` is read only for a warehouse URL: its loader is called directly."""
    tiny_pack(tmp_path)
    catalog = load_catalog(tmp_path / "specs" / "t")
    table_map = tmp_path / "map.yaml"
    table_map.write_text(f"tables:\n  TB: {{table: tb, where: {bomb()}}}\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(JianheError) as caught:
        load_table_map(table_map, catalog)
    assert time.monotonic() - started < FAST
    assert caught.value.exit_code == 2 and len(str(caught.value)) < SHORT
    assert f"{table_map}:2" in str(caught.value)


def test_recursive_alias_and_deep_nesting_are_rule_file_errors(tmp_path):
    """A self-referencing alias or 999 nested brackets once crashed (RecursionError, exit 3)."""
    for text, words in (("x: " + "[" * 999 + "]" * 999 + "\n", "levels deep"), ("x: &a [1, *a]\n", "recursive")):
        path = tmp_path / "w.yaml"
        path.write_text(text, encoding="utf-8")
        proc = jianhe("validate", EXAMPLE, "--waivers", path, "--quiet", timeout=60)
        assert proc.returncode == 2 and words in proc.stderr and f"{path}:1" in proc.stderr, proc.stderr[:300]


def test_oversized_yaml_refused_unread(tmp_path, monkeypatch):
    """A YAML file over the size limit is refused before it is parsed (the limit is lowered here)."""
    real = yamlio.MAX_BYTES
    monkeypatch.setattr(yamlio, "MAX_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("waivers: []\n" + "# padding\n" * 200, encoding="utf-8")
    with pytest.raises(JianheError) as caught:
        load_yaml(path)
    assert caught.value.exit_code == 2 and str(path) in str(caught.value) and "larger than" in str(caught.value)
    assert real == 64 * 1024 * 1024


def test_legitimate_aliases_still_load(tmp_path):
    """Anchors reused a few times (shared value lists) are fine."""
    path = tmp_path / "ok.yaml"
    path.write_text("a: &v [x, y, z]\nb: *v\nc: {<<: {k: 1}, j: 2}\n", encoding="utf-8")
    assert load_yaml(path) == {"a": ["x", "y", "z"], "b": ["x", "y", "z"], "c": {"k": 1, "j": 2}}


@pytest.mark.parametrize("option", ["--param", "--set"])
def test_command_line_yaml_values_bomb(tmp_path, option):
    """``--param`` and ``reconcile --set`` read their value as YAML: a bomb there is refused too."""
    if option == "--param":
        proc = jianhe("rules", "--pack", tiny_pack(tmp_path), "--param", f"x={bomb()}", timeout=60)
    else:
        proc = jianhe("reconcile", "--param", "province=460000", DEBT_FOLDER, "--set", f"conceal_min_balance={bomb()}", timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.encode()) < SHORT, proc.stderr[:300]



def test_long_value_is_cut_in_the_message(tmp_path):
    """Without aliases a large file can still hold a huge value that a message quotes: it is cut."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"waivers:\n  - rule: [{'x' * 200_000}]\n    reason: x\n    approver: y\n    expiry: 2030-01-01\n",
                       encoding="utf-8")
    proc = jianhe("validate", EXAMPLE, "--waivers", waivers, "--quiet", timeout=60)
    assert proc.returncode == 2 and f"{waivers}:2" in proc.stderr and "characters cut" in proc.stderr
    assert len(proc.stderr.encode()) < SHORT
