"""A realistic, hand-built RunResult for the renderer tests (no engine run needed)."""
from __future__ import annotations

import pytest

from engine.results import FileInfo, Finding, RuleResult, RunResult, TableResult, verdict_for

XSS = "<script>alert(1)</script>"


def _rules() -> list[RuleResult]:
    return [
        RuleResult(
            id="JS0001", table="JGXXB", table_name="机构信息表", kind="not_null", category="完整性",
            severity="strong", field="YHJGDM", field_name="银行机构代码",
            message_zh="银行机构代码不能为空", message_en="Bank institution code must not be empty",
            origin="derived", number_kind="official", status="passed", checked=3, failed=0, rate=0.0,
        ),
        RuleResult(
            id="JS0012", table="JGXXB", table_name="机构信息表", kind="codelist", category="规范性",
            severity="weak", field="YYZT", field_name="营业状态",
            message_zh="营业状态应在代码表「营业状态」中", message_en="Business status must be in code list",
            origin="derived", number_kind="draft", status="failed", checked=3, failed=1, rate=1 / 3,
            samples=[Finding("JS0012", "JGXXB", "JGXXB.txt", 3, "NBJGH=0003|CJRQ=20240630", "歇业中")],
        ),
        RuleResult(
            id="JS0105", table="GRKHXXB", table_name="个人客户信息表", kind="not_null", category="完整性",
            severity="strong", field="KHXM", field_name="客户姓名",
            message_zh="客户姓名不能为空", message_en="Customer name must not be empty",
            origin="derived", number_kind="official", status="failed", checked=1000, failed=2, rate=0.002,
            samples=[
                Finding("JS0105", "GRKHXXB", "GRKHXXB.txt", 17, "KHTYBH=C0017", None),
                Finding("JS0105", "GRKHXXB", "GRKHXXB.txt", 421, "KHTYBH=C0421", ""),
            ],
        ),
        RuleResult(
            id="L-GRKH-07", table="GRKHXXB", table_name="个人客户信息表", kind="expression", category="一致性",
            severity="info", field="KHXM", field_name="客户姓名",
            message_zh=f"客户姓名不应为单字 {XSS}", message_en="Customer name looks truncated",
            origin="written", number_kind="local", when="KHLX = '个人'",
            status="failed", checked=1000, failed=1, rate=0.001, note="值已按 PII 规则脱敏 masked",
            samples=[
                Finding("L-GRKH-07", "GRKHXXB", "GRKHXXB.txt", 88, "KHTYBH=C0088", "张*"),
                Finding("L-GRKH-07", "GRKHXXB", "GRKHXXB.txt", 89, "KHTYBH=C0089", XSS),
            ],
        ),
        RuleResult(
            id="JS0230", table="GRKHXXB", table_name="个人客户信息表", kind="link", category="一致性",
            severity="strong", field="NBJGH", field_name="内部机构号",
            message_zh="内部机构号应存在于机构信息表", message_en="Branch id must exist in JGXXB",
            origin="derived", number_kind="official", status="not_run",
            note="引用表 JGXXB 文件被拒绝 referenced table rejected",
        ),
    ]


@pytest.fixture
def run_result() -> RunResult:
    rules = sorted(_rules(), key=lambda r: (r.table, r.id))  # the model's order: table, then id
    tables = [
        TableResult(code="GRKHXXB", name="个人客户信息表", kind="状态类", present=True,
                    files=[FileInfo("GRKHXXB.txt", 182_340, 1001, 1, "20240630", "0" * 64)],
                    rows_read=1001, rows_checked=1000, rows_rejected=1, rules=3, rules_failed=2),
        TableResult(code="JGXXB", name="机构信息表", kind="状态类", present=True,
                    files=[FileInfo("JGXXB.txt", 1_024, 3, 0, "20240630", "1" * 64)],
                    rows_read=3, rows_checked=3, rows_rejected=0, rules=2, rules_failed=1),
    ]
    return RunResult(
        submission="B0001H111000001-20240630",
        pack={"name": "east5_core", "version": "0.1.0"},
        engine={"jianhe": "0.1.0", "duckdb": "1.1.3", "python": "3.11.9"},
        options={"fail_on": "strong", "formats": ["html", "json", "junit"], "mask_pii": True},
        started_at="2024-07-01T09:30:00+08:00",
        duration_s=1.234,
        fail_on="strong",
        manifest={"inputs": [{"file": "GRKHXXB.txt", "table": "GRKHXXB", "bytes": 182_340, "sha256": "0" * 64,
                              "rows_read": 1001, "rows_rejected": 1}],
                  "waivers": [], "timings": {"load_s": 0.8, "rules_s": 0.4, "total_s": 1.234}},
        verdict=verdict_for(rules, "strong"),
        tables=tables,
        rules=rules,
    )


def make_big_result(n_rules: int = 10_000, samples: int = 3) -> RunResult:
    """n_rules failed rules with ``samples`` findings each, spread over 8 tables."""
    codes = [("JGXXB", "机构信息表"), ("GRKHXXB", "个人客户信息表"), ("DGKHXXB", "对公客户信息表"),
             ("XDHTB", "信贷合同表"), ("GRXDYWJJB", "个人信贷业务借据表"), ("DGXDYWJJB", "对公信贷业务借据表"),
             ("ZCHXB", "资产核销表"), ("GRJCXXB", "个人基础信息表")]
    sev = ["strong", "weak", "info"]
    rules = []
    for i in range(n_rules):
        code, name = codes[i % len(codes)]
        rid = f"R{i:05d}"
        rules.append(RuleResult(
            id=rid, table=code, table_name=name, kind="format", category="规范性", severity=sev[i % 3],
            field=f"F{i % 50:02d}", field_name=f"字段名称{i % 50}",
            message_zh=f"第{i}号规则：字段值应符合格式要求，长度不超过三十个字符",
            message_en=f"Rule {i}: value must match the declared format",
            status="failed", checked=100_000, failed=37, rate=0.00037,
            samples=[Finding(rid, code, f"{code}.txt", 1000 + j, f"ID=K{i}-{j}", f"异常值{j}") for j in range(samples)],
        ))
    tables = [TableResult(code=c, name=n, kind="状态类", present=True,
                          files=[FileInfo(f"{c}.txt", 10_000_000, 100_000, 0, "20240630")],
                          rows_read=100_000, rows_checked=100_000, rules=n_rules // 8, rules_failed=n_rules // 8)
              for c, n in codes]
    return RunResult(submission="BIG-20240630", pack={"name": "big", "version": "1"}, engine={"jianhe": "0.1.0"},
                     options={}, started_at="2024-07-01T09:30:00+08:00", duration_s=60.0, fail_on="strong",
                     manifest={"inputs": [], "waivers": [], "timings": {"total_s": 60.0}},
                     verdict=verdict_for(rules, "strong"), tables=tables, rules=rules)


@pytest.fixture
def big_result():
    """Factory: ``big_result(n_rules, samples=3)``."""
    return make_big_result
