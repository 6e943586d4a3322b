import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

# Modules that start servers, browsers, Spark or GX, build wheels, push resource limits, run whole
# packs or many engine subprocesses: the whole suite runs them (`make test`, CI); `make test-fast`
# leaves them out for a quick loop. A folder ending in "/" marks every module below it. Single tests
# of other modules that take over a second (measured with --durations) carry @pytest.mark.slow.
SLOW_MODULES = {
    "backends/test_spark.py", "backends/test_records.py", "benchmarks/", "export/test_gx_differential.py",
    "report/test_report_browser.py", "report/test_report_html_records.py", "sources/test_warehouse.py",
    "test_concurrency.py", "test_packaging.py", "test_example.py", "test_lint.py", "test_reproducible.py",
    "test_scaffold.py", "test_ci_snippets.py", "hostile/", "survey/", "history/", "rulesets/",
    "reconcile/test_reconcile_classes.py", "reconcile/test_reconcile_replies.py",
    "reconcile/test_reconcile_register.py", "reconcile/test_reconcile_thresholds.py",
    "reconcile/test_reconcile_province.py", "reconcile/test_reconcile_second_match.py",
    "reconcile/test_reconcile_unit_factor.py", "reconcile/test_reconcile_cli.py",
    "reconcile/test_reconcile_recipients.py", "reconcile/test_reconcile_example.py",
    "reconcile/test_reconcile_monthly.py", "reconcile/test_reconcile_workbook_pool.py", "test_startup.py",
}


def _slow(relative: str) -> bool:
    return relative in SLOW_MODULES or any(relative.startswith(m) for m in SLOW_MODULES if m.endswith("/"))


def pytest_collection_modifyitems(config, items):
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        if _slow(Path(item.fspath).resolve().relative_to(tests_dir).as_posix()):
            item.add_marker(pytest.mark.slow)
