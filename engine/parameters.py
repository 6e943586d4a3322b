"""Pack parameters: thresholds that are policy choices, declared once in pack.yaml and used in rules.

``pack.yaml`` declares ``parameters: {name: default}``; a rule refers to one as ``${name}`` in any
of its values (params, ``when``, expressions, messages). A value that is exactly ``${name}`` takes
the parameter's type (so ``max: ${limit}`` stays a number); inside a longer text the value is
spliced in as text. ``$${`` writes a literal ``${``. The command line overrides a default with
``--param name=value``. An unknown name is an error that names file and line.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import Location, RuleFileError, UsageError
from .yamlio import LocDict, LocList, safe_load_text

REFERENCE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
NOT_SUBSTITUTED = {"id", "examples"}  # fixtures are literal data; ids never vary


def parse_override(text: str) -> tuple[str, object]:
    """``name=value`` from the command line; the value is read as a YAML scalar (0.1 → number)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise UsageError(f"--param expects name=value, not {text!r}")
    try:
        value = safe_load_text(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if isinstance(value, (dict, list)) or value is None:
        value = raw
    return name, value


def resolve(declared: dict, overrides: dict | None, pack_file: Path) -> dict:
    """Defaults from pack.yaml with command-line overrides applied; overriding an undeclared name
    is a usage error (a typo must not silently leave the default in force)."""
    values = dict(declared or {})
    for name, value in (overrides or {}).items():
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise UsageError(f"pack {pack_file.parent.name} has no parameter '{name}' (parameters: {known})")
        default = values[name]
        if isinstance(default, (int, float)) and not isinstance(default, bool) and not isinstance(value, (int, float)):
            raise UsageError(f"parameter '{name}' must be a number (default {default}), not {value!r}")
        values[name] = value
    return values


def substitute_rule(item: LocDict, values: dict, path: Path) -> None:
    """Replace ``${name}`` references in one rule item, in place (line numbers are kept)."""
    rule = str(item.get("id"))
    for key in list(item):
        if key not in NOT_SUBSTITUTED:
            item[key] = _substitute(item[key], values, (path, rule), item.line_of(key))


def _substitute(node, values: dict, where: tuple[Path, str], line: int):
    if isinstance(node, LocDict):
        for key in list(node):
            node[key] = _substitute(node[key], values, where, node.line_of(key))
        return node
    if isinstance(node, LocList):
        for i, child in enumerate(node):
            node[i] = _substitute(child, values, where, node.item_lines[i] if i < len(node.item_lines) else line)
        return node
    if not isinstance(node, str) or "${" not in node:
        return node
    whole = REFERENCE.fullmatch(node)
    if whole and not whole.group(1):
        return _value(whole.group(2), values, where, line)

    def splice(m: re.Match) -> str:
        if m.group(1):  # $${name}: a literal ${name}
            return "${" + m.group(2) + "}"
        return _text(_value(m.group(2), values, where, line))

    return REFERENCE.sub(splice, node)


def _value(name: str, values: dict, where: tuple[Path, str], line: int):
    if name not in values:
        known = ", ".join(sorted(values)) or "none declared in pack.yaml"
        raise RuleFileError(f"unknown parameter '${{{name}}}' (parameters: {known})",
                            Location(str(where[0]), line, rule=where[1]))
    return values[name]


def _text(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
