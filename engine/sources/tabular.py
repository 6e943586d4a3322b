"""CSV and Parquet files as relations of text rows (``FileRelation``, engine/sources/load.py).

Columns are matched to fields by code or Chinese name, in any order; other columns are ignored.
A file whose columns name one field twice (its code and its Chinese name, or one name twice) or
lack one is not checked: a FILE.FIELD_COUNT finding names the columns, and its rows are counted
as read and rejected. A file DuckDB cannot read (a CSV file that is not UTF-8, a corrupt Parquet
file) is FILE.UNREADABLE with the reason, naming the file; it is not read, and the rest of the
submission is checked.

CSV: the header is read here, which also settles the delimiter (``,``, tab, ``;`` or ``|``: the
one under which most header names are fields). A record's line is the physical line it starts
on, the header being line 1, and an empty field is '' as in EAST text. A file holding no double
quote, NUL or CR cannot have a record over several lines: it is read like EAST text, DuckDB's
lines split on the delimiter (in parallel), so every physical line is a row whose place is its
line number, and blank lines and lines with the wrong number of fields are rejected rows
(FILE.FIELD_COUNT). Any other file is read by DuckDB's CSV reader, on one thread, every record
kept — short ones padded with NULL, long ones into spare columns, so none is dropped and each
one's fields are counted — its line counted from the line breaks inside the records before it.
That reader skips blank lines and ends a line at a lone CR: a file holding either is read from a
copy in which they are marked (``mark_copy``), so that lines are counted as they are and blank
lines reported. Loaded into a table (``load_tabular``), a file is first read in parallel and its
rows numbered by their place, which holds when it has as many records as lines
(``staged_by_place``).

Parquet: a row's line is its row number. The fields that can hold a control character or a quote
are looked into row by row, less the dictionary-encoded ones found clean entry by entry first
(``_fields_holding_marks``).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import stringzilla

from ..dialects.quoting import quote_ident, sql_quote
from ..results import FileInfo
from ..rules.forbidden_chars import char_class
from ..signals import is_interrupt
from ..spec import TableSpec
from .discover import SourceFile
from .findings import FileFinding
from .load import (CHUNK, CONTROL, CR_NUL, LONG_LINES, NO_MARKS, QUOTE, QUOTE_BYTE, FileRelation, _date, _fields_matching,
                   _marks_columns, file_sha256, finish_relation, holds_any)
from .typed_text import column_text_sql, plain_type

DELIMITERS = (",", "\t", ";", "|")
HEADER_BYTES = 1 << 20  # a header is looked for in the first MiB
SPARE = 16  # columns beyond the header's: a record's fields are counted exactly up to this many more
NULL_TEXT = "\x1fjianhe-null\x1f"  # DuckDB's nullstr: an empty field stays '', only a missing one is NULL
BLANK = "\x1ejianhe-blank\x1e"  # what a blank line holds in a CSV file's marked copy (mark_copy)
LONE_CR_TEXT = "\x1ejianhe-cr\x1e"  # … and what stands there for a CR that does not end a line
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
RAW = "_jh_raw"  # a row's text as one value: the marks look for a character there before naming fields


@dataclass(frozen=True)
class CsvHeader:
    names: list[str]
    delimiter: str
    lines: int  # physical lines it takes (a quoted name may hold a line break)


@dataclass
class TabularRelation(FileRelation):
    """A CSV or Parquet file's relation, which can tell, after a read of its table failed, whether
    it is the file DuckDB cannot read: that file then becomes FILE.UNREADABLE and is not read."""
    con: duckdb.DuckDBPyConnection | None = None
    build: Callable[[str], str] | None = None  # a CSV file's SQL for given read options (LONG_LINES)
    retried: bool = False
    expected: int | None = None  # fields a CSV row must have: the header's
    direct_sql: str = ""  # a Parquet file's rows in t_<CODE>'s shape, read again from the file by set rules
    by_place: str = ""  # a CSV file read in parallel, _line NULL (``staged_by_place``) …
    place_lines: tuple[Path, int] | None = None  # … the file it reads and the header's lines

    def long_lines(self, table: TableSpec) -> bool:
        """After a failed read (engine/backends/duckdb/scan.py asks every file of the table): a CSV file is given
        lines up to LONG_LINES; if this file alone still cannot be read, it is reported unreadable
        and left out. False when nothing changed: the failure lies elsewhere."""
        if not self.sql or self.retried:
            return False
        self.retried = True
        changed = self.build is not None
        if changed:
            self.sql = self.build(LONG_LINES)
        error = read_error(self.con, self.sql)
        if error is None:
            return changed
        self.unreadable(_reason(self.src, error))
        return True

    def unreadable(self, reason: str) -> None:
        """Nothing of the file is read: no rows, one FILE.UNREADABLE finding with the reason."""
        self.sql, self.direct_sql, self.rows, self.rejected = "", "", 0, 0
        self.findings = [FileFinding("FILE.UNREADABLE", self.src.table, self.src.path.name, None, reason)]
        self.discard()


def read_error(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Error | None:
    """The error reading every value of ``sql`` raises, or None (interrupts are raised; running
    out of memory says nothing about the file)."""
    try:
        con.execute(f"SELECT count(*) FROM ({sql}) _t WHERE hash(_t) IS NOT NULL").fetchone()
    except duckdb.OutOfMemoryException:
        return None
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        return exc
    return None


def _reason(src: SourceFile, error: duckdb.Error) -> str:
    """Why a file cannot be read, naming it: for CSV the line of its first invalid UTF-8, else
    DuckDB's first line of the message (paths shortened to the file name)."""
    if src.format == "csv":
        bad = first_invalid_utf8(src.path)
        if bad is not None:
            return f"{src.path.name}: not valid UTF-8 (line {bad[0]}, byte {bad[1]}); CSV files must be UTF-8"
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{src.path.name}: {message.replace(str(src.path), src.path.name)}"


