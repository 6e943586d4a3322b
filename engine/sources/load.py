"""Source files as DuckDB relations of text rows, turning bad lines into findings.

EAST text is read line by line by DuckDB (no quoting, no type inference) and split on 0x01.
What DuckDB would silently mend or drop — BOM, CRLF, invalid UTF-8, NUL and other control
bytes, lines too long for its read buffers — is found by a streaming pass over the bytes; only
a file that has any is cleaned (a copy with line numbers kept, per-line findings, no line over
LINE_CAP: memory stays bounded whatever a file holds). A run reads a clean file once: DuckDB
reads it while a thread scans its bytes (SHA-256, control bytes, line count), and DuckDB
itself rejects invalid UTF-8 (see ``east_relation``); ``load_table`` pre-scans first.
"""
from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import duckdb
import stringzilla

from ..dialects.quoting import quote_ident, sql_quote
from ..results import FileInfo
from ..rules.forbidden_chars import CHARSETS, INVISIBLE, char_class
from ..signals import is_interrupt
from ..spec import TableSpec
from .discover import SourceFile
from .findings import FileFinding
from .invisible import LEADS as INVISIBLE_LEADS, InvisibleBytes

CHUNK = 1 << 24
BOM = codecs.BOM_UTF8
CONTROL = CHARSETS["control"]  # characters no field may hold
QUOTE = chr(34)


@dataclass
class PreScan:
    sha256: str = ""
    bom: bool = False
    needs_cleaning: bool = False
    encoding: str = "utf-8"  # or gb18030 when every non-ASCII line is GB18030 and none is UTF-8
    findings: list[FileFinding] = dc_field(default_factory=list)  # per-line ones too, unless written to lines_file
    bad_lines: set[int] = dc_field(default_factory=set)  # lines rejected by the cleaning, unless in lines_file
    longest: int = 0  # bytes of its longest line, exact from 1 MiB on (what DuckDB reads: the cleaned copy's)
    lines_file: Path | None = None  # the cleaning's per-line findings, streamed here (LINE_NOTES columns)


MIB = 1 << 20
# The longest line DuckDB is given (real EAST lines are under 64 KB): a longer one is counted,
# its fields counted, and rejected (FILE.FIELD_COUNT, or FILE.LINE_LENGTH when it has the right
# number of fields) without ever being held whole.
LINE_CAP = 32 * MIB
LONG_BLOCK = 512 << 10  # an aligned block this long without LF: a line of 512 KiB or more may exist


def lf_free_blocks(chunk: bytes, block: int = LONG_BLOCK) -> Iterator[int]:
    """Starts of the whole ``block``-aligned blocks of the chunk holding no LF (the chunk starts at
    a multiple of ``block``): each lies in a line at least that long, and every line of
    2 × block - 1 bytes or more holds one. A few memchr calls per chunk."""
    return (start for start in range(0, len(chunk) - block + 1, block) if chunk.find(b"\n", start, start + block) < 0)


def lf_free_block(chunk: bytes, block: int = LONG_BLOCK) -> bool:
    return next(lf_free_blocks(chunk, block), None) is not None


class LineLengths:
    """The longest line of a file read chunk by chunk (chunks of a multiple of LONG_BLOCK): exact
    for lines from 1 MiB on, found around the LF-free blocks; shorter lines only bound it."""

    def __init__(self) -> None:
        self.run = 0  # bytes of the line running on at the end of the chunks so far
        self.longest = 0

    def add(self, chunk: bytes) -> None:
        first = chunk.find(b"\n")
        if first < 0:
            self.run += len(chunk)
            return
        last = chunk.rfind(b"\n")
        self.longest = max(self.longest, self.run + first, _longest_inside(chunk, first, last))
        self.run = len(chunk) - last - 1

    def result(self) -> int:
        return max(self.longest, self.run)


def _longest_inside(chunk: bytes, first: int, last: int) -> int:
    """The longest line between the chunk's first and last LF that holds an LF-free block."""
    longest = end = 0
    for start in lf_free_blocks(chunk):
        if first < start < last and start > end:
            begin, end = chunk.rfind(b"\n", 0, start), chunk.find(b"\n", start)
            longest = max(longest, end - begin - 1)
    return longest


