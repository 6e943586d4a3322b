"""`jianhe rules coverage`: a pack's requirement register, checked against the pack and printed."""
from __future__ import annotations

import csv
import io
import json
import textwrap

import pytest

from engine.cli import main
from engine.coverage import load_coverage, render
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from tests.helpers import write_pack, write_spec

RULES = """
rules:
  - {id: R1, table: DEMO, kind: required, field: ID, severity: strong, category: 为空, message: {zh: 编号必填}}
  - id: R2
    table: DEMO
    kind: required
    field: MC
    severity: weak
    category: 为空
    message: {zh: 名称必填}
    changes: [{version: "1", retire: true, reason: 删除}]
"""


def _pack(tmp_path, register: str):
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, RULES)
    (pack_dir / "requirements.yaml").write_text(textwrap.dedent(register), encoding="utf-8")
    return load_pack(pack_dir)


GOOD = """
source: 示例规定
requirements:
  - {id: 第一条, text: 编号必填, status: implemented, rules: [R1]}
  - {id: 第二条, text: 名称必填, status: retired, rules: [R2], why: 第二期删除}
  - {id: 第三条, text: 报送及时, status: not_checkable, why: 数据中没有报送时间}
  - {id: 第四条, text: 金额合理, status: partial, rules: [R1], why: 只查了非空}
"""


def test_register_is_read_counted_and_printed(tmp_path):
    coverage = load_coverage(_pack(tmp_path, GOOD))
    assert coverage.counts() == {"total": 4, "implemented": 1, "partial": 1, "not_checkable": 1, "retired": 1,
                                 "not_applicable": 0}
    assert coverage.share_implemented() == pytest.approx(1 / 3)
    table = render(coverage)
    assert "第三条" in table and "数据中没有报送时间" in table and "implemented 33%" in table
    doc = json.loads(render(coverage, "json"))
    assert doc["counts"]["total"] == 4 and doc["requirements"][0]["active_rules"] == ["R1"]
    rows = list(csv.reader(io.StringIO(render(coverage, "csv"))))
    assert rows[0] == ["id", "status", "rules", "text", "why"] and len(rows) == 5


@pytest.mark.parametrize("item, message", [
    ("{id: 第一条, text: x, status: implemented, rules: [NOPE]}", "does not have: NOPE"),
    ("{id: 第一条, text: x, status: implemented, rules: [R2]}", "names no rule active"),
    ("{id: 第一条, text: x, status: not_checkable}", "needs a 'why'"),
    ("{id: 第一条, text: x, status: done}", "status must be one of"),
])
def test_register_errors_name_file_and_line(tmp_path, item, message):
    pack = _pack(tmp_path, f"requirements:\n  - {{id: 第零条, text: y, status: not_checkable, why: z}}\n  - {item}\n")
    with pytest.raises(RuleFileError, match=message) as err:
        load_coverage(pack)
    assert "requirements.yaml:3" in str(err.value)


def test_the_command(tmp_path, capsys):
    pack = _pack(tmp_path, GOOD)
    assert main(["rules", "coverage", "--pack", str(pack.path), "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["implemented"] == 1
    (pack.path / "requirements.yaml").unlink()
    assert main(["rules", "coverage", "--pack", str(pack.path)]) == 2