def first_invalid_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte in that line) of the first byte that is not UTF-8, both from 1; None if all is."""
    lines, base, line_start, pending = 1, 0, 0, b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            data = pending + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as exc:
                head = data[:exc.start]
                start = line_start if head.rfind(b"\n") < 0 else base + head.rfind(b"\n") + 1
                return lines + head.count(b"\n"), base + exc.start - start + 1
            done = data[:used]
            if b"\n" in done:
                lines, line_start = lines + done.count(b"\n"), base + done.rfind(b"\n") + 1
            base, pending = base + used, data[used:]
            if not chunk:
                return None


# ------------------------------------------------------------------ columns

def match_columns(table: TableSpec, names: list[str], label: str) -> tuple[dict[str, int], list[FileFinding]]:
    """Field code → position of its column, by code or Chinese name; with FILE.FIELD_COUNT findings
    (the file is then not checked) for each field given twice and each one missing."""
    found: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        f = table.field(str(name)) or table.field(str(name).strip().upper())
        if f:
            found.setdefault(f.code, []).append(i)
    findings = [FileFinding("FILE.FIELD_COUNT", table.code, label, None,
                            f"duplicate column {f.code} {f.name}: " + ", ".join(str(names[i]) for i in found[f.code]))
                for f in table.fields if len(found.get(f.code, ())) > 1]
    findings += [FileFinding("FILE.FIELD_COUNT", table.code, label, None, f"missing column {f.code} {f.name}")
                 for f in table.fields if f.code not in found]
    return {code: places[0] for code, places in found.items()}, findings


# ------------------------------------------------------------------ CSV

def read_header(path: Path, table: TableSpec) -> CsvHeader | str:
    """The header of a CSV file and its delimiter; a string says why the file cannot be read (its
    first MiB is not UTF-8: the whole file must be)."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_BYTES)
    if head.startswith(UTF16_BOMS):
        return f"{path.name}: UTF-16 text (byte-order mark {head[:2].hex(' ').upper()}); CSV files must be UTF-8"
    try:
        text, _ = codecs.utf_8_decode(head, "strict", False)
    except UnicodeDecodeError as exc:
        before = head[:exc.start]
        line, byte = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        return f"{path.name}: not valid UTF-8 (line {line}, byte {byte}); CSV files must be UTF-8"
    text = text.removeprefix("\ufeff")
    if "\r" in text.split("\n", 1)[0].removesuffix("\r"):  # CR-only line ends: the file would be one line
        return f"{path.name}: line 1 holds a CR that does not end it; CSV lines must end with LF or CRLF"
    best = None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
        header = CsvHeader([n.rstrip("\r") for n in next(reader, [""])], delimiter, max(reader.line_num, 1))
        score = len(match_columns(table, header.names, path.name)[0])
        if best is None or score > best[0]:
            best = (score, header)
    return best[1]


