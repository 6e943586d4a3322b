"""Pack parameters: defaults in pack.yaml, ${name} in rules, --param overrides, clear errors."""
import pytest

from engine.cli import main
from engine.errors import RuleFileError, UsageError
from engine.ruleset import load_pack
from tests.helpers import write_east, write_pack, write_spec, DEMO_FIELDS

RULES = """
rules:
  - id: MAX
    table: DEMO
    kind: range
    field: JE
    max: ${limit}
    message: {zh: "金额不得超过${limit}元", en: "at most ${limit}"}
  - id: EXPR
    table: DEMO
    kind: expression
    expr: "num(YE) <= ${limit} * ${share} AND MC <> '$${literal}'"
"""


def make_pack(tmp_path, parameters="parameters: {limit: 100, share: 0.5}\n", rules=RULES):
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, rules)
    (pack_dir / "pack.yaml").write_text((pack_dir / "pack.yaml").read_text() + parameters, encoding="utf-8")
    return pack_dir


def test_defaults_apply_and_keep_their_type(tmp_path):
    pack = load_pack(make_pack(tmp_path))
    assert pack.rule("MAX").params["max"] == 100
    assert pack.rule("MAX").message_zh == "金额不得超过100元"
    assert pack.rule("EXPR").params["expr"] == "num(YE) <= 100 * 0.5 AND MC <> '${literal}'"
    assert pack.options["parameters"] == {"limit": 100, "share": 0.5}


def test_overrides_change_the_rules_and_the_digest(tmp_path):
    pack_dir = make_pack(tmp_path)
    base, tighter = load_pack(pack_dir), load_pack(pack_dir, parameters={"limit": 10})
    assert tighter.rule("MAX").params["max"] == 10 and tighter.digest != base.digest
    with pytest.raises(UsageError, match="no parameter 'limt'.*limit, share"):
        load_pack(pack_dir, parameters={"limt": 10})
    with pytest.raises(UsageError, match="must be a number"):
        load_pack(pack_dir, parameters={"limit": "ten"})


def test_unknown_reference_names_file_and_line(tmp_path):
    pack_dir = make_pack(tmp_path, parameters="parameters: {limit: 100}\n")
    with pytest.raises(RuleFileError, match=r"unknown parameter '\$\{share\}' \(parameters: limit\)") as info:
        load_pack(pack_dir)
    location = info.value.location
    assert location.file.endswith("rules.yaml") and (location.line, location.rule) == (12, "EXPR")


def test_pack_schema_checks_parameter_names(tmp_path):
    with pytest.raises(RuleFileError, match="does not match"):
        load_pack(make_pack(tmp_path, parameters="parameters: {'bad name': 1}\n"))


def test_cli_param_overrides_a_threshold(tmp_path, capsys):
    pack_dir = make_pack(tmp_path)
    batch = tmp_path / "batch"
    write_east(batch, "DEMO", DEMO_FIELDS, [{"ID": "1", "JE": "50", "YE": "10"}])
    assert main(["validate", str(batch), "--pack", str(pack_dir), "--quiet"]) == 0
    assert main(["validate", str(batch), "--pack", str(pack_dir), "--quiet", "--param", "limit=40"]) == 1
    assert main(["validate", str(batch), "--pack", str(pack_dir), "--quiet", "--param", "nolimit=40"]) == 2
    assert "no parameter 'nolimit'" in capsys.readouterr().err
    assert main(["validate", str(batch), "--pack", str(pack_dir), "--quiet", "--param", "limit"]) == 2
    assert "expects name=value" in capsys.readouterr().err
    assert main(["rules", "show", "MAX", "--pack", str(pack_dir), "--param", "limit=7"]) == 0
    assert "'max': 7" in capsys.readouterr().out