def line_options(longest: int) -> str:
    """read_csv options for a file whose longest line has ``longest`` bytes: DuckDB's defaults
    (2 MB lines, 32 MB buffers) up to 1 MiB, else a max_line_size twice and buffers four times
    the line, rounded up to MiB: DuckDB fails on lines near its max_line_size and, with buffers
    near twice the line, loses lines without an error; and no more (buffers take memory)."""
    if longest <= MIB:
        return ""
    size = -(-longest // MIB) * MIB
    return f", max_line_size={max(2 * size, 2 * MIB)}, buffer_size={max(4 * size, 32 * MIB)}"


def prescan(path: Path) -> PreScan:
    """One streaming pass over the bytes: its SHA-256, and whether DuckDB can read it as it is
    (not with a line over LINE_CAP: a cleaned copy leaves it out)."""
    scan = PreScan()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lengths = LineLengths()
    valid_utf8 = True
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            lengths.add(chunk)
            if first:
                scan.bom = chunk.startswith(BOM)
                first = False
            if not scan.needs_cleaning and holds_any(chunk, CR_NUL):
                scan.needs_cleaning = True
            if valid_utf8:
                try:
                    for start in range(0, len(chunk), MIB):  # a MiB at a time: the text decoded is thrown away
                        decoder.decode(chunk[start:start + MIB])
                except UnicodeDecodeError:
                    valid_utf8 = False
        if valid_utf8:
            try:
                decoder.decode(b"", final=True)  # a character cut off at the end of the file
            except UnicodeDecodeError:
                valid_utf8 = False
    scan.longest = lengths.result()
    scan.needs_cleaning = scan.needs_cleaning or not valid_utf8 or scan.longest > LINE_CAP
    scan.sha256 = digest.hexdigest()
    if not valid_utf8:
        scan.encoding = guess_encoding(path)
    return scan


def guess_encoding(path: Path) -> str:
    """'gb18030' when no non-ASCII line is UTF-8 and every one decodes as GB18030; else 'utf-8'
    (lines over LINE_CAP are not looked at)."""
    utf8 = gb = other = 0
    with open(path, "rb") as fh:
        for raw, _ in bounded_lines(fh):
            if raw is None or raw.isascii():
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


def bounded_lines(fh, cap: int = LINE_CAP) -> Iterator[tuple[bytes | None, tuple[int, int] | None]]:
    """The lines of a binary file without their LF: (line, None) for a line of up to ``cap``
    bytes; a longer one is read on in pieces and not kept: (None, (its bytes, its fields)). Memory
    stays bounded whatever the file holds (e.g. 300 MB of NUL bytes and no LF)."""
    while raw := fh.readline(cap + 1):
        if raw.endswith(b"\n"):
            yield raw[:-1], None
        elif len(raw) <= cap:
            yield raw, None
        else:
            yield None, _rest_of_line(fh, raw)


def _rest_of_line(fh, head: bytes) -> tuple[int, int]:
    """(bytes, fields) of a line whose first ``head`` bytes were read: read on to its LF in pieces."""
    size, fields, piece = len(head), head.count(b"\x01") + 1, head
    while not piece.endswith(b"\n") and (piece := fh.readline(CHUNK)):
        size += len(piece) - piece.endswith(b"\n")
        fields += piece.count(b"\x01")
    return size, fields


# the columns of PreScan.lines_file, a TSV of the cleaning's per-line findings (reject: 1 when
# the line is not checked); read by DuckDB, so that millions of bad lines never become objects
LINE_NOTES = "{'rule': 'VARCHAR', 'line': 'BIGINT', 'reject': 'INTEGER', 'value': 'VARCHAR'}"


def line_notes_sql(path: Path) -> str:
    """The rows of a PreScan.lines_file."""
    return (f"read_csv({sql_quote(str(path))}, columns={LINE_NOTES}, delim='\\t', quote='', escape='', "
            f"header=false, auto_detect=false, new_line='\\n')")


class LineNotes:
    """Where a cleaning pass notes per-line findings: streamed to ``scan.lines_file`` when set, else
    kept in the PreScan's lists (the Spark driver and ``load_table`` want them as objects)."""

    def __init__(self, src: SourceFile, scan: PreScan):
        self.src, self.scan = src, scan
        self.out = open(scan.lines_file, "w", encoding="utf-8") if scan.lines_file else None

    def __enter__(self) -> "LineNotes":
        return self

    def __exit__(self, *exc) -> None:
        if self.out is not None:
            self.out.close()

    def add(self, rule: str, line: int, value: str | None = None, reject: bool = False) -> None:
        if self.out is not None:
            self.out.write(f"{rule}\t{line}\t{int(reject)}\t{value or ''}\n")
            return
        self.scan.findings.append(FileFinding(rule, self.src.table, self.src.path.name, line, value))
        if reject:
            self.scan.bad_lines.add(line)


def clean_copy(src: SourceFile, scan: PreScan, out_dir: Path, fields: int | None = None, cap: int = LINE_CAP) -> Path:
    """Write a copy DuckDB can read, line by line (bounded memory): LF endings, UTF-8 (GB18030 is
    transcoded), no NUL, no line over ``cap`` (rejected and left empty: FILE.FIELD_COUNT when it
    has other than ``fields`` fields, else FILE.LINE_LENGTH); notes a finding per bad line and
    keeps line numbers. ``scan.longest`` becomes the copy's longest line."""
    out = out_dir / f"{src.path.name}.clean"
    if scan.encoding != "utf-8":
        scan.findings.append(FileFinding("FILE.GB18030", src.table, src.path.name, 1, "converted from GB18030 for checking"))
    scan.longest = 0
    with open(src.path, "rb") as fin, open(out, "wb") as fout, LineNotes(src, scan) as notes:
        for number, (raw, overlong) in enumerate(bounded_lines(fin, cap), start=1):
            body = (_clean_line(raw, number, scan.encoding, notes) if raw is not None else None) or b""
            if len(body) > cap:  # grown past it by transcoding
                overlong, body = (len(body), body.count(b"\x01") + 1), b""
            if overlong is not None:
                _reject_overlong(notes, number, overlong, fields)
            scan.longest = max(scan.longest, len(body))
            fout.write(body + b"\n")
    return out


def _clean_line(body: bytes, number: int, encoding: str, notes: LineNotes) -> bytes | None:
    """A line as UTF-8 without BOM, CR or NUL, its findings noted; None when it is not valid in
    ``encoding`` (rejected)."""
    if number == 1 and body.startswith(BOM):
        body = body[len(BOM):]
    if body.endswith(b"\r"):
        notes.add("FILE.CRLF", number)
        body = body[:-1]
    try:
        body = body.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        notes.add("FILE.ENCODING", number, f"invalid {encoding.upper()} at byte {exc.start + 1}", reject=True)
        return None
    if b"\x00" in body or b"\r" in body:
        notes.add("FILE.CONTROL_CHARS", number, "NUL/CR byte")
        body = body.replace(b"\x00", b" ").replace(b"\r", b" ")
    return body


def _reject_overlong(notes: LineNotes, number: int, overlong: tuple[int, int], fields: int | None) -> None:
    """A line too long to read: its field count is the finding when wrong, else its length."""
    size, count = overlong
    if fields is not None and count != fields:
        notes.add("FILE.FIELD_COUNT", number, f"{count} fields, expected {fields}", reject=True)
    else:
        notes.add("FILE.LINE_LENGTH", number, f"{size} bytes", reject=True)


def create_relation(con: duckdb.DuckDBPyConnection, table: TableSpec) -> None:
    cols = ", ".join(f"{quote_ident(f.code)} VARCHAR" for f in table.fields)
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident('t_' + table.code)} "
                f"(_file VARCHAR, _line BIGINT, _file_date VARCHAR, _ctrl VARCHAR, _quote VARCHAR, {cols})")


