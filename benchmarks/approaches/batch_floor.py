"""The DuckDB floor of a whole EAST batch: every file read once, every column touched."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import duckdb

from .common import Timer, emit, fields_of

NAME = re.compile(r"^[A-Za-z0-9]+-(?P<code>[A-Z0-9_]+)-\d{8}\.txt$")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    con = duckdb.connect()
    rows = {}
    with Timer() as t:
        for path in sorted(args.folder.glob("*.txt")):
            m = NAME.match(path.name)
            try:
                cols = fields_of(m["code"]) if m else None
            except FileNotFoundError:
                cols = None
            if not cols:
                continue
            spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
            touch = " + ".join(f"coalesce(strlen({c}), 0)" for c in cols)
            rows[m["code"]] = con.execute(
                f"SELECT count(*), sum({touch}) FROM read_csv('{path}', delim=chr(1), quote='', escape='', "
                f"header=false, columns={spec}, auto_detect=false, new_line='\\n')").fetchone()[0]
    emit({}, t.seconds, rows=sum(rows.values()), tables=rows)


if __name__ == "__main__":
    main()
