"""What the approach processes share: the data files and the RESULT line."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..gen import CUSTOMERS, LOANS, east_name
from ..rules import REFERENCE, TABLE

FIELDS_CACHE: dict[str, list[str]] = {}


def fields_of(table: str) -> list[str]:
    """Field codes of an EAST table in file order (from the spec, read without the engine)."""
    if table not in FIELDS_CACHE:
        import yaml
        root = Path(__file__).resolve().parents[2]
        doc = yaml.safe_load((root / "specs" / "east5" / "tables" / f"{table}.yaml").read_text(encoding="utf-8"))
        FIELDS_CACHE[table] = [f["code"] for f in doc["fields"]]
    return FIELDS_CACHE[table]


def text_source(data: Path, table: str) -> str:
    """A DuckDB relation over an EAST text file: 0x01-separated, no quoting, every field VARCHAR."""
    path = data / "text" / east_name(table, "txt")
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in fields_of(table)) + "}"
    return (f"read_csv('{path}', delim=chr(1), quote='', escape='', header=false, columns={spec}, "
            f"auto_detect=false, new_line='\\n')")


def parquet_source(data: Path, table: str) -> str:
    return f"read_parquet('{data / 'parquet' / east_name(table, 'parquet')}')"


def source(data: Path, table: str, fmt: str) -> str:
    return text_source(data, table) if fmt == "text" else parquet_source(data, table)


def emit(counts: dict, work_s: float, **extra) -> None:
    print("RESULT " + json.dumps({"counts": {k: int(v) for k, v in counts.items()}, "work_s": round(work_s, 3),
                                  **extra}, ensure_ascii=False))
    sys.stdout.flush()


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


__all__ = ["CUSTOMERS", "LOANS", "REFERENCE", "TABLE", "Timer", "emit", "fields_of", "source"]