def load_table(con: duckdb.DuckDBPyConnection, src: SourceFile, table: TableSpec, workdir: Path,
               field_marks: bool = True) -> tuple[FileInfo, list[FileFinding]]:
    """Append one file's rows to ``t_<CODE>``; returns its FileInfo and findings. ``field_marks``:
    name per row the fields holding control characters or double quotes (``_ctrl``, ``_quote``),
    which only rules read (a reconciliation leaves them NULL: they cost a look into every field)."""
    loader = {"east": _load_east, "csv": _load_csv, "parquet": _load_parquet}[src.format]
    if not os.access(src.path, os.R_OK):
        return (FileInfo(src.path.name, src.path.stat().st_size, 0, 0, src.collection_date),
                [FileFinding("FILE.UNREADABLE", src.table, src.path.name, None, "permission denied")])
    info, findings = loader(con, src, table, workdir, field_marks)
    if info.rows_read == 0 and not any(f.rule_id == "FILE.UNREADABLE" for f in findings):  # unread, not empty
        findings.append(FileFinding("FILE.EMPTY", src.table, src.path.name))
    return info, findings


def any_char_sql(text: str, chars: str) -> str:
    """Whether ``text`` holds any of ``chars``: one ``contains`` per character, which DuckDB runs
    several times faster than an RE2 character class over the same text. Text whose bytes are as
    many as its characters is ASCII: only the ASCII ones among ``chars`` are looked for in it (most
    fields — codes, numbers, dates — skip the 48 invisible characters, halving the cost)."""
    unique = list(dict.fromkeys(chars))
    ascii_only = [c for c in unique if ord(c) < 0x80]
    if not ascii_only or len(ascii_only) == len(unique):
        return _contains_any(text, unique)
    return (f"(CASE WHEN strlen({text}) = length({text}) THEN {_contains_any(text, ascii_only)} "
            f"ELSE {_contains_any(text, unique)} END)")


