"""Old ids of renamed rules: what a user's waiver, baseline or excuse file may still name.

A pack renames a rule when it learns the rule's official number. Derived rules keep their old id in the
spec's official-id file (engine/derive.py); written rules keep theirs in the pack's ``aliases:`` file, a
mapping old id -> current id. Both are one table here, checked against the pack's rules when it loads.
"""
from __future__ import annotations

from pathlib import Path

from .derive import official_aliases
from .errors import Location, RuleFileError
from .spec import check_schema
from .yamlio import LocDict, load_yaml


def pack_aliases(pack_dir: Path, meta: dict) -> dict[str, str]:
    """Old id -> current id of every rule the pack at ``pack_dir`` (with pack.yaml ``meta``) renamed."""
    out = official_aliases((pack_dir / meta["spec"]).resolve(), dict(meta.get("derive") or {}))
    if meta.get("aliases"):
        out.update(_written_aliases(pack_dir / str(meta["aliases"])))
    return out


def check_aliases(pack_dir: Path, meta: dict, rule_ids: set[str]) -> None:
    """Every alias names a rule of the pack, and no old id is still some rule's current id."""
    if not meta.get("aliases"):
        return
    path = pack_dir / str(meta["aliases"])
    mapping = _alias_mapping(path)
    for key, new in mapping.items():
        old, line = str(key), mapping.line_of(key)  # an unquoted number is an int key
        if old in rule_ids:
            raise RuleFileError(f"alias '{old}' is the current id of a rule; an old id cannot name another rule",
                                Location(str(path), line, rule=old))
        if str(new) not in rule_ids:
            raise RuleFileError(f"alias '{old}' names unknown rule '{new}'", Location(str(path), line, rule=old))


def _written_aliases(path: Path) -> dict[str, str]:
    return {str(old): str(new) for old, new in _alias_mapping(path).items()}


def _alias_mapping(path: Path) -> LocDict:
    """The file's ``aliases`` mapping as written (keys with their lines), checked against its schema."""
    if not path.is_file():
        raise RuleFileError(f"alias file not found: {path} (aliases in pack.yaml)")
    doc = load_yaml(path)
    check_schema(doc, "aliases", path)
    return doc["aliases"]
