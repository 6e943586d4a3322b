"""The east5 pack's official 默认值, 特殊字符 and 为空 rules follow the official rule register
(specs/east5/official/rules.csv): every active rule is implemented under its official id or listed, with the
reason, in specs/east5/unexpressed/missing_defaults_chars.yaml; special-character rules forbid exactly the
official list; severities follow 是否强校验; the generated files are current."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from engine.rules.forbidden_chars import CHARSETS
from engine.ruleset import load_pack

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "specs" / "east5" / "tools" / "official_missing.py"


def _tool():
    name = "official_missing"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TOOL)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def pack():
    return load_pack("east5")


@pytest.fixture(scope="module")
def register() -> dict[str, list[dict]]:
    return _tool().register_rows()


def test_generated_files_are_current():
    assert _tool().main(["--check"]) == 0


def test_every_active_rule_is_implemented_or_recorded(pack, register):
    tool = _tool()
    ids = {r.id for r in pack.base_rules}
    required = {str(f.required_rule) for t in pack.catalog.tables.values() for f in t.fields if f.required_rule}
    recorded = {e["official"] for e in yaml.safe_load(tool.UNEXPRESSED.read_text("utf-8"))}
    missing = [rid for rid in register if rid not in ids | required | recorded]
    assert missing == []
    assert not recorded & ids, "a rule listed as not implemented is in the pack"


def test_official_rules_sit_on_their_official_table_and_field(pack, register):
    wrong = []
    for rid, rows in register.items():
        for rule in (r for r in pack.base_rules if r.id == rid and r.kind != "expression"):
            if (rule.table, rule.field) != (rows[0]["final_table"], rows[0]["final_field"]):
                wrong.append(f"{rid}: {rule.table}.{rule.field}, official {rows[0]['final_table']}.{rows[0]['final_field']}")
    assert wrong == []


def test_severity_follows_the_official_flag(pack, register):
    """In the current pack version, after the Q&A downgrades (调整为弱校验)."""
    wrong = [f"{rid} {rule.severity}" for rid, rows in register.items()
             for rule in pack.rules if rule.id == rid
             and rule.severity != ("weak" if rows[0]["final_strong"] == "否" else "strong")]
    assert wrong == []


def test_special_character_rules_forbid_exactly_the_official_list(pack, register):
    tool = _tool()
    checked, wrong = 0, []
    for rid, rows in register.items():
        if tool.CATEGORIES[rows[0]["category"]] != "特殊字符":
            continue
        chars, blank, _ = tool.official_chars(tool._text(rows[0]))
        for rule in (r for r in pack.base_rules if r.id == rid and r.kind == "forbidden_chars"):
            used = rule.params.get("chars") or CHARSETS[rule.params.get("charset", "standard")]
            if set(used) - set(tool.WHITESPACE) != set(chars) or bool(set(used) & set(" \t")) != blank:
                wrong.append(f"{rid} {rule.table}.{rule.field}: {used!r}, official {chars!r}{' + blanks' if blank else ''}")
            checked += 1
    assert wrong == [] and checked >= 90


@pytest.mark.parametrize("text, chars, blank, ends", [
    ("负责人姓名不包含特殊字符，其中特殊字符包括~!！@#$%^&[]{}><'‘’“”\\/?？=+￥/、【】/|....",
     "~!！@#$%^&[]{}><'‘’“”\\/?？=+￥、【】|.", False, False),
    ("存折号不包含空白字符或特殊字符，其中特殊字符包括~·!！@#$%^&[]{}><'‘’“”\\/?？=+￥/、【】/|....",
     "~·!！@#$%^&[]{}><'‘’“”\\/?？=+￥、【】|.", True, False),
    ("对方行名不包含特殊字符，特殊字符包括~!！#$%^[]{}><‘’“”?？=+￥【】", "~!！#$%^[]{}><‘’“”?？=+￥【】", False, False),
    ("还款对象名称不包含特殊字符，其中特殊字符包括~!！@#$%^&[]{}><‘“”\\=￥、《》【】|", "~!！@#$%^&[]{}><‘“”\\=￥、《》【】|", False, False),
    ("审计机构不包含特殊字符，包括~·!！@#$%^&[]{}><'‘’“”\\/?？=+￥/、【】/|....，首尾不包含空白字符",
     "~·!！@#$%^&[]{}><'‘’“”\\/?？=+￥、【】|.", False, True),
])
def test_official_character_lists_are_read_as_the_workbook_means_them(text, chars, blank, ends):
    """"...." is a full stop and an ellipsis (Q&A on 1888), "/" a character of the list, not a separator."""
    assert _tool().official_chars(text) == (chars, blank, ends)


def test_rules_accept_what_the_q_and_a_has_banks_file(pack):
    """Q&A answers: 还款交易 carry 99991231 as 最迟还款日期; 现金管理项下委托贷款 may have no 合同到期日期; 委托贷款 has
    no 五级分类 rule; settled loans' balances are 0 whatever the account state."""
    rules = {r.id: r for r in pack.rules}
    assert "还款交易" in rules["1625"].when and "现金管理项下委托贷款" in rules["1643"].when
    assert "委托贷款" in rules["510"].when and "委托贷款" in rules["564"].when
    assert "1509" not in rules and "1636" not in rules and "1916" not in rules
    assert rules["329"].when.startswith("交易借贷标志 = '借'")
    assert pack.at("2022.2").rule("329").when == "交易渠道 IN ('网银', '手机银行')"


def test_renamed_rules_carry_their_official_ids(pack):
    """Rules written under local ids before the register was imported now carry the official number."""
    ids = {r.id for r in pack.base_rules}
    assert {"1462", "1466", "1486", "1511", "1521", "1531", "1535", "1887", "1892", "1901"} <= ids
    assert not {"JHGZ1718", "JHGZ1795", "JHGZ1805", "GRCKFHZ.XHRQ.closed", "DGKHXXB.KHMC.special_chars"} & ids
    assert next(r for r in pack.base_rules if r.id == "1511").table == "GRXDFHZ"