def needs_parsing(path: Path) -> bool:
    """Whether the file holds a double quote, NUL or CR, so that DuckDB's CSV reader must read it
    rather than its lines be split: one byte-set search per chunk, stopping at the first found."""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if holds_any(chunk, QUOTE_BYTE + CR_NUL):
                return True
    return False


def needs_marks(path: Path) -> bool:
    """Whether the file holds a blank line or a CR that does not end a line (see ``mark_copy``):
    literal searches (a regular expression stopping at every LF would cost twice as much)."""
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            if BLANK_LF.search(data) or (b"\r" in data and _lone_cr_or_blank_crlf(data)):
                return True
            tail = chunk[-2:]
    return False


def _lone_cr_or_blank_crlf(data: bytes) -> bool:
    held = data.endswith(b"\r")  # its LF may start the next chunk
    return BLANK_CRLF.search(data) is not None or data.count(b"\r") - held != data.count(b"\r\n")


BLANK_LF = re.compile(rb"\n\n")
BLANK_CRLF = re.compile(rb"\n\r\n")
BLANK_AT = re.compile(rb"(?<=\n)(?=\r?\n)")
LONE_CR = re.compile(rb"\r(?!\n)")


def mark_copy(path: Path, out: Path) -> Path:
    """A copy of the file (written chunk by chunk: bounded memory) whose blank lines hold BLANK and
    whose CRs not ending a line are LONE_CR_TEXT, both taken out again in SQL: DuckDB's CSV reader
    skips blank lines and ends a line at a lone CR, and would then neither report the one nor
    count lines as they are."""
    blank, cr = BLANK.encode(), LONE_CR_TEXT.encode()
    with open(path, "rb") as fin, open(out, "wb") as fout:
        last, held = b"", b""  # the last byte written; a CR at a chunk's end, held for the next
        while chunk := fin.read(CHUNK):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""
            data = LONE_CR.sub(cr, data[:len(data) - len(held)])
            if last == b"\n" and (data.startswith(b"\n") or data.startswith(b"\r\n")):
                data = blank + data
            data = BLANK_AT.sub(blank, data)
            fout.write(data)
            last = data[-1:] or last
        fout.write(cr if held else b"")
    return out


def csv_relation(con, src: SourceFile, table: TableSpec, workdir: Path, pool=None,
                 numbered: bool = False, field_marks: bool = True) -> TabularRelation:
    """A CSV file in the scan's shape (every record, ``_bad``/``_nf``). ``numbered``: every row has
    its ``_line`` (as ``load_tabular`` needs), else a file without quotes is numbered by place.
    ``field_marks``: ``_ctrl``/``_quote`` name the fields holding those characters, else NULL."""
    rel = TabularRelation(src, "", pending_sha=pool.submit(file_sha256, src.path) if pool else None, scan=True,
                          con=con)
    if src.path.stat().st_size == 0:
        rel.rows = 0
        return rel
    header = read_header(src.path, table)
    if isinstance(header, str):
        rel.unreadable(header)
        return rel
    places, rel.findings = match_columns(table, header.names, src.path.name)
    rel.expected = len(header.names)
    if needs_parsing(src.path):
        marks = needs_marks(src.path)
        path = mark_copy(src.path, workdir / f"{src.path.name}.marked") if marks else src.path
        rel.temp = path if marks else None
        rel.build = lambda longest: _parsed_csv(src, table, path, header, places, marks, longest, field_marks)
        if numbered:
            rel.by_place = _parsed_csv(src, table, path, header, places, marks, "", field_marks, by_place=True)
            rel.place_lines = (path, header.lines)
    else:
        rel.build = lambda longest: _plain_csv(src, table, header, places, longest, numbered, field_marks)
        rel.first_line = None if numbered else header.lines + 1
        if numbered:
            rel.by_place = _plain_csv(src, table, header, places, "", False, field_marks)
            rel.place_lines = (src.path, header.lines)
    sql = rel.build("")
    if rel.findings:
        rel.rows = rel.rejected = count_rows(con, rel, sql)
    else:
        rel.sql = sql
    return rel


def count_rows(con, rel: TabularRelation, sql: str) -> int:
    """Rows of a file that is not checked (its columns do not match); 0 if it cannot be read."""
    try:
        return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        rel.unreadable(_reason(rel.src, exc))
        return 0


