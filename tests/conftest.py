import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

# Modules that start servers, browsers, Spark or GX, build wheels, or push resource limits: the
# whole suite runs them (`make test`, CI); `make test-fast` leaves them out for a quick loop.
SLOW_MODULES = {
    "backends/test_spark.py", "benchmarks/test_suite.py", "export/test_gx_differential.py",
    "report/test_report_browser.py", "sources/test_warehouse.py", "test_concurrency.py", "test_packaging.py",
    "hostile/test_resources.py", "hostile/test_signals.py", "hostile/test_outputs.py",
    "hostile/test_warehouse_where.py", "hostile/test_secrets.py", "hostile/test_yaml_bombs.py",
}


def pytest_collection_modifyitems(config, items):
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        if Path(item.fspath).resolve().relative_to(tests_dir).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
