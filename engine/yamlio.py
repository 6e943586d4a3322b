"""YAML loading that remembers line numbers, so errors can name file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Location, RuleFileError


class LocDict(dict):
    """A mapping that knows the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocList(list):
    line: int = 0
    item_lines: list


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when built with it
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
    result = LocDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise RuleFileError("mapping keys must be plain scalars",
                                Location(loader.name, key_node.start_mark.line + 1))
        key = str(key)
        if key in result:
            raise RuleFileError(f"duplicate key '{key}'",
                                Location(loader.name, key_node.start_mark.line + 1, key=key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    result = LocList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date-looking scalar that is no real date (2024-02-30) is an error with its line, not a crash."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise RuleFileError(f"'{node.value}' is not a valid date ({exc})",
                            Location(loader.name, node.start_mark.line + 1)) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _reader_line(text: str, exc: yaml.YAMLError) -> int:
    position = getattr(exc, "position", None)
    return text[:position].count("\n") + 1 if isinstance(position, int) else 1


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become RuleFileError with file and line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RuleFileError(f"file is not UTF-8 (byte {exc.start + 1})", Location(str(path), line)) from None
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses unprintable characters (NUL …) up front
        raise RuleFileError(f"YAML error: {str(exc).splitlines()[0]}", Location(str(path), _reader_line(text, exc))) from None
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise RuleFileError(message, Location(str(path), line)) from None
    except yaml.YAMLError as exc:  # e.g. a NUL or other unprintable character
        raise RuleFileError(f"YAML error: {str(exc).splitlines()[0]}", Location(str(path), _reader_line(text, exc))) from None
    finally:
        loader.dispose()