def _plain_csv(src: SourceFile, table: TableSpec, header: CsvHeader, places: dict[str, int], longest: str,
               numbered: bool, field_marks: bool = True) -> str:
    """A CSV file without quotes, NUL or CR, read like EAST text: each physical line one row, split
    on the delimiter."""
    delim = sql_quote(header.delimiter)
    reader = (f"read_csv({sql_quote(str(src.path))}, columns={{'raw': 'VARCHAR'}}, delim=chr(0), quote='', "
              f"escape='', header=false, skip={header.lines}, auto_detect=false, new_line='\\n', "
              f"strict_mode=false{longest})")
    number = f"row_number() OVER () + {header.lines}" if numbered else "NULL::BIGINT"
    lines = f"SELECT {number} AS _line, coalesce(raw, '') AS raw FROM {reader}"
    fields = ", ".join(f"_f[{places.get(f.code, 0) + 1}] AS {quote_ident(f.code)}" for f in table.fields)
    text = f"replace(raw, {delim}, '')" if header.delimiter in CONTROL else "raw"
    rows = (f"SELECT _line, {text} AS {RAW}, {fields}, len(_f) <> {len(header.names)} AS _bad, "
            f"len(_f)::INTEGER AS _nf FROM (SELECT _line, raw, string_split(raw, {delim}) AS _f FROM ({lines}))")
    if not field_marks:
        return _shaped(src, table, "_line", NO_MARKS, rows)
    ctrl = _fields_matching(table, _values(table), RAW, CONTROL)
    return _shaped(src, table, "_line", f"{ctrl} AS _ctrl, NULL::VARCHAR AS _quote", rows)


def _parsed_csv(src: SourceFile, table: TableSpec, path: Path, header: CsvHeader, places: dict[str, int],
                marked: bool, longest: str, field_marks: bool = True, by_place: bool = False) -> str:
    """A CSV file with quotes, by DuckDB's CSV reader on one thread: every record kept, its fields
    counted, its line the header's lines plus the lines of the records before it. ``by_place``:
    read in parallel, ``_line`` NULL — the rows' places are their lines if no record spans lines
    (``staged_by_place``)."""
    width = len(header.names) + SPARE
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    reader = (f"read_csv({sql_quote(str(path))}, header=true, auto_detect=false, columns={columns}, "
              f"delim={sql_quote(header.delimiter)}, quote='\"', escape='\"', strict_mode=false, null_padding=true, "
              f"nullstr={sql_quote(NULL_TEXT)}, parallel={str(by_place).lower()}, new_line='\\n'{longest})")
    restore = f"replace(replace(c{{}}, {sql_quote(BLANK)}, ''), {sql_quote(LONE_CR_TEXT)}, chr(13))"
    cells = [restore.format(i) if marked else f"c{i}" for i in range(width)]
    count = "CASE " + " ".join(f"WHEN c{i} IS NOT NULL THEN {i + 1}" for i in reversed(range(width))) + " ELSE 0 END"
    fields = ", ".join(f"c{places.get(f.code, 0)} AS {quote_ident(f.code)}" for f in table.fields)
    record = (f"SELECT {', '.join(f'{cell} AS c{i}' for i, cell in enumerate(cells))} FROM {reader}")
    counted = (f"SELECT *, {count} AS _nf, concat({', '.join(f'c{i}' for i in range(width))}) AS {RAW} "
               f"FROM ({record})")
    span = f"CASE WHEN contains({RAW}, chr(10)) THEN 1 + strlen({RAW}) - strlen(replace({RAW}, chr(10), '')) ELSE 1 END"
    line = ("NULL" if by_place else
            f"(sum({span}) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - {span} + {header.lines + 1})")
    rows = (f"SELECT {RAW}, {fields}, _nf <> {len(header.names)} AS _bad, _nf::INTEGER AS _nf, "
            f"{line}::BIGINT AS _line FROM ({counted})")
    marks = _marks_columns(table, _values(table), RAW) if field_marks else NO_MARKS
    return _shaped(src, table, "_line", marks, rows)


def _values(table: TableSpec) -> str:
    return "[" + ", ".join(quote_ident(f.code) for f in table.fields) + "]"


