"""Python's cyclic garbage collector paused while a reconciliation builds and writes its results."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """A large run makes 10⁵–10⁶ small objects (rows, dicts, findings) that hold no cycles: every
    collection their allocation triggers walks all of them again (at 10⁶ records most of the
    Python time went there). Reference counting frees them; the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
