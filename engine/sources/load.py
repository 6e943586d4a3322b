"""Load one source file into the table's DuckDB relation, turning bad lines into findings.

EAST text is read line by line by DuckDB (no quoting, no type inference) and split on 0x01.
A streaming pre-scan finds what DuckDB would silently mend or drop — BOM, CRLF, invalid
UTF-8, NUL bytes; only then is a cleaned copy written (line numbers kept), so the common
case reads the file once.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import duckdb

from ..formats import sql_quote
from ..results import FileInfo
from ..rules.base import quote_ident
from ..rules.forbidden_chars import CHARSETS, char_class
from ..spec import TableSpec
from .discover import SourceFile
from .findings import FileFinding

CHUNK = 1 << 24
BOM = codecs.BOM_UTF8
CONTROL_CLASS = char_class(CHARSETS["control"])


@dataclass
class PreScan:
    sha256: str = ""
    bom: bool = False
    needs_cleaning: bool = False
    encoding: str = "utf-8"  # or gb18030 when every non-ASCII line is GB18030 and none is UTF-8
    findings: list[FileFinding] = dc_field(default_factory=list)
    bad_lines: set[int] = dc_field(default_factory=set)


def prescan(path: Path) -> PreScan:
    """One streaming pass over the bytes: its SHA-256, and whether DuckDB can read it as it is."""
    scan = PreScan()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid_utf8 = True
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if first:
                scan.bom = chunk.startswith(BOM)
                first = False
            if not scan.needs_cleaning and (b"\r" in chunk or b"\x00" in chunk):
                scan.needs_cleaning = True
            if valid_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid_utf8 = False
        if valid_utf8:
            try:
                decoder.decode(b"", final=True)  # a character cut off at the end of the file
            except UnicodeDecodeError:
                valid_utf8 = False
    scan.needs_cleaning = scan.needs_cleaning or not valid_utf8
    scan.sha256 = digest.hexdigest()
    if not valid_utf8:
        scan.encoding = guess_encoding(path)
    return scan


def guess_encoding(path: Path) -> str:
    """'gb18030' when no non-ASCII line is UTF-8 and every one decodes as GB18030; else 'utf-8'."""
    utf8 = gb = other = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
                utf8 += 1
                break
            except UnicodeDecodeError:
                pass
            try:
                raw.decode("gb18030")
                gb += 1
            except UnicodeDecodeError:
                other += 1
                break
    return "gb18030" if gb and not utf8 and not other else "utf-8"


def clean_copy(src: SourceFile, scan: PreScan, out_dir: Path) -> Path:
    """Write a copy DuckDB can read, line by line (bounded memory): LF endings, UTF-8 (GB18030 is
    transcoded), no NUL; records a finding per bad line and keeps line numbers."""
    out = out_dir / f"{src.path.name}.clean"
    name = src.path.name
    if scan.encoding != "utf-8":
        scan.findings.append(FileFinding("FILE.GB18030", src.table, name, 1, "converted from GB18030 for checking"))
    with open(src.path, "rb") as fin, open(out, "wb") as fout:
        for number, raw in enumerate(fin, start=1):
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if number == 1 and body.startswith(BOM):
                body = body[len(BOM):]
            if body.endswith(b"\r"):
                scan.findings.append(FileFinding("FILE.CRLF", src.table, name, number))
                body = body[:-1]
            try:
                body = body.decode(scan.encoding).encode("utf-8")
            except UnicodeDecodeError as exc:
                scan.findings.append(FileFinding("FILE.ENCODING", src.table, name, number,
                                                 f"invalid {scan.encoding.upper()} at byte {exc.start + 1}"))
                scan.bad_lines.add(number)
                body = b""
            if b"\x00" in body or b"\r" in body:
                scan.findings.append(FileFinding("FILE.CONTROL_CHARS", src.table, name, number, "NUL/CR byte"))
                body = body.replace(b"\x00", b" ").replace(b"\r", b" ")
            fout.write(body + b"\n")
    return out


def create_relation(con: duckdb.DuckDBPyConnection, table: TableSpec) -> None:
    cols = ", ".join(f"{quote_ident(f.code)} VARCHAR" for f in table.fields)
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident('t_' + table.code)} "
                f"(_file VARCHAR, _line BIGINT, _file_date VARCHAR, _ctrl VARCHAR, _quote VARCHAR, {cols})")


def load_table(con: duckdb.DuckDBPyConnection, src: SourceFile, table: TableSpec, workdir: Path) -> tuple[FileInfo, list[FileFinding]]:
    """Append one file's rows to ``t_<CODE>``; returns its FileInfo and findings."""
    loader = {"east": _load_east, "csv": _load_csv, "parquet": _load_parquet}[src.format]
    if not os.access(src.path, os.R_OK):
        return (FileInfo(src.path.name, src.path.stat().st_size, 0, 0, src.collection_date),
                [FileFinding("FILE.UNREADABLE", src.table, src.path.name, None, "permission denied")])
    info, findings = loader(con, src, table, workdir)
    if info.rows_read == 0:
        findings.append(FileFinding("FILE.EMPTY", src.table, src.path.name))
    return info, findings