def _shaped(src: SourceFile, table: TableSpec, line: str, marks: str, rows: str) -> str:
    """The scan's columns over ``rows`` (its fields, ``_line``, ``_bad``, ``_nf`` and RAW)."""
    cols = ", ".join(quote_ident(f.code) for f in table.fields)
    return (f"SELECT {sql_quote(src.path.name)} AS _file, {line} AS _line, {_date(src)} AS _file_date, {marks}, "
            f"{cols}, _bad, _nf FROM ({rows})")


# ------------------------------------------------------------------ Parquet

def parquet_relation(con, src: SourceFile, table: TableSpec, workdir: Path, pool=None,
                     numbered: bool = False, lines: set[int] | None = None, field_marks: bool = True) -> TabularRelation:
    """A Parquet file in the scan's shape; its "line" is the 1-based row number. With ``lines``, only those
    rows, filtered before the marks are computed (the whole records behind a few samples)."""
    relation = f"read_parquet({sql_quote(str(src.path))}, file_row_number=true)"
    only = f" WHERE file_row_number IN ({', '.join(str(n - 1) for n in sorted(lines))})" if lines else ""
    rel = TabularRelation(src, "", pending_sha=pool.submit(file_sha256, src.path) if pool else None, scan=True,
                          con=con)
    try:
        types = {c[0]: c[1] for c in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        rel.unreadable(_reason(src, exc))
        return rel
    names = [c for c in types if c != "file_row_number"]
    places, rel.findings = match_columns(table, names, src.path.name)
    if rel.findings:
        rel.rows = rel.rejected = count_rows(con, rel, f"SELECT * FROM {relation}")
        return rel
    column = {code: names[i] for code, i in places.items()}
    text = {f.code: column_text_sql(con, column[f.code], types[column[f.code]], f) for f in table.fields}
    select = ", ".join(f"{text[f.code]} AS {quote_ident(f.code)}" for f in table.fields)
    # the fields whose text can hold a control character or a quote (not numbers and dates), less
    # the dictionary-encoded ones that hold none anywhere in the file (for a few rows, ``lines``:
    # all of them)
    marked = [f for f in table.fields if not plain_type(types[column[f.code]])]
    if field_marks and marked and lines is None:
        marked = _fields_holding_marks(con, src.path, relation, marked, text,
                                       {code: c for code, c in column.items() if types[c] == "VARCHAR"})
    # their text values joined, computed once below the marks that look into it
    raw = f"concat({', '.join(text[f.code] for f in marked)})" if marked else "''"
    values = "[" + ", ".join(text[f.code] for f in marked) + "]"
    head = f"SELECT {sql_quote(src.path.name)} AS _file, file_row_number + 1 AS _line, {_date(src)} AS _file_date"
    marks = _marks_columns(table, values, RAW, marked) if field_marks and marked else NO_MARKS
    rel.sql = (f"{head}, {marks}, {select}, FALSE AS _bad, NULL::INTEGER AS _nf "
               f"FROM (SELECT *, {raw} AS {RAW} FROM {relation}{only})")
    rel.direct_sql = f"{head}, {NO_MARKS}, {select} FROM {relation}"
    return rel


def _fields_holding_marks(con, path: Path, relation: str, fields: list, text: dict[str, str],
                          varchar: dict[str, str]) -> list:
    """Of ``fields``, those to look into row by row for control characters and double quotes.
    A text column whose every data page is dictionary-encoded (``dictionary_columns``) is first
    looked into entry by entry (DuckDB runs a string function once per dictionary entry, not per
    row), in one aggregate over the file: only one that holds such a character somewhere stays.
    The others always stay: checking them first would cost what looking into their rows costs. ``varchar``:
    field code → its column, for the VARCHAR columns (their text is the column itself). A file
    the aggregate cannot read keeps every field (the scan's read then reports it)."""
    others = sql_quote("[^" + char_class(CONTROL + QUOTE)[1:] + "+")  # runs of characters outside the set
    try:
        encoded = dictionary_columns(con, path)
        by_entry = [f for f in fields if varchar.get(f.code) in encoded]
        if not by_entry:
            return fields
        checks = ", ".join(f"max(strlen(regexp_replace({text[f.code]}, {others}, '', 'g'))) > 0" for f in by_entry)
        found = dict(zip((f.code for f in by_entry), con.execute(f"SELECT {checks} FROM {relation}").fetchone()))
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        return fields
    return [f for f in fields if found.get(f.code, True)]


def dictionary_columns(con, path: Path) -> set[str]:
    """Columns of a Parquet file whose every data page, in every row group, is dictionary-encoded,
    by the pages' encoding statistics (a column's list of encodings names the dictionary of a
    writer that fell back to plain pages all the same); none when a file has no such statistics."""
    pages = ("[e.encoding LIKE '%DICTIONARY' FOR e IN encoding_stats IF e.page_type LIKE 'DATA_PAGE%']")
    return {name for name, every in con.execute(
        f"SELECT path_in_schema, bool_and(coalesce(list_bool_and({pages}), FALSE)) FROM parquet_metadata(?) GROUP BY 1",
        [str(path)]).fetchall() if every}


# ------------------------------------------------------------------ load_table

def load_tabular(con, src: SourceFile, table: TableSpec, workdir: Path,
                 field_marks: bool = True) -> tuple[FileInfo, list[FileFinding]]:
    """Append a CSV or Parquet file's good rows to ``t_<CODE>`` (engine/sources/load.py's
    ``load_table``, used where no scan runs): rows with the wrong number of fields are rejected
    with FILE.FIELD_COUNT, a file DuckDB cannot read is FILE.UNREADABLE."""
    opener = csv_relation if src.format == "csv" else parquet_relation
    rel = opener(con, src, table, workdir, numbered=True, field_marks=field_marks)
    good = 0
    line = rel.sql and (staged_by_place(con, rel) or (_staged(con, rel, table) and "_line"))
    if line:
        good = con.execute(f"INSERT INTO {quote_ident('t_' + table.code)} SELECT * EXCLUDE (_bad, _nf) "
                           f"REPLACE ({line} AS _line) FROM _jh_file WHERE NOT _bad").fetchone()[0]
        bad = con.execute(f"SELECT {line}, _nf FROM _jh_file WHERE _bad ORDER BY 1").fetchall()
        rel.findings += [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, at,
                                     f"{count} fields, expected {rel.expected}") for at, count in bad]
        rel.rows, rel.rejected = good + len(bad), len(bad)
        con.execute("DROP TABLE _jh_file")
    return finish_relation(con, rel, table, good)


