"""Build tiny specs, packs and EAST submissions on disk and run the real engine on them."""
from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from engine.results import RunResult
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

LICENCE = "B0001H111000001"
DATE = "20240630"

# A small table with one field of each format kind; every row gets CJRQ = DATE by default.
DEMO_FIELDS = [
    {"code": "ID", "name": "编号", "format": "C..20", "required": True},
    {"code": "MC", "name": "名称", "format": "C..12", "pii": "name"},
    {"code": "LX", "name": "类型", "format": "C..30", "codelist": "类型"},
    {"code": "JE", "name": "金额", "format": "D20.2"},
    {"code": "YE", "name": "余额", "format": "D20.2"},
    {"code": "QS", "name": "期数", "format": "I..4"},
    {"code": "KSRQ", "name": "开始日期", "format": "YYYYMMDD"},
    {"code": "JSRQ", "name": "结束日期", "format": "YYYYMMDD"},
    {"code": "NY", "name": "年月", "format": "YYYYMM"},
    {"code": "SJ", "name": "时间", "format": "hhmmss"},
    {"code": "BZ", "name": "币种", "format": "C3"},
    {"code": "BBZ", "name": "备注", "format": "C..600"},
    {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD", "required": True},
]
DEMO_CODELISTS = {"类型": {"values": ["甲类", "乙类"], "other": True}}


def write_spec(root: Path, tables: dict[str, list[dict]] | None = None, codelists: dict | None = None,
               keys: dict[str, list[str]] | None = None, links: dict[str, list[dict]] | None = None) -> Path:
    """Write specs/demo with the given tables (default: one table DEMO with DEMO_FIELDS)."""
    tables = tables or {"DEMO": DEMO_FIELDS}
    spec_dir = root / "specs" / "demo"
    (spec_dir / "tables").mkdir(parents=True, exist_ok=True)
    for code, fields in tables.items():
        doc = {"table": code, "name": f"{code}表", "kind": "状态类", "fields": fields}
        if keys and code in keys:
            doc["key"] = keys[code]
        if links and code in links:
            doc["links"] = links[code]
        (spec_dir / "tables" / f"{code}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (spec_dir / "codelists.yaml").write_text(
        yaml.safe_dump({"codelists": codelists if codelists is not None else DEMO_CODELISTS}, allow_unicode=True),
        encoding="utf-8")
    return spec_dir


def write_pack(root: Path, rules_yaml: str = "rules: []\n", derive: dict | None = None) -> Path:
    """Write rulesets/demo/pack.yaml (derivation off unless asked) and rules.yaml."""
    pack_dir = root / "rulesets" / "demo"
    pack_dir.mkdir(parents=True, exist_ok=True)
    derive = derive or {k: False for k in ("required", "format", "codelist", "key", "links")}
    (pack_dir / "pack.yaml").write_text(yaml.safe_dump(
        {"pack": "demo", "version": "1", "spec": "../../specs/demo", "derive": derive}), encoding="utf-8")
    (pack_dir / "rules.yaml").write_text(textwrap.dedent(rules_yaml), encoding="utf-8")
    return pack_dir


def east_line(fields: list[dict], row: dict) -> str:
    values = {"CJRQ": DATE, **row}
    return "\x01".join(str(values.get(f["code"], "")) for f in fields)


def write_east(folder: Path, table: str, fields: list[dict], rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LICENCE}-{table}-{DATE}.txt"
    path.write_text("".join(east_line(fields, r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_rules(tmp_path: Path, rules_yaml: str, rows: list[dict] | dict[str, list[dict]],
              tables: dict[str, list[dict]] | None = None, derive: dict | None = None, **spec_kw) -> RunResult:
    """Spec + pack + EAST files in tmp_path, validated by the real engine."""
    tables = tables or {"DEMO": DEMO_FIELDS}
    write_spec(tmp_path, tables, **spec_kw)
    pack = load_pack(write_pack(tmp_path, rules_yaml, derive))
    data = rows if isinstance(rows, dict) else {"DEMO": rows}
    batch = tmp_path / "batch"
    for table, table_rows in data.items():
        write_east(batch, table, tables[table], table_rows)
    return validate_submission(batch, pack, sample_limit=1000)


def failing_lines(result: RunResult, rule_id: str, table: str | None = None) -> list[int | None]:
    """Lines (1-based) of the rows a rule flagged, sorted; raises if the rule is not in the result."""
    matches = [r for r in result.rules if r.id == rule_id and (table is None or r.table == table)]
    assert matches, f"rule {rule_id} not in result"
    rule = matches[0]
    assert rule.failed == len(rule.samples), "sample limit too small for the test"
    return sorted((s.line for s in rule.samples), key=lambda x: (x is None, x or 0))


def rule_result(result: RunResult, rule_id: str, table: str | None = None):
    return next(r for r in result.rules if r.id == rule_id and (table is None or r.table == table))