def _fields_matching(table: TableSpec, values: str, raw: str, char_class_re: str) -> str:
    """Names of the fields holding any character of the class, computed only for lines that have one."""
    names = "[" + ", ".join(sql_quote(f.code) for f in table.fields) + "]"
    pattern = sql_quote(char_class_re)
    return (f"CASE WHEN regexp_matches({raw}, {pattern}) THEN array_to_string(list_filter({names}, "
            f"lambda n, i: regexp_matches({values}[i], {pattern})), ',') END")


def _marks_sql(table: TableSpec, values: str, raw: str) -> str:
    """The _ctrl and _quote columns: fields with control characters / double quotes."""
    return f"{_fields_matching(table, values, raw, CONTROL_CLASS)}, {_fields_matching(table, values, raw, chr(34))}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _load_east(con, src: SourceFile, table: TableSpec, workdir: Path):
    scan = prescan(src.path)
    path = clean_copy(src, scan, workdir) if scan.needs_cleaning else src.path
    findings = list(scan.findings)
    if scan.bom:
        findings.insert(0, FileFinding("FILE.BOM", src.table, src.path.name, 1))
    n = len(table.fields)
    rel = quote_ident("t_" + table.code)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lines AS SELECT row_number() OVER () AS _line, coalesce(raw, '') AS raw "
        "FROM read_csv(?, columns={'raw': 'VARCHAR'}, delim=chr(0), quote='', escape='', header=false, "
        "auto_detect=false, new_line='\\n', strict_mode=false, max_line_size=1073741824)", [str(path)])
    skip = f"AND _line NOT IN ({', '.join(map(str, sorted(scan.bad_lines)))})" if scan.bad_lines else ""
    field_count = "(strlen(raw) - strlen(replace(raw, chr(1), '')) + 1)"
    cols = ", ".join(f"_f[{i}]" for i in range(1, n + 1))
    con.execute(
        f"INSERT INTO {rel} SELECT ?, _line, ?, {_marks_sql(table, '_f', 'raw')}, {cols} "
        f"FROM (SELECT _line, raw, string_split(raw, chr(1)) AS _f FROM _lines WHERE {field_count} = {n} {skip})",
        [src.path.name, src.collection_date])
    wrong = con.execute(
        f"SELECT _line, {field_count} FROM _lines WHERE {field_count} <> {n} {skip} ORDER BY _line").fetchall()
    findings += [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, line, f"{count} fields, expected {n}")
                 for line, count in wrong]
    rows_read = con.execute("SELECT count(*) FROM _lines").fetchone()[0]
    con.execute("DROP TABLE _lines")
    if path != src.path:
        os.unlink(path)
    rejected = len(wrong) + len(scan.bad_lines)
    return FileInfo(src.path.name, src.path.stat().st_size, rows_read, rejected, src.collection_date,
                    scan.sha256, scan.encoding), findings


def _load_frame(con, src: SourceFile, table: TableSpec, relation_sql: str, line_sql: str):
    """Shared by CSV and Parquet: match columns by field code or Chinese name, all as text."""
    columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()]
    by_name = {}
    for col in columns:
        f = table.field(col) or table.field(col.strip().upper())
        if f:
            by_name[f.code] = col
    findings = [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, None, f"missing column {f.code} {f.name}")
                for f in table.fields if f.code not in by_name]
    select = ", ".join(f"CAST({quote_ident(by_name[f.code])} AS VARCHAR)" if f.code in by_name else "NULL"
                       for f in table.fields)
    raw = "concat_ws(chr(1), " + ", ".join(f"coalesce(CAST({quote_ident(c)} AS VARCHAR), '')" for c in by_name.values()) + ")"
    values = "[" + ", ".join(f"CAST({quote_ident(by_name[f.code])} AS VARCHAR)" if f.code in by_name else "NULL::VARCHAR"
                             for f in table.fields) + "]"
    rel = quote_ident("t_" + table.code)
    if findings:
        rows = con.execute(f"SELECT count(*) FROM {relation_sql}").fetchone()[0]
        return FileInfo(src.path.name, src.path.stat().st_size, rows, rows, src.collection_date,
                        file_sha256(src.path)), findings
    rows = con.execute(f"INSERT INTO {rel} SELECT ?, {line_sql}, ?, {_marks_sql(table, values, raw)}, {select} "
                       f"FROM {relation_sql}", [src.path.name, src.collection_date]).fetchone()[0]  # rows inserted
    return FileInfo(src.path.name, src.path.stat().st_size, rows, 0, src.collection_date, file_sha256(src.path)), findings


def _load_csv(con, src: SourceFile, table: TableSpec, workdir: Path):
    relation = f"read_csv({sql_quote(str(src.path))}, header=true, all_varchar=true)"
    return _load_frame(con, src, table, relation, "row_number() OVER () + 1")


def _load_parquet(con, src: SourceFile, table: TableSpec, workdir: Path):
    relation = f"read_parquet({sql_quote(str(src.path))}, file_row_number=true)"
    return _load_frame(con, src, table, relation, "file_row_number + 1")


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="jianhe-"))