def _contains_any(text: str, chars: list[str]) -> str:
    return "(" + " OR ".join(f"contains({text}, chr({ord(c)}))" for c in chars) + ")"


def _fields_matching(table: TableSpec, values: str, raw: str, chars: str, fields: list | None = None) -> str:
    """Names of the fields holding any of ``chars``, computed only for lines that have one (NULL
    when only text outside the fields has one: a CSV column the table does not have). ``fields``:
    only those (``values`` theirs), the others being known to hold none."""
    names = "[" + ", ".join(sql_quote(f.code) for f in (table.fields if fields is None else fields)) + "]"
    pattern = sql_quote(char_class(chars))
    return (f"CASE WHEN {any_char_sql(raw, chars)} THEN nullif(array_to_string(list_filter({names}, "
            f"lambda n, i: regexp_matches({values}[i], {pattern})), ','), '') END")


def _marks_sql(table: TableSpec, values: str, raw: str) -> str:
    """The _ctrl and _quote columns: fields with control characters / double quotes."""
    return f"{_fields_matching(table, values, raw, CONTROL)}, {_fields_matching(table, values, raw, QUOTE)}"


def _marks_columns(table: TableSpec, values: str, raw: str, fields: list | None = None) -> str:
    """``_marks_sql`` as the named columns ``_ctrl, _quote`` (of ``fields`` only: ``_fields_matching``)."""
    return (f"{_fields_matching(table, values, raw, CONTROL, fields)} AS _ctrl, "
            f"{_fields_matching(table, values, raw, QUOTE, fields)} AS _quote")


NO_MARKS = "NULL::VARCHAR AS _ctrl, NULL::VARCHAR AS _quote"  # a file whose bytes hold neither


def _byte_clean_marks(table: TableSpec, values: str, raw: str) -> str:
    """``_marks_columns`` of text whose bytes hold no control byte: of the control set only the
    invisible characters can be there (multi-byte in UTF-8, so a byte scan does not see them)."""
    return (f"{_fields_matching(table, values, raw, INVISIBLE)} AS _ctrl, "
            f"{_fields_matching(table, values, raw, QUOTE)} AS _quote")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _load_east(con, src: SourceFile, table: TableSpec, workdir: Path, field_marks: bool = True):
    return _load_relation(con, careful_relation(src, table, workdir, field_marks=field_marks), table)


def _load_relation(con, rel: "FileRelation", table: TableSpec):
    """Append a file's relation to ``t_<CODE>`` and settle its counts and findings."""
    rows = 0
    if rel.sql:
        insert = f"INSERT INTO {quote_ident('t_' + table.code)} "
        rows = with_long_lines(con, lambda: con.execute(insert + rel.sql).fetchone()[0],
                               lambda: rel.long_lines(table) and con.execute(insert + rel.sql).fetchone()[0])
    return finish_relation(con, rel, table, rows)