def staged_by_place(con, rel: TabularRelation) -> str:
    """A CSV file read in parallel into ``_jh_file``, each row numbered by its place (what
    ``_line`` is then) rather than by a window, which reads on one thread; '' when that numbering
    could be wrong, with nothing staged. It is right when no record spans lines: DuckDB then reads
    as many records as the file has lines below the header (a file without quotes is read line by
    line; in one with quotes, blank lines and lone CRs are marked, not skipped: ``mark_copy``), and
    a parallel read meeting a line break inside quotes fails rather than splitting the record."""
    if not rel.by_place or not con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]:
        return ""  # rows stored out of order: their places say nothing
    path, header_lines = rel.place_lines
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _jh_file AS {rel.by_place}")
    except duckdb.Error as exc:  # a record over lines, a line too long: the one-thread read tells
        if is_interrupt(exc):
            raise
        return ""
    if con.execute("SELECT count(*) FROM _jh_file").fetchone()[0] == physical_lines(path) - header_lines:
        return f"(rowid + {header_lines + 1})"
    con.execute("DROP TABLE _jh_file")
    return ""


def physical_lines(path: Path) -> int:
    """Lines of a file as DuckDB counts them: its LFs, plus a last line without one."""
    lines, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            lines += stringzilla.count(chunk, b"\n")
            last = chunk[-1:]
    return lines + (last not in (b"", b"\n"))


def _staged(con, rel: TabularRelation, table: TableSpec) -> bool:
    """The file's rows into the temporary table ``_jh_file``: False when the file turned out
    unreadable (``TabularRelation.long_lines``); any other failure is raised."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _jh_file AS {rel.sql}")
        return True
    except duckdb.Error as exc:
        if is_interrupt(exc) or not rel.long_lines(table):
            raise
    if not rel.sql:
        return False
    con.execute(f"CREATE OR REPLACE TEMP TABLE _jh_file AS {rel.sql}")
    return True


__all__ = ["CsvHeader", "TabularRelation", "csv_relation", "first_invalid_utf8", "load_tabular", "match_columns",
           "parquet_relation", "read_header"]
