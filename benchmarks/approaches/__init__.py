"""One module per approach, each run in its own process by benchmarks.run (so that peak RSS is
per approach): ``python -m benchmarks.approaches.<name> DATA_DIR [options]`` prints one final line
``RESULT {json}`` with ``counts`` (rule id → failing rows) and ``work_s`` (the timed work)."""
