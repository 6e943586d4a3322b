"""regex rule: a non-empty field must fully match an RE2 pattern (DuckDB regexp_full_match)."""
import pytest

from tests.helpers import failing_lines, rule_result, run_rules


def test_regex_full_match_skips_empty(tmp_path):
    rules = r"""
    rules:
      - {id: X1, table: DEMO, kind: regex, field: ID, pattern: '[0-9]{3}'}
      - {id: X2, table: DEMO, kind: regex, field: 名称, pattern: '[一-龥]{2,4}'}
      - {id: X3, table: DEMO, kind: regex, field: BBZ, pattern: '(是|否)'}
    """
    rows = [{"ID": "123", "MC": "张三", "BBZ": "是"},
            {"ID": "1234", "MC": "abc", "BBZ": "是否"},   # full match: a longer text fails
            {"ID": "12", "MC": "张三李四王", "BBZ": "否"},
            {"ID": "", "MC": "", "BBZ": ""},             # empty: skipped
            {"ID": "a12", "MC": "张三a", "BBZ": "Y"}]
    result = run_rules(tmp_path, rules, rows)
    assert failing_lines(result, "X1") == [2, 3, 5]
    assert failing_lines(result, "X2") == [2, 3, 5]
    assert failing_lines(result, "X3") == [2, 5]
    assert [s.value for s in rule_result(result, "X3").samples] == ["是否", "Y"]


def test_regex_that_does_not_compile_is_a_rule_file_error(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError, match="invalid regular expression"):
        run_rules(tmp_path, "rules:\n  - {id: X1, table: DEMO, kind: regex, field: ID, pattern: '[0-9'}\n", [{"ID": "1"}])


def test_regex_python_only_escape_is_rejected_at_load_or_works(tmp_path):
    from engine.errors import RuleFileError
    rules = r"""
    rules:
      - {id: X1, table: DEMO, kind: regex, field: MC, pattern: '[\u4e00-\u9fa5]+'}
    """
    try:
        result = run_rules(tmp_path, rules, [{"ID": "1", "MC": "张三"}, {"ID": "2", "MC": "abc"}])
    except RuleFileError:
        return  # rejected with file/line: acceptable
    assert failing_lines(result, "X1") == [2]


def test_regex_backreference_is_rejected_at_load(tmp_path):
    from engine.errors import RuleFileError
    with pytest.raises(RuleFileError):
        run_rules(tmp_path, r"""
        rules:
          - {id: X1, table: DEMO, kind: regex, field: MC, pattern: '(a)\1'}
        """, [{"ID": "1", "MC": "aa"}])


def test_regex_re2_unicode_class_is_accepted(tmp_path):
    rules = r"""
    rules:
      - {id: X1, table: DEMO, kind: regex, field: MC, pattern: '\p{Han}+'}
    """
    result = run_rules(tmp_path, rules, [{"ID": "1", "MC": "张三"}, {"ID": "2", "MC": "abc"}])
    assert failing_lines(result, "X1") == [2]
