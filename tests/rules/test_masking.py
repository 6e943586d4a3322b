"""Personal data in evidence: masked by default (names keep the last character), shown with show_pii."""
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DEMO_FIELDS, failing_lines, rule_result, write_east, write_pack, write_spec

RULES = """
rules:
  - {id: M1, table: DEMO, kind: length, field: MC, max: 1}
  - {id: M2, table: DEMO, kind: compare, field: MC, op: '=', other: BBZ}
  - {id: M3, table: DEMO, kind: unique, fields: [BBZ], maps_to: [MC]}
  - {id: M4, table: DEMO, kind: expression, expr: "chars(MC) < 3"}
"""
FIELDS = [dict(f, pii="id_number") if f["code"] == "ID" else
          dict(f, pii="address") if f["code"] == "BBZ" else f for f in DEMO_FIELDS]
ROWS = [{"ID": "110101199001011234", "MC": "张三丰", "BBZ": "北京市东城区某街道1号"},
        {"ID": "12345", "MC": "李", "BBZ": "北京市东城区某街道1号"},
        {"ID": "", "MC": "欧阳", "BBZ": "上海"}]


def _run(tmp_path, show_pii):
    write_spec(tmp_path, {"DEMO": FIELDS}, keys={"DEMO": ["ID"]})
    pack = load_pack(write_pack(tmp_path, RULES))
    write_east(tmp_path / "batch", "DEMO", FIELDS, ROWS)
    return validate_submission(tmp_path / "batch", pack, sample_limit=100, show_pii=show_pii)


def _samples(result, rule_id):
    return [(s.line, s.key, s.value) for s in rule_result(result, rule_id).samples]


def test_names_are_masked_by_default(tmp_path):
    result = _run(tmp_path, show_pii=False)
    assert failing_lines(result, "M1") == [1, 3]
    assert _samples(result, "M1") == [(1, "110*************34", "**丰"), (3, "", "*阳")]
    assert _samples(result, "M2") == [(1, "110*************34", "MC=**丰; BBZ=北京市东城区***"),
                                      (2, "*****", "MC=李; BBZ=北京市东城区***"),
                                      (3, "", "MC=*阳; BBZ=上海")]
    assert [v for _, _, v in _samples(result, "M3")] == ["北京市东城区*** → **丰", "北京市东城区*** → 李"]
    assert [v for _, _, v in _samples(result, "M4")] == ["**丰"]
    assert result.options["show_pii"] is False


def test_show_pii_shows_the_values(tmp_path):
    result = _run(tmp_path, show_pii=True)
    assert _samples(result, "M1") == [(1, "110101199001011234", "张三丰"), (3, "", "欧阳")]
    assert _samples(result, "M2")[1] == (2, "12345", "MC=李; BBZ=北京市东城区某街道1号")
    assert [v for _, _, v in _samples(result, "M4")] == ["张三丰"]
    assert result.options["show_pii"] is True