def with_long_lines(con, read, reread):
    """``read()``; if DuckDB fails (e.g. a line over its default 2 MB), ``reread()`` with lines up to 1 GB."""
    try:
        return read()
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        result = reread()
        if result is False:  # nothing to change: the first error stands
            raise
        return result


# ------------------------------------------------------------------ files as relations
#
# Every source file becomes one SELECT over its rows as text. For ``load_table`` (``scan=False``)
# it yields exactly the columns of ``t_<CODE>`` for the good rows: ``_file, _line, _file_date,
# _ctrl, _quote`` and the fields. For engine/backends/duckdb/scan.py (``scan=True``) it yields every row, two more
# columns — ``_bad`` (TRUE for a line to reject: the wrong number of fields) and ``_nf`` (its
# number of fields) — and, for EAST text and CSV without quotes, ``_line`` NULL: the rows come in
# file order and the run numbers them by their position where it stores them
# (``FileRelation.first_line`` is the number of the first), because numbering rows in SQL
# (``row_number() OVER ()``) would read the whole file on one thread. CSV and Parquet files:
# engine/sources/tabular.py.

LINES = ("read_csv({path}, columns={{'raw': 'VARCHAR'}}, delim=chr(0), quote='', escape='', header=false, "
         "auto_detect=false, new_line='\\n', strict_mode=false{longest})")
# lines up to DuckDB's default 2 MB: its read buffers stay small. A file that may hold a line of
# LONG_BLOCK or more (a broken file: e.g. CR-only line ends make one line of it) is read the
# careful way: a line over LINE_CAP is left out of a cleaned copy, and the rest is read with
# buffers for its longest line (``line_options``; a last line over DuckDB's 32 MB buffer used to
# go missing without an error). LONG_LINES: for any line DuckDB is given, if a read still fails.
LONG_LINES = line_options(LINE_CAP)
# The bytes that decide how an EAST file is read. Each set is looked for with StringZilla's SIMD
# byte-set search (about 10 GB/s; one per-byte translation of every chunk cost the byte thread more
# CPU than SHA-256, on a machine where DuckDB wants every core): CR or NUL (the file needs a cleaned
# copy), another control character (0x02-0x1F but LF, or 0x7F: the fields holding one are named
# per line), a double quote or the first byte of an invisible character (``InvisibleBytes`` tells
# which). A chunk holding none of them — the rule — is searched once, for all of them at once.
CR_NUL = b"\x00\r"
OTHER_CONTROL = bytes(b for b in range(0x20) if b not in (0x00, 0x01, 0x0A, 0x0D)) + b"\x7f"
QUOTE_BYTE = b'"'
LEAD_BYTES = bytes(sorted(INVISIBLE_LEADS))
ANY_CLASS = CR_NUL + OTHER_CONTROL + QUOTE_BYTE + LEAD_BYTES


def holds_any(chunk: bytes, byteset: bytes) -> bool:
    """Whether ``chunk`` holds any byte of ``byteset``."""
    return stringzilla.find_first_of(chunk, byteset) >= 0


class ByteClasses:
    """What an EAST file's bytes hold that decides how it is read, chunk by chunk: CR or NUL (a
    cleaned copy), another control character, a double quote or an invisible character (the fields
    holding one are named per line: ``marks``), a line that may be over LONG_BLOCK. A file holding
    none of these is read without looking into its fields at all."""

    def __init__(self) -> None:
        self.cr_nul = self.control = self.marks = self.long = False
        self.invisible = InvisibleBytes()

    def add(self, chunk: bytes) -> None:
        if not (self.cr_nul and self.control and self.marks):
            lead = False
            if holds_any(chunk, ANY_CLASS):
                self.cr_nul = self.cr_nul or holds_any(chunk, CR_NUL)
                self.control = self.control or holds_any(chunk, OTHER_CONTROL)
                lead = holds_any(chunk, LEAD_BYTES)
                self.marks = self.marks or holds_any(chunk, QUOTE_BYTE)
            if not self.marks:  # every chunk, for a character split between two
                self.marks = self.invisible.add(chunk, lead)
        self.long = self.long or lf_free_block(chunk, LONG_BLOCK)

    @property
    def complete(self) -> bool:
        """Everything is found: reading on cannot change the outcome."""
        return self.cr_nul and self.control and self.marks and self.long


