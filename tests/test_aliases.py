"""Old ids of renamed written rules (pack.yaml ``aliases:``): accepted wherever a user names a rule."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.changelog import aliases, canonical_id
from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from engine.waivers import check_against, load_waivers
from tests.helpers import write_pack, write_spec

RULES = """\
rules:
  - {id: '3087', table: DEMO, kind: length, field: KSRQ, lengths: [8]}
"""


def _pack(tmp_path: Path, alias_yaml: str = "aliases:\n  DEMO.KSRQ.not_future: '3087'\n") -> Path:
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, RULES)
    meta = yaml.safe_load((pack_dir / "pack.yaml").read_text("utf-8"))
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump({**meta, "aliases": "aliases.yaml"}), encoding="utf-8")
    (pack_dir / "aliases.yaml").write_text(alias_yaml, encoding="utf-8")
    return pack_dir


def test_old_id_of_a_written_rule_resolves(tmp_path):
    pack = load_pack(_pack(tmp_path))
    assert aliases(pack) == {"DEMO.KSRQ.not_future": "3087"}
    assert canonical_id(pack, "DEMO.KSRQ.not_future") == "3087"
    assert pack.rule("DEMO.KSRQ.not_future") is None, "the alias file holds no rules"


def test_waiver_naming_an_old_written_id_waives_the_rule(tmp_path):
    pack = load_pack(_pack(tmp_path))
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - {rule: DEMO.KSRQ.not_future, table: DEMO, reason: 历史数据, approver: 张三, "
                    "expiry: '2999-12-31'}\n", encoding="utf-8")
    assert [w.rule for w in check_against(load_waivers(path), pack).waivers] == ["3087"]


@pytest.mark.parametrize("alias_yaml, words", [
    ("aliases:\n  DEMO.OLD: '3087'\n  DEMO.GONE: '9999'\n", ["aliases.yaml:3", "DEMO.GONE", "unknown rule '9999'"]),
    ("aliases:\n  '3087': '3087'\n", ["aliases.yaml:2", "current id"]),
    ("aliases: [a, b]\n", ["aliases.yaml:1", "not of type 'object'"]),
])
def test_bad_alias_file_names_file_and_line(tmp_path, alias_yaml, words):
    with pytest.raises(RuleFileError) as exc:
        load_pack(_pack(tmp_path, alias_yaml))
    assert all(w in str(exc.value) for w in words), str(exc.value)


def test_lint_does_not_read_the_alias_file_as_rules(tmp_path, capsys):
    assert main(["lint", "--pack", str(_pack(tmp_path))]) == 0, capsys.readouterr().out


# ---- the east5 pack ------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new", [
    ("JGXXB.CLRQ.not_future", "3087"),  # a local rule that gave way to the official date window
    ("GRXDYWJJB.MXKMBH.ledger", "2812"),  # a written reference that took its official number
    ("GRXDYWJJB.DKTXDQ.digits", "2123"),  # 6 digits, loosened to the official 3 or 6 (JHGZ2476)
    ("JHGZ2476", "2123"),  # the workbook number of a rule that has a final one
])
@pytest.mark.slow
def test_east5_old_written_ids_name_their_rules(old, new):
    pack = load_pack("east5")
    assert canonical_id(pack, old) == new and pack.rule(new) is not None
