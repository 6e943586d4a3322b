"""The DuckDB backend (the default): one process, the submission loaded into an in-memory DuckDB
that spills to a private scratch folder. ``run`` drives a validation, ``scan`` reads files with
the row rules evaluated in the same pass, ``connection`` opens a run's database (also used by
reconciliation)."""
from .run import validate_submission

__all__ = ["validate_submission"]