def control_bytes(path: Path) -> ByteClasses:
    """``ByteClasses`` of a whole file: one pass, stopping when everything is found."""
    classes = ByteClasses()
    with open(path, "rb") as fh:
        while not classes.complete and (chunk := fh.read(CHUNK)):
            classes.add(chunk)
    return classes


@dataclass
class ByteScan:
    """SHA-256, size and BOM of a file, from one streaming pass beside DuckDB's read; with
    ``classes``, also its ``ByteClasses`` (DuckDB may have failed on a long line, or silently
    dropped it at the end)."""
    sha256: str
    size: int
    bom: bool
    classes: ByteClasses | None = None

    @property
    def needs_care(self) -> bool:
        c = self.classes
        return c is not None and (c.cr_nul or c.control or c.marks or c.long)


def byte_scan(path: Path, classes: bool = False) -> ByteScan:
    digest = hashlib.sha256()
    size = 0
    bom = False
    found = ByteClasses() if classes else None
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not size:
                bom = chunk.startswith(BOM)
            digest.update(chunk)
            size += len(chunk)
            if found is not None:
                found.add(chunk)
    return ByteScan(digest.hexdigest(), size, bom, found)


@dataclass
class FileRelation:
    """One source file as a relation of text rows, and what is known of it before it is read."""
    src: SourceFile
    sql: str  # "" when no row of the file can be checked
    findings: list[FileFinding] = dc_field(default_factory=list)
    sha256: str | None = None
    encoding: str = "utf-8"
    rows: int | None = None  # rows read, when known without reading them (CSV/Parquet lacking columns)
    rejected: int = 0
    bad_lines: set[int] = dc_field(default_factory=set)  # lines rejected by the pre-scan (invalid encoding)
    lines_file: Path | None = None  # … or, for engine/backends/duckdb/scan.py, its per-line findings (line_notes_sql)
    byte_scan: object = None  # a Future[ByteScan] of an EAST file whose UTF-8 DuckDB checks, else None
    pending_sha: object = None  # a Future[str]: the SHA-256 computed beside DuckDB's read
    temp: Path | None = None  # cleaned copy, removed once the file is read
    path: Path | None = None  # the EAST text read (the file or its cleaned copy) …
    marks: str = ""  # … and the SQL of its _ctrl/_quote columns
    longest: str = ""  # read options for its longest line (line_options), LONG_LINES once a read failed
    scan: bool = False  # the shape for engine/backends/duckdb/scan.py (every row, _bad, _nf), else t_<CODE>'s
    first_line: int | None = None  # positional relations: the line number of the first row

    @property
    def optimistic(self) -> bool:
        return self.byte_scan is not None

    def long_lines(self, table: TableSpec) -> bool:
        """Allow lines up to 2 × LINE_CAP from now on; False when this is no EAST text or already so."""
        if self.path is None or self.longest:
            return False
        self.longest = LONG_LINES
        self.sql = _east_select(self.src, table, self.path, self.marks, self.bad_lines, LONG_LINES, self.scan)
        return True

    def discard(self) -> None:
        """Remove its cleaned copy and findings file (scratch space: a cleaned copy is the file's size)."""
        for done in (self.temp, self.lines_file):
            if done is not None:
                done.unlink(missing_ok=True)
        self.temp = self.lines_file = None


def _lines_sql(path: Path, longest: str) -> str:
    return (f"SELECT coalesce(raw, '') AS raw, string_split(coalesce(raw, ''), chr(1)) AS _f "
            f"FROM {LINES.format(path=sql_quote(str(path)), longest=longest)}")


