"""A corpus of broken specs, code lists, pack.yaml and rule files, each run through the CLI.

Every case is written over a tiny valid spec + pack (tests.helpers) and run in-process as
``jianhe validate <batch> --pack <pack>`` (a tiny valid batch) and ``jianhe rules --pack <pack>``.
Both must exit 2 with exactly one line on stderr, ``jianhe: error: <file>:<line>[, rule <id>]…``,
naming the right file, line and (where a rule is involved) rule id — and never a traceback.

The corpus is self-contained (it does not reuse tests/test_ruleset.py) and its kinds are counted
in ``KINDS`` below. A case the engine gets wrong is marked ``bug=...`` (strict xfail with the
bug as reason), so it turns into a failure the day the engine is fixed; none is marked today.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from engine.cli import main
from engine.errors import RuleFileError
from engine.ruleset import load_pack
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec

RULES = "rulesets/demo/rules.yaml"
MORE_RULES = "rulesets/demo/zz_more.yaml"
PACK = "rulesets/demo/pack.yaml"
TABLE = "specs/demo/tables/DEMO.yaml"
CODELISTS = "specs/demo/codelists.yaml"

ANY_RULE = "<any>"  # the error names some rule, but its id is itself what is broken
SENTINEL = "pwned"  # a file a hostile YAML tag would create in the test folder


def y(*lines: str) -> str:
    """YAML text from lines, so each case's line numbers can be read off its position."""
    return "\n".join(lines) + "\n"


def rule_file(*lines: str) -> str:
    """``rules:`` (line 1) followed by the given lines (line 2 onwards)."""
    return y("rules:", *lines)


GOOD_PACK = y("pack: demo", "version: '1'", "spec: ../../specs/demo",
              "derive: {required: false, format: false, codelist: false, key: false, links: false}")
SPEC_HEAD = ("table: DEMO", "name: 示例表", "kind: 状态类")


@dataclass(frozen=True)
class Broken:
    kind: str                       # readable id of the kind of breakage
    files: dict                     # path under tmp_path -> text (str) or raw bytes
    where: str                      # the file the error must name
    line: int                       # the line it must name
    rule: str | None = None         # the rule id it must name (None: no rule involved)
    words: tuple[str, ...] = ()     # fragments the message must contain
    bug: str | None = None          # engine bug: the case is xfail(strict) with this reason


DEEP_EXPR = "(" * 80 + "MC = 'a'" + ")" * 80

