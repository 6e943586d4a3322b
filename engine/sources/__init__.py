"""Sources: find the files of a submission and load each table into DuckDB as text.

Every table becomes a relation ``t_<CODE>`` with columns ``_file, _line, _file_date, _ctrl``
followed by the spec's fields as VARCHAR (text first: formats are judged on the text).
Problems with files and lines are returned as findings, never raised, except when the
submission cannot be read at all.
"""
from .discover import SourceFile, discover
from .findings import FILE_RULES, FileFinding
from .load import load_table

__all__ = ["FILE_RULES", "FileFinding", "SourceFile", "discover", "load_table"]
