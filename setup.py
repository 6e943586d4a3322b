"""Build step that pyproject.toml cannot express: the shipped rule packs and specs (top-level
``rulesets/`` and ``specs/``, where pack authors edit them) are copied into the wheel as
``jianhe/rulesets`` and ``jianhe/specs``, so an installed jianhe finds them by name from any
working directory. Everything else is in pyproject.toml."""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("rulesets", "specs")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "tools")


class BuildWithPacks(build_py):
    """build_py plus the pack data (not in editable installs: those read the checkout itself)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                target = Path(self.build_lib) / "jianhe" / name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithPacks})
