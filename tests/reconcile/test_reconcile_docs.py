"""README documents the reconciliation as implemented: every class, the command and the modes."""
from pathlib import Path

from engine.rules.reconcile.classes import CLASSES
from engine.rules.reconcile.normalise import STEPS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def section() -> str:
    start = README.index("## Debt platform reconciliation")
    return README[start:README.index("\n## ", start + 1)]


def test_readme_documents_every_class_step_and_mode():
    text = section()
    for code, c in CLASSES.items():
        assert f"`{code}`" in text, code
        assert c.term in text, c.term
    for step in STEPS:
        assert f"`{step}`" in text, step
    for kind in ("debt unit", "local finance", "provincial finance"):
        assert kind in text, kind
    for phrase in ("jianhe reconcile examples/debt_platform/202406", "--previous", "reports/reconcile.schema.json",
                   "feedback/", "--param", "--set", "benchmarks/reconcile_1m.py"):
        assert phrase in text, phrase
