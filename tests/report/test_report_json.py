import copy
import json
from pathlib import Path

import jsonschema
import pytest

from engine.report import RENDERERS

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "reports" / "result.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_json_is_exactly_to_dict_utf8_with_newline(run_result, tmp_path):
    path = RENDERERS["json"](run_result, tmp_path)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("}\n")
    assert "个人客户信息表" in text and "张*" in text  # ensure_ascii=False: Chinese stays readable
    assert "\\u" not in text
    assert text == json.dumps(run_result.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    doc = json.loads(text)
    assert list(doc)[:3] == ["schema_version", "verdict", "fail_on"]
    assert doc["schema_version"] == "1.0"
    assert doc["verdict"] == "not_ready"
    assert doc["summary"]["rules_failed"] == 3 and doc["summary"]["rules_not_run"] == 1


def test_json_validates_against_schema(run_result, tmp_path, validator):
    doc = json.loads(RENDERERS["json"](run_result, tmp_path).read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    # null finding values are allowed
    nulls = [s for r in doc["rules"] for s in r["samples"] if s["value"] is None]
    assert nulls


def test_big_result_validates(tmp_path, validator, big_result):
    doc = json.loads(RENDERERS["json"](big_result(200), tmp_path).read_text(encoding="utf-8"))
    validator.validate(doc)


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(extra=1),                                  # unknown top-level key
    lambda d: d["rules"][0].update(colour="red"),                 # unknown rule key
    lambda d: next(r for r in d["rules"] if r["samples"])["samples"][0].update(extra=None),  # unknown finding key
    lambda d: d["tables"][0]["files"][0].pop("bytes"),            # missing file key
    lambda d: d["summary"]["failed_by_severity"].update(fatal=1),  # unknown severity
    lambda d: d.update(schema_version="2.0"),
    lambda d: d.update(verdict="maybe"),
    lambda d: d["rules"][0].update(severity="fatal"),
    lambda d: d["rules"][0].update(status="skipped"),
    lambda d: d["rules"][0].update(checked=-1),
    lambda d: d["pack"].pop("name"),
])
def test_schema_rejects_malformed_documents(run_result, validator, mutate):
    doc = copy.deepcopy(run_result.to_dict())
    validator.validate(doc)
    mutate(doc)
    assert list(validator.iter_errors(doc))
