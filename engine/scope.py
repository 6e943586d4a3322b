"""Which tables a run checks, and which of them must be there.

A whole batch is checked against every table of the pack: a table that is absent has its rules
reported *not run*, and a cross-table rule of a present table that needs an absent one raises
``FILE.MISSING_TABLE``. A run can be narrowed to some tables (``--table``, or frames given through
the API): then only those are checked and a rule needing another table is *not run*, with the
reason, without failing the run — a per-table pipeline check can pass. Absence fails the run only
where it is asked for: ``--require-tables`` (or the pack's ``require_all_tables``) turns each
required table that is absent into a ``FILE.NOT_SUBMITTED`` finding.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError
from .sources.findings import FileFinding

ALL = "all"


@dataclass(frozen=True)
class Scope:
    only: tuple[str, ...] | None = None  # table codes checked (None: every table of the pack)
    required: tuple[str, ...] = ()  # table codes that must be present

    @classmethod
    def build(cls, pack, only=None, require=None) -> "Scope":
        """``only``: codes or Chinese names; ``require``: 'all', a comma-separated text or a list."""
        codes = tuple(dict.fromkeys(table_code(pack, t) for t in only)) if only else None
        if pack.options.get("require_all_tables") or require == ALL:
            required = tuple(codes or sorted(pack.catalog.tables))
        elif require:
            names = require.split(",") if isinstance(require, str) else list(require)
            required = tuple(dict.fromkeys(table_code(pack, n.strip()) for n in names if n.strip()))
        else:
            required = ()
        return cls(codes, required)

    @property
    def narrowed(self) -> bool:
        return self.only is not None

    def absent_findings(self, tables: dict) -> list[FileFinding]:
        """FILE.NOT_SUBMITTED for every required table that is not there."""
        return [FileFinding("FILE.NOT_SUBMITTED", code, None, None, f"{code} {tables[code].name}")
                for code in self.required if code in tables and not tables[code].present]

    def missing_tables(self, needed: set[str], tables: dict) -> list[str]:
        """The tables a cross-table rule needs that this run does not have."""
        return sorted(t for t in needed if t not in tables or not tables[t].present)

    def missing_findings(self, code: str, missing: list[str], rule_id: str) -> list[FileFinding]:
        """FILE.MISSING_TABLE for a whole batch; nothing when the run was narrowed on purpose."""
        if self.narrowed:
            return []
        return [FileFinding("FILE.MISSING_TABLE", code, None, None, f"{m} (rule {rule_id})") for m in missing]

    def missing_note(self, missing: list[str]) -> str:
        if self.narrowed:
            return f"needs table(s) outside this run (only {', '.join(self.only)} checked): {', '.join(missing)}"
        return f"needs table(s) not in the submission: {', '.join(missing)}"


def table_code(pack, name: str) -> str:
    """A table's code from its code or Chinese name (any case); unknown is a usage error."""
    spec = pack.catalog.table(str(name)) or pack.catalog.table(str(name).upper())
    if spec is None:
        raise UsageError(f"unknown table {name!r} in pack {pack.name} (known: {', '.join(sorted(pack.catalog.tables))})")
    return spec.code
