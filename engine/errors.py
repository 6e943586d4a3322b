"""Errors the user can act on: each names where the problem is."""
from __future__ import annotations

from dataclasses import dataclass


class JianheError(Exception):
    """Base class; the CLI turns these into one-line messages and exit codes."""

    exit_code = 2


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
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class UsageError(JianheError):
    exit_code = 2


class DataReadError(JianheError):
    """The submission could not be read at all (missing folder, no files); exit code 3."""

    exit_code = 3
