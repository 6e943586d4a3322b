"""The command line's entry point (``jianhe``, ``python -m jianhe``, ``python -m engine``).

Stop signals are routed before anything heavy is imported: a Ctrl-C or a CI runner's SIGTERM
that arrives while jianhe is still starting (importing DuckDB and pandas takes seconds on a busy
machine) ends it as one during a run does — one line, exit 130 or 143, no traceback.
Standard library only, on purpose.
"""
from __future__ import annotations

import signal
import sys

STOPS = {signal.SIGINT: 130, signal.SIGTERM: 143}


def main(argv: list[str] | None = None) -> int:
    received: list[int] = []

    def starting(signum, frame) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    for signum in STOPS:
        signal.signal(signum, starting)
    try:
        from .cli import main as run
        return run(argv)  # from its signals.install() on, the command handles stops itself
    except KeyboardInterrupt:
        print("jianhe: interrupted while starting; no report was written", file=sys.stderr)
        return STOPS.get(received[-1], 130) if received else 130


if __name__ == "__main__":
    sys.exit(main())