def _east_select(src: SourceFile, table: TableSpec, path: Path, marks: str, skip: set[int], longest: str,
                 scan: bool) -> str:
    """The rows of an EAST text file, each line split once on 0x01: every line in file order with
    ``_bad``/``_nf`` (``scan``), or the good lines numbered (the line is split below the numbering,
    which a filter cannot cross)."""
    n = len(table.fields)
    cols = ", ".join(f"_f[{i}] AS {quote_ident(f.code)}" for i, f in enumerate(table.fields, start=1))
    def head(line: str) -> str:  # not str.format: the marks' patterns hold braces (\x{200b})
        return f"SELECT {sql_quote(src.path.name)} AS _file, {line} AS _line, {_date(src)} AS _file_date, {marks}, {cols}"
    if scan:
        return (f"{head('NULL::BIGINT')}, len(_f) <> {n} AS _bad, len(_f)::INTEGER AS _nf "
                f"FROM ({_lines_sql(path, longest)})")
    skipped = f" AND _line NOT IN ({', '.join(map(str, sorted(skip)))})" if skip else ""
    return (f"{head('_line')} FROM (SELECT row_number() OVER () AS _line, raw, _f "
            f"FROM ({_lines_sql(path, longest)})) WHERE len(_f) = {n}{skipped}")


def _date(src: SourceFile) -> str:
    return f"{sql_quote(src.collection_date) if src.collection_date else 'NULL'}::VARCHAR"


CHECK_FIRST = 64 << 20  # files up to this size are checked for control bytes before DuckDB reads them


def east_relation(src: SourceFile, table: TableSpec, workdir: Path, pool=None) -> FileRelation:
    """An EAST text file as a relation for engine/backends/duckdb/scan.py. With a thread ``pool`` a file is read by
    DuckDB as it is — DuckDB refuses invalid UTF-8 — while the thread computes its SHA-256. A file
    up to ``CHECK_FIRST`` bytes is first checked for CR, NUL and control characters; a larger one is
    checked by the same thread, during DuckDB's read. A file with CR, NUL or a long line needs a
    cleaned copy or LONG_LINES, one with control characters their fields named per line:
    ``careful_relation``, at once or (``needs_care`` after a larger file was read) in a second
    read. Without a pool: careful."""
    if pool is None or not _starts_as_utf8(src.path):
        return careful_relation(src, table, workdir, scan=True)
    check_later = src.path.stat().st_size > CHECK_FIRST
    found = None if check_later else control_bytes(src.path)
    if found is not None and (found.cr_nul or found.long):
        return careful_relation(src, table, workdir, scan=True)
    marks = NO_MARKS  # a clean file (the rule; a larger file is checked while DuckDB reads it)
    if found is not None and found.control:
        marks = _marks_columns(table, "_f", "raw")
    elif found is not None and found.marks:
        marks = _byte_clean_marks(table, "_f", "raw")
    sql = _east_select(src, table, src.path, marks, set(), "", scan=True)
    return FileRelation(src, sql, byte_scan=pool.submit(byte_scan, src.path, check_later), path=src.path,
                        marks=marks, scan=True, first_line=1)


def needs_care(rel: FileRelation) -> bool:
    """A file read as it is whose bytes (checked during the read) hold CR, NUL, control characters,
    double quotes, invisible characters (that read looked into no field) or a line that may be too
    long for it (DuckDB may have dropped it without an error)."""
    return rel.optimistic and rel.byte_scan.result().needs_care


def _starts_as_utf8(path: Path, size: int = 1 << 20) -> bool:
    """Whether the first MiB is UTF-8: a GB18030 file goes the careful way at once (cheap to know)."""
    with open(path, "rb") as fh:
        head = fh.read(size)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


def careful_relation(src: SourceFile, table: TableSpec, workdir: Path, scan: bool = False,
                     cap: int = LINE_CAP, field_marks: bool = True) -> FileRelation:
    """An EAST file pre-scanned in Python: BOM, CRLF, NUL, invalid UTF-8 and GB18030 become
    findings and a cleaned copy (line numbers kept; lines over ``cap`` rejected); control
    characters are looked for per line. For engine/backends/duckdb/scan.py (``scan``) the per-line findings of the
    cleaning stay in a file (``FileRelation.lines_file``), not in Python lists."""
    pre = prescan(src.path)
    pre.needs_cleaning = pre.needs_cleaning or pre.longest > cap
    if pre.needs_cleaning and scan:
        pre.lines_file = workdir / f"{src.path.name}.lines"
    path = clean_copy(src, pre, workdir, len(table.fields), cap) if pre.needs_cleaning else src.path
    findings = list(pre.findings)
    if pre.bom:
        findings.insert(0, FileFinding("FILE.BOM", src.table, src.path.name, 1))
    marks = _marks_columns(table, "_f", "raw") if field_marks else NO_MARKS
    longest = line_options(pre.longest)
    sql = _east_select(src, table, path, marks, pre.bad_lines, longest, scan)
    return FileRelation(src, sql, findings, pre.sha256, pre.encoding, bad_lines=pre.bad_lines,
                        lines_file=pre.lines_file, temp=path if path != src.path else None, path=path,
                        marks=marks, longest=longest, scan=scan, first_line=1 if scan else None)


