"""What the example generators share: identifiers with real check characters, amounts, the bookkeeping
of planted findings in CSV batches, and the writing of the files.

Each ``examples/<name>/generate.py`` is run as a script and puts the repository root on ``sys.path``
before it imports this module as ``examples.common``. Every helper here is deterministic: the
shipped examples are compared byte for byte with a fresh run.
"""
from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.spec import Catalog, Field

# ---------------------------------------------------------------- identifiers with real check characters

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body: str) -> str:
    """GB 11714-1997: the check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def uscc_code(kind: str, region: str, body: str) -> str:
    """GB 32100-2015: 登记管理部门码+机构类别码 ``kind``, 6-digit division, organisation code (``body`` and
    its check character), then the USCC's own check character — so identifier rules pass on clean rows."""
    head = kind + region + body + org_check(body)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(head, USCC_WEIGHTS))
    return head + USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(division: str, serial: int, kind: str = "91") -> str:
    """A USCC numbered by ``serial``, its body in the MA… range of post-2015 registrations (91: an enterprise)."""
    return uscc_code(kind, division, f"MA{serial:06d}")


def ric(region: str, birth: str, seq: int) -> str:
    """GB 11643-1999: 18-character resident ID with its ISO 7064 MOD 11-2 check character."""
    head = f"{region}{birth}{seq:03d}"
    return head + "10X98765432"[sum(int(c) * w for c, w in zip(head, RIC_WEIGHTS)) % 11]


def lei(prefix: str) -> str:
    """ISO 17442: 18 characters + two check digits (ISO 7064 MOD 97-10)."""
    number = int("".join(str(int(c, 36)) for c in prefix + "00"))
    return f"{prefix}{98 - number % 97:02d}"


def broken(code: str) -> str:
    """The same identifier with a wrong check character: a planted defect for the identifier rules."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# ---------------------------------------------------------------- values as the engine reads and reports them

def money(x: float) -> str:
    """An amount in 元 with two decimals, as the filings carry it."""
    return f"{x:.2f}"


def mask(text: str) -> str:
    """How reports show a value of a personal (pii: account) field: 3 + stars + 2."""
    return "*" * len(text) if len(text) <= 6 else text[:3] + "*" * (len(text) - 5) + text[-2:]


def finding(rule: str, table: str, file: str | None, line: int | None, **extra: object) -> dict:
    """One expected finding; the optional parts (key, value, excused) only when given, in the order given."""
    return {"rule": rule, "table": table, "file": file, "line": line,
            **{k: v for k, v in extra.items() if v is not None}}


# ---------------------------------------------------------------- CSV batches and their planted findings

def csv_name(table: str) -> str:
    """A regulator's extract: one ``<TABLE>.csv`` per table."""
    return f"{table}.csv"


@dataclass
class CsvBatch:
    """The rows of a batch of CSV files (a header line, then one record a line) and the findings
    planted in them, written from the defects and never from an engine run."""

    catalog: Catalog
    file_name: Callable[[str], str] = csv_name
    rows: dict[str, list[dict]] = field(default_factory=dict)
    expected: list[dict] = field(default_factory=list)

    def key_of(self, table: str, row: int) -> str:
        """The engine's key of a record: the table key's values joined by '|', personal ones masked."""
        spec = self.catalog.tables[table]
        values = [self.rows[table][row][k] for k in spec.key]
        return "|".join(mask(v) if spec.field(k).pii == "account" else v for k, v in zip(spec.key, values))

    def expect(self, rule: str, table: str, row: int, key: str | None = None, value: str | None = None) -> None:
        """A finding at data row ``row`` (0-based): CSV line = row + 2; the key defaults to the record's."""
        key = self.key_of(table, row) if key is None else key
        self.expected.append(finding(rule, table, self.file_name(table), row + 2, key=key, value=value))

    def write(self, out: Path) -> None:
        """The batch folder, emptied of older CSV files first."""
        fresh_folder(out, "*.csv")
        write_csv_tables(out, self.catalog, self.rows, self.file_name)


def fresh_folder(out: Path, pattern: str) -> None:
    """Create ``out`` and remove its files matching ``pattern``, so no table of an older run stays behind."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(pattern):
        old.unlink()


def write_csv(path: Path, fields: list[Field], rows: Iterable[dict]) -> None:
    """One table: the spec's Chinese field names as header (the loader accepts codes or names), LF endings."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        for row in rows:
            writer.writerow([row[f.code] for f in fields])


def write_csv_tables(out: Path, catalog: Catalog, tables: dict[str, list[dict]],
                     file_name: Callable[[str], str] = csv_name) -> None:
    """Every table of a batch into ``out``, each as ``file_name(table)``."""
    out.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        write_csv(out / file_name(table), catalog.tables[table].fields, rows)


def write_json(path: Path, doc: dict) -> None:
    """Readable, stable JSON: Chinese as is, one-space indent, a final newline."""
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_findings(path: Path, batch: str, pack: str, findings: list[dict]) -> None:
    """expected_findings.json, sorted so that it does not depend on the order the defects were planted in."""
    items = sorted(findings, key=lambda e: (e["table"], e["rule"], e["line"], e["key"]))
    write_json(path, {"batch": batch, "pack": pack, "findings": items})


def run_csv_example(doc: str, here: Path, batch: str, pack: str, build: Callable[[], CsvBatch]) -> None:
    """The command line of a CSV example: rewrite the shipped batch, or write it under ``--out``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=here, help="folder for the batch and expected_findings.json")
    args = parser.parse_args()
    built = build()
    built.write(args.out / batch)
    write_findings(args.out / "expected_findings.json", batch, pack, built.expected)
    print(f"wrote {args.out / batch} and expected_findings.json ({len(built.expected)} planted findings)")
