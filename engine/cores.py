"""How many cores a run may use: what sizes its worker pools."""
from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset), else all.
    ``os.cpu_count()`` counts the host's: on a 64-core host a container limited to 2 would start 64
    workers."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1