def finish_relation(con, rel: FileRelation, table: TableSpec, scanned: int,
                    stored: tuple[int, int] | None = None) -> tuple[FileInfo, list[FileFinding]]:
    """Counts and findings of a file once read: ``scanned`` good rows; ``stored`` = (all its rows,
    those rejected) when the run kept every row — engine/backends/duckdb/scan.py then has its per-line findings
    in DuckDB, and the file's own findings are returned."""
    src, findings = rel.src, list(rel.findings)
    if rel.pending_sha is not None:
        rel.sha256 = rel.pending_sha.result()
    if rel.optimistic:
        scan = rel.byte_scan.result()
        rel.sha256 = scan.sha256
        if scan.bom:
            findings.insert(0, FileFinding("FILE.BOM", src.table, src.path.name, 1))
    if stored is not None:
        rows, rejected = stored
        rejected += rel.rejected
        rows = rel.rows if rel.rows is not None else rows
    elif src.format == "east":
        path = rel.temp or src.path
        rows = _count_lines(con, path, rel.longest)
        rejected = len(rel.bad_lines)
        if scanned + rejected != rows:  # lines with the wrong number of fields: find them (rare)
            wrong = _wrong_field_counts(con, src, table, path, rel.bad_lines, rel.longest)
            findings += wrong
            rejected += len(wrong)
    else:
        rows = rel.rows if rel.rows is not None else scanned
        rejected = rel.rejected
    rel.discard()
    info = FileInfo(src.path.name, src.path.stat().st_size, rows, rejected, src.collection_date,
                    rel.sha256 or file_sha256(src.path), rel.encoding)
    return info, findings


def _count_lines(con, path: Path, longest: str = "") -> int:
    return con.execute(f"SELECT count(*) FROM {LINES.format(path=sql_quote(str(path)), longest=longest)}").fetchone()[0]


def _wrong_field_counts(con, src: SourceFile, table: TableSpec, path: Path, skip: set[int],
                        longest: str = "") -> list[FileFinding]:
    n = len(table.fields)
    skipped = f" AND _line NOT IN ({', '.join(map(str, sorted(skip)))})" if skip else ""
    wrong = con.execute(f"SELECT _line, len(_f) FROM (SELECT row_number() OVER () AS _line, _f FROM "
                        f"({_lines_sql(path, longest)})) WHERE len(_f) <> {n}{skipped} ORDER BY _line").fetchall()
    return [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, line, f"{count} fields, expected {n}")
            for line, count in wrong]


def csv_relation(con, src: SourceFile, table: TableSpec, workdir: Path, pool=None) -> FileRelation:
    """A CSV file as a relation for engine/backends/duckdb/scan.py (engine/sources/tabular.py)."""
    from .tabular import csv_relation as opener  # tabular builds on this module
    return opener(con, src, table, workdir, pool)


def parquet_relation(con, src: SourceFile, table: TableSpec, workdir: Path, pool=None) -> FileRelation:
    """A Parquet file as a relation for engine/backends/duckdb/scan.py (engine/sources/tabular.py)."""
    from .tabular import parquet_relation as opener  # tabular builds on this module
    return opener(con, src, table, workdir, pool)


def _load_csv(con, src: SourceFile, table: TableSpec, workdir: Path,
              field_marks: bool = True) -> tuple[FileInfo, list[FileFinding]]:
    """``load_table`` of a CSV or Parquet file (engine/sources/tabular.py)."""
    from .tabular import load_tabular  # tabular builds on this module
    return load_tabular(con, src, table, workdir, field_marks)


_load_parquet = _load_csv