CASES: list[Broken] = [
    # ---- YAML syntax -------------------------------------------------------------------
    Broken("yaml-tab-indentation",
           {RULES: "rules:\n\t- {id: A, table: DEMO, kind: required, field: MC}\n"},
           RULES, 2, words=("YAML syntax error",)),
    Broken("yaml-unclosed-quote",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: 'MC")},
           RULES, 6, words=("YAML syntax error", "quoted scalar at line 5")),
    Broken("yaml-bad-indentation",
           {RULES: rule_file("  - id: A", "    table: DEMO", "   kind: required", "    field: MC")},
           RULES, 4, words=("YAML syntax error",)),
    Broken("yaml-duplicate-key-in-rule",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    field: ID")},
           RULES, 6, words=("duplicate key 'field'",)),
    Broken("yaml-duplicate-key-in-pack",
           {PACK: y("pack: demo", "version: '1'", "spec: ../../specs/demo", "version: '2'")},
           PACK, 4, words=("duplicate key 'version'",)),
    Broken("yaml-duplicate-codelist-name",
           {CODELISTS: y("codelists:", "  类型:", "    values: [甲类]", "  类型:", "    values: [乙类]")},
           CODELISTS, 4, words=("duplicate key '类型'",)),
    Broken("yaml-non-scalar-mapping-key",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    ? [a, b]", "    : 1")},
           RULES, 6, words=("mapping keys must be plain scalars",)),
    Broken("yaml-unsafe-python-tag",
           {RULES: rule_file(f"  - id: !!python/object/apply:os.system ['touch {SENTINEL}']",
                             "    table: DEMO", "    kind: required", "    field: MC")},
           RULES, 2, words=("could not determine a constructor",)),
    Broken("yaml-self-referencing-anchor-in-rule-file",
           {RULES: y("a: &x [*x]", "rules: []")},
           RULES, 1, words=("recursive",)),
    Broken("yaml-self-referencing-anchor-in-codelists",
           {CODELISTS: y("codelists: &c", "  类型: *c")},
           CODELISTS, 1, words=("recursive",)),
    Broken("yaml-nul-byte",
           {RULES: rule_file("  - id: A\x00", "    table: DEMO", "    kind: required", "    field: MC")},
           RULES, 2),
    Broken("non-utf8-gbk-rule-file",
           {RULES: rule_file("  - {id: 甲, table: DEMO, kind: required, field: 名称}").encode("gbk")},
           RULES, 2),
    Broken("non-utf8-gbk-spec-file",
           {TABLE: y(*SPEC_HEAD, "fields:", "  - {code: ID, name: 编号, format: C..20}").encode("gbk")},
           TABLE, 2),
    # ---- document shape ----------------------------------------------------------------
    Broken("empty-rule-file", {RULES: ""}, RULES, 1, words=("object",)),
    Broken("rule-file-is-a-list",
           {RULES: y("- {id: A, table: DEMO, kind: required, field: MC}")},
           RULES, 1, words=("is not of type 'object'",)),
    Broken("rule-file-is-a-scalar", {RULES: y("just some text")}, RULES, 1,
           words=("is not of type 'object'",)),
    Broken("rules-item-is-a-scalar", {RULES: rule_file("  - A")}, RULES, 2,
           words=("is not of type 'object'",)),
    # ---- wrong types ---------------------------------------------------------------------
    Broken("id-is-a-list",
           {RULES: rule_file("  - id: [A, B]", "    table: DEMO", "    kind: required", "    field: MC")},
           RULES, 2, ANY_RULE, ("is not of type 'string', 'integer'",)),
    Broken("lengths-is-a-string",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: length", "    field: MC", "    lengths: '4'")},
           RULES, 6, "A", ("is not of type 'array'",)),
    Broken("min-is-text",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: range", "    field: JE", "    min: ten")},
           RULES, 6, "A", ("'ten' is not of type 'number'",)),
    Broken("min-is-nan",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: range", "    field: JE", "    min: .nan")},
           RULES, 6, "A"),
    Broken("severity-unknown",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    severity: 致命")},
           RULES, 6, "A", ("'致命' is not one of",)),
    Broken("category-unknown",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    category: 严重")},
           RULES, 6, "A", ("'严重' is not one of",)),
    Broken("message-without-zh",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    message: {en: hello}")},
           RULES, 6, "A", ("'zh' is a required property",)),
    Broken("kind-missing",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    field: MC")},
           RULES, 2, "A", ("'kind' is a required property",)),
    Broken("value-with-embedded-newline",
           {RULES: rule_file("  - id: A", "    table: DEMO", '    kind: "requ\\nired"', "    field: MC")},
           RULES, 4, "A", ("unknown rule kind",)),
    # ---- unknown keys ----------------------------------------------------------------------
    Broken("unknown-top-level-key",
           {RULES: y("tables: DEMO", "rules:", "  - {id: A, table: DEMO, kind: required, field: MC}")},
           RULES, 1, words=("unknown key 'tables'",)),
    Broken("unknown-key-in-rule",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC", "    severty: weak")},
           RULES, 6, "A", ("unknown key 'severty'",)),
    Broken("unknown-key-in-reference-target",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: reference", "    field: MC", "    targets:",
                             "      - {table: DEMO, fields: [ID], column: x}")},
           RULES, 7, "A", ("'column'",)),
    Broken("unknown-key-in-pack-derive",
           {PACK: y("pack: demo", "version: '1'", "spec: ../../specs/demo", "derive:", "  required: false", "  keys: true")},
           PACK, 6, words=("unknown key 'keys'",)),
    Broken("unknown-key-in-codelist",
           {CODELISTS: y("codelists:", "  类型:", "    values: [甲类]", "    colour: red")},
           CODELISTS, 4, words=("unknown key 'colour'",)),
    # ---- unknown tables and fields -------------------------------------------------------
    Broken("unknown-table-in-second-rule",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC",
                             "  - id: B", "    table: DEMOX", "    kind: required", "    field: MC")},
           RULES, 7, "B", ("unknown table 'DEMOX'",)),
    Broken("unknown-field-chinese-name",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: 名字")},
           RULES, 5, "A", ("unknown field '名字'",)),
    Broken("unknown-field-in-when",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'num(JE) > 0'",
                             "    when: \"LX2 = '1'\"")},
           RULES, 6, "A", ("in 'when'", "unknown field 'LX2'")),
    Broken("unknown-field-in-expr",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'num(金额) > num(余额X)'")},
           RULES, 5, "A", ("unknown field '余额X'",)),
    Broken("unknown-field-in-unique-fields",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: unique", "    fields: [ID, XX]")},
           RULES, 5, "A", ("unknown field 'XX'",)),
    Broken("unknown-field-in-maps_to",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: unique", "    fields: [ID]", "    maps_to: [YY]")},
           RULES, 6, "A", ("unknown field 'YY'",)),
    Broken("unknown-field-in-reference-target-fields",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: reference", "    field: MC",
                             "    targets: [{table: DEMO, fields: [ZZ]}]")},
           RULES, 6, "A", ("unknown field 'ZZ'",)),
    Broken("unknown-field-in-reference-target-when",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: reference", "    field: MC",
                             "    targets: [{table: DEMO, fields: [ID], when: \"NOPE = '1'\"}]")},
           RULES, 6, "A", ("unknown field 'NOPE'",)),
    Broken("unknown-field-in-compare-other",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: compare", "    field: JE", "    op: '>'",
                             "    other: 余额X")},
           RULES, 7, "A", ("unknown field '余额X'",)),
    Broken("unknown-field-in-tieout-keys",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: tieout", "    field: JE", "    keys: [QQ]",
                             "    from: {table: DEMO, keys: [ID], sum: JE}")},
           RULES, 6, "A", ("unknown field 'QQ'",)),
    Broken("unknown-field-in-tieout-from-sum",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: tieout", "    field: JE", "    keys: [ID]",
                             "    from: {table: DEMO, keys: [ID], sum: WW}")},
           RULES, 7, "A", ("unknown field 'WW'",)),
    Broken("unknown-table-in-tieout-from",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: tieout", "    field: JE", "    keys: [ID]",
                             "    from: {table: NOPE, keys: [ID], count: true}")},
           RULES, 7, "A", ("unknown table 'NOPE'",)),
    # ---- duplicate ids -------------------------------------------------------------------
    Broken("duplicate-id-in-one-file",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC",
                             "  - id: A", "    table: DEMO", "    kind: required", "    field: ID")},
           RULES, 6, "A", ("duplicate rule id 'A'", "rules.yaml:2")),
    Broken("duplicate-id-across-two-files",
           {RULES: rule_file("  - id: '7'", "    table: DEMO", "    kind: required", "    field: MC"),
            MORE_RULES: rule_file("", "  - {id: 7, table: DEMO, kind: required, field: ID}")},
           MORE_RULES, 3, "7", ("duplicate rule id '7'", "rules.yaml:2")),
    # ---- specs and code lists -------------------------------------------------------------
    Broken("spec-link-to-missing-table",
           {TABLE: y(*SPEC_HEAD, "links:", "  - {fields: [ID], table: NOPE, to: [ID]}", "fields:",
                     "  - {code: ID, name: 编号, format: C..20}")},
           TABLE, 5, words=("unknown table 'NOPE'",)),
    Broken("spec-link-to-missing-target-field",
           {TABLE: y(*SPEC_HEAD, "links:", "  - {fields: [ID], table: DEMO, to: [XX]}", "fields:",
                     "  - {code: ID, name: 编号, format: C..20}")},
           TABLE, 5, words=("'XX'",)),
    Broken("spec-bad-format-code",
           {TABLE: y(*SPEC_HEAD, "fields:", "  - {code: ID, name: 编号, format: C..20}",
                     "  - {code: MC, name: 名称, format: X..12}")},
           TABLE, 6, words=("unknown format code 'X..12'",)),
    Broken("spec-duplicate-field-code",
           {TABLE: y(*SPEC_HEAD, "fields:", "  - {code: ID, name: 编号, format: C..20}",
                     "  - {code: MC, name: 名称, format: C..12}", "  - {code: CJRQ, name: 采集日期, format: YYYYMMDD}",
                     "  - {code: MC, name: 名称二, format: C..12}")},
           TABLE, 8, words=("duplicate field code 'MC'",)),
    Broken("spec-field-unknown-codelist",
           {TABLE: y(*SPEC_HEAD, "fields:", "  - {code: ID, name: 编号, format: C..20}",
                     "  - {code: LX, name: 类型, format: C..30, codelist: 不存在}")},
           TABLE, 6, words=("unknown code list '不存在'",)),
    Broken("codelist-values-not-a-list",
           {CODELISTS: y("codelists:", "  类型:", "    values: 甲类")},
           CODELISTS, 3, words=("is not of type 'array'",)),
    # ---- pack.yaml -------------------------------------------------------------------------
    Broken("pack-missing-version",
           {PACK: y("pack: demo", "spec: ../../specs/demo")},
           PACK, 1, words=("'version' is a required property",)),
    Broken("pack-points-at-missing-spec-folder",
           {PACK: y("pack: demo", "version: '1'", "spec: ../../specs/nope")},
           PACK, 3, words=("spec folder not found",)),
    # ---- rule semantics --------------------------------------------------------------------
    Broken("format-rule-bad-format-code",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: format", "    field: MC", "    format: D2.5")},
           RULES, 6, "A", ("'D2.5'",)),
    Broken("regex-lookahead-not-re2",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: regex", "    field: MC", "    pattern: '(?=x)'")},
           RULES, 6, "A", ("invalid regular expression",)),
    Broken("regex-backreference-not-re2",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: regex", "    field: MC", "    pattern: '(a)\\1'")},
           RULES, 6, "A", ("invalid regular expression",)),
    Broken("regex-unbalanced-paren",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: regex", "    field: MC", "    pattern: '(ab'")},
           RULES, 6, "A", ("invalid regular expression",)),
    Broken("expr-does-not-parse",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: '(num(JE) > 1'")},
           RULES, 5, "A", ("does not parse",)),
    Broken("expr-forbidden-function",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: \"getenv('HOME') = 'x'\"")},
           RULES, 5, "A", ("function 'getenv' is not allowed",)),
    Broken("expr-two-statements",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'MC = 1; DROP TABLE t'")},
           RULES, 5, "A", ("exactly one expression",)),
    Broken("expr-subquery",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'MC IN (SELECT 1)'")},
           RULES, 5, "A", ("not allowed",)),
    Broken("expr-nested-too-deeply",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", f'    expr: "{DEEP_EXPR}"')},
           RULES, 5, "A"),
    Broken("expr-type-error-upper-of-a-number",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: \"upper(1) = '1'\"")},
           RULES, 5, "A"),
    Broken("expr-chained-comparison-duckdb-cannot-parse",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'num(JE) > 1 = TRUE'")},
           RULES, 5, "A"),
    Broken("when-that-does-not-bind",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC",
                             "    when: \"MC LIKE 1\"")},
           RULES, 6, "A"),
    Broken("expr-text-field-used-as-boolean",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: 'MC AND TRUE'")},
           RULES, 5, "A"),
    Broken("expr-surplus-function-argument",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: expression", "    expr: \"left(MC, 2, 'x') = 'a'\"")},
           RULES, 5, "A"),
    Broken("codelist-rule-on-field-without-code-list",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: codelist", "    field: 币种")},
           RULES, 5, "A", ("has no code list",)),
    Broken("impossible-calendar-date",
           {RULES: rule_file("  - id: A", "    table: DEMO", "    kind: required", "    field: MC",
                             "    note: 2024-02-30")},
           RULES, 6, None, ("not a valid date",)),
]

