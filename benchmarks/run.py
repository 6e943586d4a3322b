"""The benchmark suite: jianhe against the DuckDB floor, hand-written DuckDB, Soda v4 and GX.

    python -m benchmarks.run --rows 10000000            # make bench ROWS=10000000
    python -m benchmarks.run --rows 1000000 --skip gx,soda --reps 3
    python -m benchmarks.run --rows 100000000 --only jianhe --out benchmarks/results/bench_100m.json

Generates (once, deterministically, with DuckDB SQL; benchmarks/gen.py) the EAST 个人信贷业务借据表
of N rows and its 个人基础信息表 in the real EAST text format and as Parquet under benchmarks/data/,
then runs every approach on the same data and the same 30 rules (benchmarks/pack, translated by
benchmarks/rules.py), each in its own process under ``/usr/bin/time -v`` so that its peak RSS is
its own. jianhe runs in full — every count and every failing row exported to Parquet
(``--failures``) — on the text files and on the Parquet files. Every approach's 30 counts are
checked against jianhe's. Prints wall time, rows/s, peak RSS and the ratios to jianhe, and writes
the JSON under benchmarks/results/. ``--batch-loans N`` adds a whole EAST batch (examples/east5
generate.py: N loans with their contracts and ledgers, institutions, customers) validated with
the full east5 pack, reported per table.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .gen import LOANS, customers_for, generate, label
from .rules import PACK, load_rules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
RSS_LIMITS_MB = ((10_000_000, 1024), (100_000_000, 1536))  # peak RSS allowed up to so many rows


def rss_limit(rows: int) -> int:
    return next((limit for upto, limit in RSS_LIMITS_MB if rows <= upto), RSS_LIMITS_MB[-1][1])


@dataclass
class Approach:
    name: str
    input: str  # text | parquet | batch
    command: list[str]
    needs: str | None = None  # module that must be importable
    note: str = ""


@dataclass
class Outcome:
    name: str
    input: str
    wall_s: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    work_s: list[float] = field(default_factory=list)
    counts: dict | None = None
    extra: dict = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> dict:
        out = {"name": self.name, "input": self.input}
        if self.error:
            return {**out, "error": self.error}
        out.update(wall_s=round(statistics.median(self.wall_s), 2), peak_rss_mb=round(max(self.peak_rss_mb)),
                   work_s=round(statistics.median(self.work_s), 2) if self.work_s else None,
                   runs_wall_s=[round(w, 2) for w in self.wall_s])
        return out


# ---------------------------------------------------------------- machine

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    mem = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(int(mem.group(1)) / 1024 ** 2, 1) if mem else None,
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "jianhe": _version("jianhe"), "soda_core": _version("soda-core"),
            "great_expectations": _version("great-expectations"), "pandas": _version("pandas")}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(dist: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------- running one approach

def measured(command: list[str], cwd: Path = ROOT) -> tuple[float, float, str, str, int]:
    """(wall s, peak RSS MB, stdout, stderr, return code) of one process."""
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    wrapped = ["/usr/bin/time", "-v", *command] if timer else [sys.executable, "-c", _RSS_WRAPPER, *command]
    start = time.perf_counter()
    proc = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, env={**os.environ, "CI": "true"})
    wall = time.perf_counter() - start
    if timer:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        peak = int(m.group(1)) / 1024 if m else float("nan")
    else:
        m = re.search(r"PEAK_RSS_KB (\d+)", proc.stderr)
        peak = int(m.group(1)) / 1024 if m else float("nan")
    return wall, peak, proc.stdout, proc.stderr, proc.returncode


# without /usr/bin/time: a wrapper whose only child is the approach, so RUSAGE_CHILDREN is its peak
_RSS_WRAPPER = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
                "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(rc)")


def result_line(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(lines[-1][len("RESULT "):]) if lines else {}


def jianhe_result(report_dir: Path, failures: Path) -> dict:
    """Counts of the 30 rules from jianhe's JSON report, its timings, and the exported failures."""
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    wanted = {r.id for r in load_rules()}
    counts = {r["id"]: r["failed"] + r.get("excused", 0) + r.get("waived", 0)
              for r in report["rules"] if r["table"] == LOANS and r["id"] in wanted}
    exported = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{failures}')").fetchone()[0]
    timings = manifest.get("timings", {})
    return {"counts": counts, "work_s": timings.get("total_s"), "timings": timings, "failures_exported": exported,
            "failures_total": sum(r["failed"] + r.get("excused", 0) + r.get("waived", 0) for r in report["rules"])}


