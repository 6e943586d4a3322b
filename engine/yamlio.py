"""YAML loading that remembers line numbers, so errors can name file and line.

Every YAML file jianhe reads (packs, specs, rule files, code lists, waivers, calendars, excuses,
table maps) goes through :func:`load_yaml`, which also refuses hostile documents before they are
built: files over :data:`MAX_BYTES`, nesting deeper than :data:`MAX_DEPTH`, and aliases that expand
to more than :data:`MAX_ALIAS_NODES` nodes (a "billion laughs" of 400 bytes expands to 10⁹ values,
which later code would walk, validate or quote in an error message).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Location, RuleFileError

MAX_BYTES = 64 * 1024 * 1024  # far above any real pack (the full east5 pack is a few MB), far below harm
MAX_ALIAS_NODES = 100_000  # nodes that aliases add over the document as written
MAX_DEPTH = 100  # real files nest < 10 levels; deeper would overflow the recursive constructor


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


class ExpansionError(yaml.YAMLError):
    """A document refused for its shape (alias expansion or depth), with the line it starts at."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def check_shape(root: yaml.Node | None, anchors: bool = True) -> None:
    """Refuse a composed document whose aliases expand too far, or that nests too deep or loops.

    Aliases share their anchor's node, so the composed graph is small; its expanded size is
    counted here with memoisation in time proportional to the graph, never to the expansion.
    ``anchors=False`` (the text holds no ``&``, so no node can be shared): only the depth is checked."""
    if root is None:
        return
    if not anchors:
        _check_depth(root)
        return
    sizes: dict[int, int] = {}
    unique = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    active: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise ExpansionError(f"nested more than {MAX_DEPTH} levels deep", line)
        children = _children(node)
        if done:
            active.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            unique += 1
            if sizes[id(node)] - unique > MAX_ALIAS_NODES:
                raise ExpansionError(f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes "
                                     "(an alias bomb?); write the values out instead", line)
            continue
        if id(node) in active:
            raise ExpansionError("an alias refers to a node that contains it (recursive alias)", line)
        active.add(id(node))
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def _check_depth(root: yaml.Node) -> None:
    """The depth limit alone, for a tree without shared nodes (a quarter of the full check's time)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpansionError(f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, depth + 1) for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, depth + 1) for n in node.value)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def safe_load_text(text: str) -> Any:
    """``yaml.safe_load`` for short texts (command-line values) with the same shape limits as files;
    a refused text raises a ``yaml.YAMLError`` like any unreadable one."""
    if len(text) > MAX_BYTES:
        raise ExpansionError("the value is too long", 1)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        check_shape(node)
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _read_limited(path: Path) -> bytes:
    """The file's bytes, refusing more than MAX_BYTES (read bounded, so a FIFO or growing file cannot exhaust memory)."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RuleFileError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; refusing to read it as YAML",
                            Location(str(path)))
    return data


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors and hostile documents become RuleFileError with file and line."""
    data = _read_limited(Path(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RuleFileError(f"file is not UTF-8 (byte {exc.start + 1})", Location(str(path), line)) from None
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, path: str) -> Any:
    """Parse YAML text as the file ``path`` (errors name it): the same checks as :func:`load_yaml`,
    for text about to be written (``jianhe init`` checks an extended file before saving it)."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses unprintable characters (NUL …) up front
        raise RuleFileError(f"YAML error: {str(exc).splitlines()[0]}", Location(str(path), _reader_line(text, exc))) from None
    loader.name = str(path)
    try:
        node = loader.get_single_node()
        check_shape(node, anchors="&" in text)
        return loader.construct_document(node) if node is not None else None
    except ExpansionError as exc:
        raise RuleFileError(str(exc), Location(str(path), exc.line)) from None
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
