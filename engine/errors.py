"""Errors the user can act on: each names where the problem is."""
from __future__ import annotations

from dataclasses import dataclass


MESSAGE_LIMIT = 1000  # characters; a message quoting a huge value (an expanded YAML alias) stays readable


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut in the middle when longer than ``limit``: the start names the place, the end the problem."""
    if len(text) <= limit:
        return text
    head, tail = limit * 3 // 4, limit // 5
    return f"{text[:head]} … [{len(text) - head - tail:,} characters cut] … {text[-tail:]}"


class JianheError(Exception):
    """Base class; the CLI turns these into one-line messages and exit codes."""

    exit_code = 2

    def __str__(self) -> str:
        return clip(super().__str__())


@dataclass
class Location:
    file: str
    line: int | None = None
    rule: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts = [self.file + (f":{self.line}" if self.line else "")]
        if self.rule:
            parts.append(f"rule {self.rule}")
        if self.key:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)


class RuleFileError(JianheError):
    """A spec or rule file is malformed; exit code 2."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None):
        self.message = message = clip(message)
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class UsageError(JianheError):
    exit_code = 2


class DataReadError(JianheError):
    """The submission could not be read at all (missing folder, no files); exit code 3."""

    exit_code = 3


class OutputError(JianheError):
    """A report or export could not be written (full disk, failing storage); exit code 3."""

    exit_code = 3
