"""Built-in file-level checks: their ids, severities and bilingual messages."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileRule:
    id: str
    severity: str
    zh: str
    en: str
    row_level: bool = True  # True when the finding points at a line
    submission: bool = False  # True for checks of the batch as a whole (table '*')


FILE_RULES: dict[str, FileRule] = {r.id: r for r in (
    FileRule("FILE.NAME", "strong", "文件名应为<金融许可证号>-<表名字符串>-<YYYYMMDD>.txt",
             "file name must be <licence>-<TABLECODE>-<YYYYMMDD>.txt", False, True),
    FileRule("FILE.UNKNOWN_TABLE", "strong", "文件名中的表名字符串不是已知的表", "file name names an unknown table code", False, True),
    FileRule("FILE.DUPLICATE", "strong", "同一张表提交了多个文件", "more than one file for the same table", False),
    FileRule("FILE.BATCH_DATE", "strong", "同一批次文件名中的采集日期不一致", "collection dates in file names differ within the batch", False),
    FileRule("FILE.UNREADABLE", "strong", "文件无法读取，未参与检核", "file cannot be read; it was not checked", False),
    FileRule("FILE.EMPTY", "weak", "文件没有任何记录", "file holds no records", False),
    FileRule("FILE.NOT_SUBMITTED", "strong", "报送清单中的表未报送", "a table of the 报送清单 is not in the submission", False),
    FileRule("FILE.MISSING_TABLE", "strong", "关联校验所需的表未报送，相关规则无法执行",
             "a table needed by a cross-table rule is missing; the rule could not run", False),
    FileRule("FILE.BOM", "strong", "文件应为不带BOM的UTF-8编码", "file must be UTF-8 without BOM"),
    FileRule("FILE.CRLF", "strong", "记录分隔符应为LF(0x0A)，不应为CRLF", "records must end with LF (0x0A), not CRLF"),
    FileRule("FILE.GB18030", "strong", "文件应为UTF-8编码，实际为GB18030编码（已转换后检核）",
             "file is GB18030-encoded, not UTF-8 (converted for checking)"),
    FileRule("FILE.ENCODING", "strong", "记录不是有效的UTF-8编码，未参与检核", "record is not valid UTF-8; it was not checked"),
    FileRule("FILE.FIELD_COUNT", "strong", "记录的字段数与表结构不一致，未参与检核",
             "record has the wrong number of fields; it was not checked"),
    FileRule("FILE.LINE_LENGTH", "strong", "记录过长（超过32 MiB，或超出内存限制），无法读取，未参与检核",
             "record is too long to read (over 32 MiB, or too long for the memory limit); it was not checked"),
    FileRule("FILE.CONTROL_CHARS", "strong",
             "字段中不应包含控制字符或不可见字符(0x00-0x1F, 0x7F, U+0080-U+009F, 零宽字符, 双向控制字符)",
             "fields must not contain control or invisible characters (0x00-0x1F, 0x7F, U+0080-U+009F, "
             "zero-width and bidi controls)"),
    FileRule("FILE.QUOTES", "weak", "字段中不应包含双引号（通用说明§13）", "fields should not contain double quotes"),
    FileRule("FILE.CJRQ_MISMATCH", "strong", "采集日期字段应与文件名中的采集日期一致",
             "the 采集日期 column must equal the date in the file name"),
)}


@dataclass
class FileFinding:
    rule_id: str
    table: str  # table code, or "*" for the submission
    file: str | None
    line: int | None = None
    value: str | None = None