KINDS = [case.kind for case in CASES]
assert len(set(KINDS)) == len(KINDS), "every case must be a distinct kind"
N_KINDS = len(KINDS)

LOCATION = re.compile(r"jianhe: error: (?P<file>[^:\n]+):(?P<line>\d+)"
                      r"(?:, rule (?P<rule>.*?))?(?:, key '(?P<key>[^'\n]*)')?: (?P<message>.*)")


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        yield pytest.param(case, id=case.kind, marks=marks)


def _setup(root, case: Broken):
    write_spec(root)
    pack_dir = write_pack(root)
    (pack_dir / "pack.yaml").write_text(GOOD_PACK, encoding="utf-8")
    batch = root / "batch"
    write_east(batch, "DEMO", DEMO_FIELDS, [{"ID": "1", "MC": "张三"}])
    for rel, content in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return pack_dir, batch


def _check_one_line_error(case: Broken, rc: int, out: str, err: str, command: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out, f"{command}: traceback printed"
    assert rc == 2, f"{command}: exit {rc}, stderr {err!r}"
    assert out == "", f"{command}: stdout should be empty on a rule-file error, got {out!r}"
    assert err.startswith("jianhe: error:"), f"{command}: {err!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"{command}: stderr is not one line: {err!r}"
    m = LOCATION.fullmatch(err.rstrip("\n"))
    assert m, f"{command}: no <file>:<line> location in {err!r}"
    assert m["file"].replace("\\", "/").endswith(case.where), f"{command}: names {m['file']}, not {case.where}"
    assert int(m["line"]) == case.line, f"{command}: line {m['line']}, expected {case.line}: {err!r}"
    if case.rule != ANY_RULE:
        assert m["rule"] == case.rule, f"{command}: rule {m['rule']!r}, expected {case.rule!r}: {err!r}"
    for words in case.words:
        assert words in m["message"], f"{command}: {words!r} not in {m['message']!r}"


@pytest.mark.slow
@pytest.mark.parametrize("case", list(_params()))
def test_broken_file_gives_one_line_error_with_file_line_and_rule(case, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JIANHE_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)  # a hostile YAML tag would create SENTINEL here
    pack_dir, batch = _setup(tmp_path, case)
    for argv in (["validate", str(batch), "--pack", str(pack_dir)], ["rules", "--pack", str(pack_dir)]):
        rc = main(argv)
        captured = capsys.readouterr()
        _check_one_line_error(case, rc, captured.out, captured.err, argv[0])
    assert not (tmp_path / SENTINEL).exists()


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if not c.bug], ids=lambda c: c.kind)
def test_broken_file_raises_rule_file_error_from_the_loader(case, tmp_path):
    """The library API (load_pack) raises RuleFileError with the same location the CLI prints."""
    pack_dir, _ = _setup(tmp_path, case)
    with pytest.raises(RuleFileError) as info:
        load_pack(pack_dir)
    loc = info.value.location
    assert loc is not None and loc.file.replace("\\", "/").endswith(case.where)
    assert loc.line == case.line
    if case.rule != ANY_RULE:
        assert loc.rule == case.rule


def test_corpus_covers_at_least_30_distinct_kinds():
    assert N_KINDS >= 30, KINDS
    print(f"\nbroken-file corpus: {N_KINDS} distinct kinds "
          f"({sum(1 for c in CASES if c.bug)} marked xfail for engine bugs)")


def test_valid_baseline_passes(tmp_path, capsys):
    """The base spec/pack/batch the corpus breaks is itself valid, so each error comes from the breakage."""
    pack_dir, batch = _setup(tmp_path, Broken("baseline", {}, RULES, 0))
    assert main(["rules", "--pack", str(pack_dir)]) == 0
    assert main(["validate", str(batch), "--pack", str(pack_dir), "--quiet"]) == 0
    assert "error" not in capsys.readouterr().err