def run_once(a: Approach, out: Outcome, rep: int, scratch: Path) -> None:
    """One run of an approach in its own process, added to ``out`` (or its error)."""
    if out.error:
        return
    work = scratch / f"{a.name}-{rep}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = [part.replace("{work}", str(work)) for part in a.command]
    wall, peak, stdout, stderr, rc = measured(command)
    if a.name.startswith("jianhe"):
        if rc not in (0, 1):
            out.error = f"exit {rc}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"
            return
        res = jianhe_result(work / "report", work / "failures.parquet")
    else:
        res = result_line(stdout)
        if rc != 0 or not res:
            out.error = f"exit {rc}: " + (stderr.strip().splitlines()[-1] if stderr.strip() else "no result")
            return
    out.wall_s.append(wall)
    out.peak_rss_mb.append(peak)
    if res.get("work_s") is not None:
        out.work_s.append(res["work_s"])
    out.counts = res.get("counts")
    out.extra = {k: v for k, v in res.items() if k not in ("counts", "work_s")}
    shutil.rmtree(work, ignore_errors=True)


def run_all(chosen: list[Approach], reps: int, gx_reps: int, scratch: Path) -> list[Outcome]:
    """Every approach once per round, round after round, so that a change in the machine's load
    falls on all of them alike; GX (minutes and gigabytes per run) runs in the first ``gx_reps`` rounds."""
    outcomes = {a.name: Outcome(a.name, a.input) for a in chosen}
    for rep in range(reps):
        for a in chosen:
            if a.name == "gx_pandas" and rep >= gx_reps:
                continue
            print(f"run {rep + 1}/{reps}: {a.name} on {a.input} …", flush=True)
            run_once(a, outcomes[a.name], rep, scratch)
    return list(outcomes.values())


# ---------------------------------------------------------------- the approaches

def approaches(data: Path, python: str, jianhe: list[str]) -> list[Approach]:
    def jianhe_cmd(folder: Path) -> list[str]:
        return [*jianhe, "validate", str(folder), "--pack", str(PACK), "--failures", "{work}/failures.parquet",
                "--report-dir", "{work}/report", "--format", "json", "--quiet", "--no-progress"]

    def module(name: str, *args: str) -> list[str]:
        return [python, "-m", f"benchmarks.approaches.{name}", str(data), *args]

    return [
        Approach("duckdb_bytes", "text", module("duckdb_bytes", "--format", "text"),
                 note="the true floor: every line of both tables read once as one value"),
        Approach("duckdb_floor", "text", module("duckdb_floor", "--format", "text"),
                 note="read_csv of both tables split into fields, every column touched"),
        Approach("jianhe", "text", jianhe_cmd(data / "text"), note="30 rules, counts + every failing row (--failures)"),
        Approach("duckdb_fused", "text", module("duckdb_fused", "--format", "text"),
                 note="hand-written: 1 aggregate + GROUP BY + anti-join, counts only"),
        Approach("duckdb_bytes_parquet", "parquet", module("duckdb_bytes", "--format", "parquet"),
                 note="the true floor: the columns the rules name and every text column (control characters)"),
        Approach("duckdb_floor_parquet", "parquet", module("duckdb_floor", "--format", "parquet"),
                 note="every column of both tables"),
        Approach("jianhe_parquet", "parquet", jianhe_cmd(data / "parquet")),
        Approach("duckdb_fused_parquet", "parquet", module("duckdb_fused", "--format", "parquet")),
        Approach("soda", "text", module("soda", "--format", "text"), needs="soda_core",
                 note="Soda Core v4 contract on a DuckDB file of views over the EAST text files"),
        Approach("soda_parquet", "parquet", module("soda", "--format", "parquet"), needs="soda_core",
                 note="Soda Core v4 contract on a DuckDB file of views over the Parquet files"),
        Approach("gx_pandas", "parquet", module("gx_pandas"), needs="great_expectations",
                 note="GX 1.x on a pandas DataFrame of the rules' columns"),
    ]


