"""Exports of a rule pack to other tools' formats (Great Expectations: engine/export/gx.py)."""
