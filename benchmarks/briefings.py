"""Rendering one month's briefings (every plan, every county, the leadership summary) in each format.

The warehouse is `make demo`'s: the default sample (seed 42, 10 % mess) up to last month, ingested,
built, checked, issued. The timed part is `planwatch brief` for the month before (checked, not issued:
every briefing is rendered) in its own process, by one process and by two (`--jobs`), which prints the
seconds each format took (summed over the processes); peak memory is the largest process's max RSS.
The goal (issue 12) is to stay within 1.5× of the times measured before the briefings gained dates,
comparisons, outlooks and the new charts: html 2.8 s, pdf 38 s, docx 11 s for 66 files; and (issue 17)
two processes faster than one.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from benchmarks.measured import measure
from planwatch.periods import Granularity, Period
from planwatch.pipeline import previous_month

BEFORE_SECONDS = {"html": 2.8, "pdf": 38.0, "docx": 11.0}
ALLOWED_RATIO = 1.5


def _brief(month: str, jobs: int, out: Path, env: dict[str, str]) -> dict:
    """`planwatch brief` for `month` by `jobs` processes: wall time, peak memory, files, seconds per format."""
    measured = measure(["brief", "--period", month, "--jobs", str(jobs), "--out", str(out)], env)
    stdout, peak_mb, wall = measured.stdout, measured.peak_mb, measured.seconds
    summary = re.search(
        r"(\d+) files in .*: (\d+) briefings? rendered in [\d.]+ s \((.*?)\)", stdout.strip().splitlines()[-1]
    )
    if summary is None:
        raise RuntimeError(f"unexpected output of planwatch brief:\n{stdout}")
    seconds = {fmt: float(value) for fmt, value in re.findall(r"(\w+) ([\d.]+) s", summary.group(3))}
    return {"files": int(summary.group(1)), "briefings": int(summary.group(2)), "wall": wall, "peak_mb": peak_mb} | {
        "seconds": seconds
    }


def main() -> float:
    """Print the figures; return the PDF seconds per file by one process (the province bench compares)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        env = {
            "PLANWATCH_WAREHOUSE": str(root / "w.duckdb"),
            "PLANWATCH_OUTPUT_DIR": str(root / "output"),
            "PLANWATCH_LANDING_DIR": str(root / "landing"),
        }
        print("briefings: building the demo warehouse (not timed) …", flush=True)
        demo_month = previous_month()  # the month `make demo` renders, and issues
        measure(["demo", "--period", demo_month], env)
        # the month before it: checked, not issued, so every briefing is rendered (an issued one is reproduced)
        month = str(Period.parse(demo_month, Granularity.month).shifted(-1))
        measure(["check", "--period", month], env)
        runs = {jobs: _brief(month, jobs, root / f"timed-{jobs}", env) for jobs in (1, 2)}
        one, two = runs[1], runs[2]
        print(
            f"briefings for {month}: {one['briefings']} briefings, {one['files']} files; "
            f"1 process {one['wall']:.1f} s wall (peak {one['peak_mb']:.0f} MB), "
            f"2 processes {two['wall']:.1f} s wall (peak {two['peak_mb']:.0f} MB): "
            f"{one['wall'] / two['wall']:.2f}× faster"
        )
        seconds = dict(one["seconds"])
        print(f"  gathering the marts and drawing the charts: {seconds.pop('gather', float('nan')):.1f} s")
        for fmt, spent in seconds.items():
            goal = BEFORE_SECONDS[fmt] * ALLOWED_RATIO
            verdict = "met" if spent <= goal else "NOT met"
            per_file = spent / one["briefings"]
            print(
                f"  {fmt:<4} {spent:6.1f} s  ({per_file:.2f} s per file; before {BEFORE_SECONDS[fmt]:.1f} s for "
                f"66 files, goal ≤ {goal:.1f} s: {verdict})"
            )
    return one["seconds"].get("pdf", float("nan")) / one["briefings"]


if __name__ == "__main__":
    main()
