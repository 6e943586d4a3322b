"""Time `jianhe survey` on 12 institutions' batches against running `jianhe validate` on them one after another.

    python benchmarks/regulator.py                         # 12 × 200,000 loans (each with contract and ledger)
    python benchmarks/regulator.py --loans 20000 --out benchmarks/results/regulator_12x20k.json

The batches are the regulator example's (examples/regulator/generate.py, period 20240630, each
institution's planted profile) under benchmarks/data/ (not committed). Three ways to check them,
each a child process under `/usr/bin/time -v` (wall time, and the peak RSS of its largest single
process), with the summed RSS of its whole process tree sampled from /proc every 0.2 s (parallel
workers add up): the batches one after another with `jianhe validate` (one command each, as a
supervisor does today), `jianhe survey --jobs 1` (one after another in one command), and
`jianhe survey --jobs J --memory-limit M`. Every way writes JSON and HTML reports per batch; the
script asserts that all three count the planted findings of every batch.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from examples.regulator.generate import PROFILES, generate  # noqa: E402

JIANHE = Path(sys.executable).parent / "jianhe"
PERIOD = "20240630"
PAGE = os.sysconf("SC_PAGE_SIZE")
RUNS = {"validate", "survey1", "surveyN"}


class TreeRss:
    """Samples the summed RSS of a process and all its descendants (from /proc) until stopped."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def _sample(self) -> int:
        parent: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                rss[int(entry.name)] = int(Path(entry.path, "statm").read_text().split()[1]) * PAGE
            except (OSError, ValueError, IndexError):
                continue
        tree, changed = {self.pid}, True
        while changed:
            grown = {p for p, pp in parent.items() if pp in tree} - tree
            tree |= grown
            changed = bool(grown)
        return sum(rss.get(p, 0) for p in tree)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak / 1024 ** 2, 1)


def timed(command: list[str]) -> dict:
    """Run under /usr/bin/time -v: wall, peak RSS of the largest process, peak summed RSS of the tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    sampler = TreeRss(proc.pid)
    _, err = proc.communicate()
    tree = sampler.stop()
    wall = time.perf_counter() - started
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}:\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(int(m.group(1)) / 1024, 1) if m else None,
            "peak_tree_rss_mb": tree, "exit_code": proc.returncode}


def sequential(batches: list[Path], out: Path) -> dict:
    """`jianhe validate` once per batch, one after another: totals and the largest peak."""
    runs = [timed([str(JIANHE), "validate", str(b), "--report-dir", str(out / b.name), "--format", "json,html",
                   "--quiet"]) for b in batches]
    return {"wall_s": round(sum(r["wall_s"] for r in runs), 2),
            "peak_rss_mb": max(r["peak_rss_mb"] or 0 for r in runs),
            "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs),
            "per_batch_wall_s": [r["wall_s"] for r in runs]}


def survey(inbox: Path, out: Path, jobs: int, memory_limit: str | None) -> dict:
    command = [str(JIANHE), "survey", str(inbox), "--report-dir", str(out), "--batch-format", "json,html",
               "--jobs", str(jobs), "--quiet"] + (["--memory-limit", memory_limit] if memory_limit else [])
    return {**timed(command), "jobs": jobs, "memory_limit": memory_limit}


def findings(folder: Path) -> dict[str, int]:
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8"))["summary"]["findings_total"]
            for p in folder.rglob("report.json")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=200_000, help="personal loans per institution")
    parser.add_argument("--institutions", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="4GB", help="for the parallel survey (split across workers)")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "regulator")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--runs", default="validate,survey1,surveyN",
                        help="which ways to run (validate, survey1, surveyN); the others are kept from --out")
    args = parser.parse_args()
    runs = {r.strip() for r in args.runs.split(",") if r.strip()}
    data = args.data / f"{args.institutions}x{args.loans}"
    planted_file = data / "planted.json"
    if not planted_file.exists():
        started = time.perf_counter()
        generate(data, args.loans, (PERIOD,), PROFILES[: args.institutions])
        print(f"generated {data} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    planted = {f"{b['licence']}-{b['date']}": b["findings"]
               for b in json.loads(planted_file.read_text(encoding="utf-8"))["batches"]}
    inbox = data / PERIOD
    batches = sorted(p for p in inbox.iterdir() if p.is_dir())
    reports = args.data / "reports"
    out = args.out or ROOT / "benchmarks" / "results" / f"regulator_{len(batches)}x{args.loans}.json"
    results = json.loads(out.read_text(encoding="utf-8"))["results"] if out.exists() and runs != RUNS else {}
    ways = {"validate": ("sequential_validate", lambda: sequential(batches, reports / "validate")),
            "survey1": ("survey_jobs_1", lambda: survey(inbox, reports / "survey1", 1, None)),
            "surveyN": (f"survey_jobs_{args.jobs}", lambda: survey(inbox, reports / "surveyN", args.jobs,
                                                                    args.memory_limit))}
    for way in sorted(runs, key=list(ways).index):
        name, run = ways[way]
        shutil.rmtree(reports / way, ignore_errors=True)
        results[name] = run()
        print(name, results[name], file=sys.stderr)
    for name in RUNS:
        assert findings(reports / name) == planted, f"{name}: findings differ from the planted ones"
    rows = sum(json.loads(p.read_text(encoding="utf-8"))["summary"]["rows_checked"]
               for p in (reports / "validate").rglob("report.json"))
    base = results["sequential_validate"]["wall_s"]
    load = os.getloadavg()
    doc = {"benchmark": "regulator survey", "institutions": len(batches), "loans_per_institution": args.loans,
           "rows_total": rows, "planted_findings": sum(planted.values()),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                       "load_average_at_end": [round(x, 1) for x in load]},
           "results": results,
           "speedup_vs_sequential_validate": {k: round(base / v["wall_s"], 2) for k, v in results.items()}}
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
