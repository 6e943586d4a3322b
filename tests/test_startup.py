"""What a run loads: validating a submission to a JSON report imports no pandas (DuckDB imports it
whenever it is handed an Arrow table, a third of a second of every run's start)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


def test_a_validation_imports_no_pandas(tmp_path):
    code = ("import sys\nfrom engine.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, "validate", str(EXAMPLE), "--report-dir", str(tmp_path / "r"),
                          "--format", "json", "--quiet", "--no-progress"], cwd=ROOT, capture_output=True, text=True)
    assert (tmp_path / "r" / "report.json").exists(), out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