def counts_check(outcomes: list[Outcome]) -> tuple[bool, list[str]]:
    """Every approach's 30 counts against jianhe's; Soda's duplicates against rows − distinct."""
    ref = next((o for o in outcomes if o.name == "jianhe" and o.counts), None)
    if ref is None:
        return False, ["jianhe did not run"]
    fused = next((o for o in outcomes if o.name.startswith("duckdb_fused") and o.counts), None)
    excess = (fused.extra.get("unique_excess") or {}) if fused else {}
    problems = []
    for o in outcomes:
        if o.counts is None or o.name == "jianhe" or o.name.startswith(FLOORS):
            continue
        for rule_id, expected in ref.counts.items():
            got = o.counts.get(rule_id)
            if o.name.startswith("soda") and rule_id in excess:
                expected = excess[rule_id]  # Soda: duplicate rows beyond the first of each key
            if got != expected:
                problems.append(f"{o.name} {rule_id}: {got} vs {expected}")
    return not problems and len(ref.counts) == len(load_rules()), problems


# ---------------------------------------------------------------- the multi-table batch

def run_batch(loans: int, python: str, jianhe: list[str], scratch: Path, reps: int) -> dict:
    """A whole EAST batch (examples/east5/generate.py --loans N), the full east5 pack, per-table rows/s;
    its floor reads every line of every file once."""
    folder = ROOT / "benchmarks" / "data" / f"batch_{label(loans)}"
    marker = folder / f".complete-{loans}"
    if not marker.exists():
        start = time.perf_counter()
        subprocess.run([python, str(ROOT / "examples" / "east5" / "generate.py"), "--loans", str(loans), "--out",
                        str(folder)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        marker.touch()
        print(f"generated the batch of {loans:,} loans in {time.perf_counter() - start:.0f}s → {folder}")
    floor = Approach("duckdb_floor", "batch", [python, "-m", "benchmarks.approaches.batch_floor", str(folder)])
    full = Approach("jianhe", "batch", [*jianhe, "validate", str(folder), "--pack", "east5", "--failures", "{work}/failures.parquet",
                                        "--report-dir", "{work}/report", "--format", "json", "--quiet", "--no-progress"])
    results = {}
    for a in (floor, full):
        o = Outcome(a.name, a.input)
        for rep in range(reps):
            work = scratch / f"batch-{a.name}-{rep}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            wall, peak, stdout, stderr, rc = measured([p.replace("{work}", str(work)) for p in a.command])
            if (a.name == "jianhe" and rc not in (0, 1)) or (a.name != "jianhe" and rc != 0):
                o.error = f"exit {rc}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"
                break
            o.wall_s.append(wall)
            o.peak_rss_mb.append(peak)
            if a.name == "jianhe":
                manifest = json.loads((work / "report" / "manifest.json").read_text(encoding="utf-8"))
                report = json.loads((work / "report" / "report.json").read_text(encoding="utf-8"))
                o.extra = {"timings": manifest["timings"], "rules": len(report["rules"]),
                           "rows": sum(t["rows_read"] for t in report["tables"]), "verdict": report.get("verdict")}
            else:
                o.extra = result_line(stdout)
            shutil.rmtree(work, ignore_errors=True)
        results[a.name] = o
    j, f = results["jianhe"], results["duckdb_floor"]
    out = {"loans": loans, "folder": str(folder.relative_to(ROOT)), "pack": "east5",
           "approaches": [o.summary() for o in (f, j)]}
    if not j.error:
        timings = j.extra["timings"]
        out.update(rows=j.extra["rows"], rules=j.extra["rules"], verdict=j.extra["verdict"],
                   rows_per_s=int(j.extra["rows"] / statistics.median(j.wall_s)),
                   tables={code: {k.split(".", 1)[1]: v for k, v in timings.items() if k.startswith(code + ".")}
                           for code in sorted({k.split(".", 1)[0] for k in timings if "." in k})})
        if not f.error:
            out["ratio_to_floor"] = round(statistics.median(j.wall_s) / statistics.median(f.wall_s), 2)
    return out


# ---------------------------------------------------------------- report

def table(rows: int, outcomes: list[Outcome], agree: dict[str, bool]) -> str:
    ref = next((o for o in outcomes if o.name == "jianhe" and not o.error), None)
    head = f"{'approach':<22} {'input':<8} {'wall s':>8} {'rows/s':>12} {'peak RSS MB':>12} {'wall ×jianhe':>13} " \
           f"{'RSS ×jianhe':>12}  counts"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        if o.error:
            lines.append(f"{o.name:<22} {o.input:<8} {'failed: ' + o.error}")
            continue
        wall, rss = statistics.median(o.wall_s), max(o.peak_rss_mb)
        rw = f"{wall / statistics.median(ref.wall_s):.2f}" if ref else "-"
        rr = f"{rss / max(ref.peak_rss_mb):.2f}" if ref else "-"
        ok = "-" if o.name.startswith(FLOORS) else ("agree" if agree.get(o.name) else "DIFFER")
        lines.append(f"{o.name:<22} {o.input:<8} {wall:>8.2f} {rows / wall:>12,.0f} {rss:>12,.0f} {rw:>13} {rr:>12}  {ok}")
    return "\n".join(lines)


FLOORS = ("duckdb_floor", "duckdb_bytes")  # reads, no rule: they have no counts
TARGETS = (  # (jianhe's run, the other approach, key, limit: None for a ratio shown without a target)
    ("jianhe", "duckdb_bytes", "vs_true_floor", 1.5),
    ("jianhe_parquet", "duckdb_bytes_parquet", "parquet_vs_true_floor_parquet", 1.5),
    ("jianhe", "soda", "vs_soda", 1.0),
    ("jianhe_parquet", "soda_parquet", "parquet_vs_soda_parquet", 1.0),
    ("jianhe", "duckdb_floor", "vs_duckdb_floor", None),
    ("jianhe_parquet", "duckdb_floor_parquet", "parquet_vs_duckdb_floor_parquet", None),
    ("jianhe", "gx_pandas", "vs_gx_pandas", None),
    ("jianhe_parquet", "gx_pandas", "parquet_vs_gx_pandas", None),
)
FUSED = {"jianhe": "duckdb_fused", "jianhe_parquet": "duckdb_fused_parquet"}


def targets(outcomes: list[Outcome], rows: int) -> dict:
    """The issue's ratios, met or not; ``duckdb_fused_ratio`` is the same ratio for the hand-written
    query (30 counts, nothing else on the same input): what SQL alone reaches on this machine."""
    by = {o.name: statistics.median(o.wall_s) for o in outcomes if not o.error}
    j = next((o for o in outcomes if o.name == "jianhe" and not o.error), None)
    if not j:
        return {}
    rss = max(o for r in outcomes if r.name.startswith("jianhe") and not r.error for o in r.peak_rss_mb)
    out = {"peak_rss_mb": {"value": round(rss), "limit": rss_limit(rows), "met": rss <= rss_limit(rows)}}
    for mine, other, key, limit in TARGETS:
        if mine in by and other in by:
            ratio = by[mine] / by[other]
            out[key] = {"ratio": round(ratio, 4), "limit": limit, "met": None if limit is None else ratio <= limit}
            if FUSED[mine] in by:
                out[key]["duckdb_fused_ratio"] = round(by[FUSED[mine]] / by[other], 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="loans (1M, 10M, 100M …)")
    parser.add_argument("--reps", type=int, default=1, help="runs per approach; the median wall time is reported")
    parser.add_argument("--gx-reps", type=int, default=1, help="runs of GX at most (each takes minutes at 10M rows)")
    parser.add_argument("--skip", default="", help="comma-separated approaches to leave out (e.g. gx,soda,batch)")
    parser.add_argument("--only", default="", help="comma-separated approaches to run (e.g. jianhe)")
    parser.add_argument("--batch-loans", type=int, default=None,
                        help="loans of the multi-table EAST batch (default rows/10, at most 1M; 0: none)")
    parser.add_argument("--out", type=Path, default=None, help="JSON result (default benchmarks/results/bench_<rows>.json)")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default benchmarks/data/<rows>)")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def wanted(name: str) -> bool:
        """--skip soda leaves out soda and soda_parquet (gx: gx_pandas); --only names exactly."""
        names = {name, {"gx_pandas": "gx"}.get(name, name)}
        skipped = any(n == s or n.startswith(s + "_") for n in names for s in skip)
        return not skipped and (not only or bool(names & only))

    python = sys.executable
    jianhe = [python, "-m", "engine.cli"]
    inputs = {a.input for a in approaches(Path("."), python, jianhe) if wanted(a.name)}
    formats = tuple(f for f in ("text", "parquet") if f in inputs)
    data = generate(args.rows, args.data, formats) if formats else (args.data or ROOT / "benchmarks" / "data" / label(args.rows))
    scratch = Path(tempfile.mkdtemp(prefix="jianhe-bench-"))
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    load_before = load_average()
    chosen = []
    for a in approaches(data, python, jianhe):
        if not wanted(a.name):
            continue
        if a.needs and importlib.util.find_spec(a.needs) is None:
            print(f"skipping {a.name}: {a.needs} is not installed (pip install -e '.[bench]')")
            continue
        chosen.append(a)
    outcomes = run_all(chosen, args.reps, args.gx_reps, scratch)
    ok, problems = counts_check(outcomes)
    agree = {o.name: not any(p.startswith(o.name + " ") for p in problems) for o in outcomes}
    print()
    print(f"{args.rows:,} rows, {len(load_rules())} rules — {machine()['cpu']}, {os.cpu_count()} cores")
    print(table(args.rows, outcomes, agree))
    print("counts: " + ("every approach agrees with jianhe on all 30 rules" if ok else "DIFFER: " + "; ".join(problems[:10])))
    print(targets_table(targets(outcomes, args.rows)))
    result = {"rows": args.rows, "reference_rows": customers_for(args.rows), "rules": len(load_rules()),
              "reps": args.reps, "gx_reps": args.gx_reps, "started_at": started_at, "machine": machine(),
              "load_average": {"before": load_before, "after": load_average()},
              "data": {fmt: sum(p.stat().st_size for p in (data / fmt).glob("*.*")) for fmt in formats},
              "approaches": [o.summary() | ({"rows_per_s": int(args.rows / statistics.median(o.wall_s))} if not o.error else {})
                             for o in outcomes],
              "counts_agree": ok, "count_differences": problems,
              "counts": {o.name: o.counts for o in outcomes if o.counts},
              "jianhe": {o.name: o.extra for o in outcomes if o.name.startswith("jianhe") and not o.error},
              "targets": targets(outcomes, args.rows)}
    for a in result["approaches"]:
        a["note"] = next((x.note for x in approaches(data, python, jianhe) if x.name == a["name"]), "")
    batch_loans = min(args.rows // 10, 1_000_000) if args.batch_loans is None else args.batch_loans
    if batch_loans and wanted("batch"):
        print(f"\nrunning the EAST batch of {batch_loans:,} loans (east5 pack) …", flush=True)
        result["batch"] = run_batch(batch_loans, python, jianhe, scratch, args.reps)
        print(batch_table(result["batch"]))
    shutil.rmtree(scratch, ignore_errors=True)
    out = args.out or RESULTS / f"bench_{label(args.rows)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0 if ok or not any(o.name == "jianhe" for o in outcomes) else 1


def targets_table(found: dict) -> str:
    lines = ["targets:"]
    for key, t in found.items():
        value = t.get("ratio", t.get("value"))
        fused = f"   (hand-written DuckDB: {t['duckdb_fused_ratio']:.3f})" if "duckdb_fused_ratio" in t else ""
        verdict = "" if t["met"] is None else "met" if t["met"] else "NOT MET"
        limit = "" if t["limit"] is None else f"limit {t['limit']:<8.4g}"
        lines.append(f"  {key:<34} {value:>10.3f}  {limit:<14} {verdict}{fused}")
    return "\n".join(lines)


def batch_table(batch: dict) -> str:
    lines = []
    for a in batch["approaches"]:
        lines.append(f"  {a['name']:<14} {a.get('wall_s', '-'):>8} s   peak RSS {a.get('peak_rss_mb', '-')} MB"
                     + (f"   {a['error']}" if "error" in a else ""))
    if "rows" in batch:
        lines.append(f"  {batch['rows']:,} rows, {batch['rules']} rules: {batch['rows_per_s']:,} rows/s overall"
                     + (f", {batch['ratio_to_floor']}× the floor" if "ratio_to_floor" in batch else ""))
        lines.append(f"  {'table':<12} {'rows':>12} {'scan s':>8} {'rules s':>8} {'rows/s':>12}")
        for code, t in batch["tables"].items():
            lines.append(f"  {code:<12} {t.get('rows', 0):>12,} {t.get('scan_s', 0):>8.2f} {t.get('rules_s', 0):>8.2f} "
                         f"{t.get('rows_per_s', 0):>12,}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
