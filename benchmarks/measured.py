"""A `planwatch` command run in its own process, timed, with its peak memory (the largest process's max RSS)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# runs a command as its only child and reports the max RSS (KiB) of the largest process it waited for
_MEASURED = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


@dataclass
class Measured:
    stdout: str
    seconds: float
    peak_mb: float


def measure(args: list[str], env: dict[str, str], allowed_exit_codes: tuple[int, ...] | None = None) -> Measured:
    """Run `planwatch <args>` with `env` over the environment; raise with its output when it fails.

    Exit 0 only, but for ingest 2 too (it rejected a file: the sample's mess, which is its job). A range of
    months (`check`/`brief --period A..B`) passes (0, 1): it exits 1 when some month was blocked or had
    nothing to brief, and its caller checks what it says it did (a crash says nothing)."""
    allowed = allowed_exit_codes or ((0, 2) if args[0] == "ingest" else (0,))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, "-m", "planwatch", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in allowed:
        raise RuntimeError(f"planwatch {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    peak = re.search(r"MAXRSS (\d+)", done.stderr)
    return Measured(done.stdout, seconds, int(peak.group(1)) / 1024 if peak else float("nan"))
