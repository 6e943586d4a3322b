"""Headless Chromium for the tests of the HTML pages: Debian's /usr/bin/chromium (or $JIANHE_CHROMIUM) driven
by Playwright over the DevTools protocol — no browser download, offline, no name resolves."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("JIANHE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND"]  # no name resolves: any attempt to go online fails


def sync_api(allow_module_level: bool = True):
    """Playwright's sync API, or skip (the module, or the test) with the reason when Chromium or Playwright lacks."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium): browser tests skipped",
                    allow_module_level=allow_module_level)
    return pytest.importorskip("playwright.sync_api", reason="playwright (test extra) not installed")


@contextlib.contextmanager
def chromium(tmp_path_factory, width: int):
    """One headless Chromium with a fresh profile, its window ``width`` pixels wide."""
    with sync_api(allow_module_level=False).sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=ARGS, viewport={"width": width, "height": 1000}, offline=True, locale="zh-CN")
        try:
            yield context
        finally:
            context.close()


def artifacts_folder(tmp_path_factory) -> Path:
    """Where screenshots go: $JIANHE_TEST_ARTIFACTS to keep them, else a temporary folder."""
    folder = Path(os.environ.get("JIANHE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
