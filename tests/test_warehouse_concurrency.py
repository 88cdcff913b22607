"""Two writers started at once never corrupt the warehouse: the second waits for the first, or fails
with one clear line naming the holder when it waits longer than it may."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from planwatch.warehouse import WarehouseLockedError, connect
from tests.conftest import run_planwatch

HOLD = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_two_ingests_started_at_once_take_turns(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    run_planwatch("sample", "--until", "2021-04", "--out", str(sample), "--seed", "8")
    months = sorted(sample.glob("20*"))
    warehouse = tmp_path / "w.duckdb"
    environment = {**os.environ, "PLANWATCH_WAREHOUSE": str(warehouse)}
    halves = [months[: len(months) // 2], months[len(months) // 2 :]]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "planwatch", "ingest", *map(str, half), "--receipts", str(tmp_path / f"r{index}")],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, half in enumerate(halves)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    files = sum(1 for half in halves for folder in half for _ in folder.iterdir())
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loads = connection.execute("select count(*), count(distinct sha256) from raw.file_loads").fetchone()
        orphans = connection.execute(
            "select count(*) from raw.observations where load_id not in (select load_id from raw.file_loads)"
        ).fetchone()
    assert loads == (files, files) and orphans == (0,)


def test_a_writer_that_waits_too_long_is_told_who_holds_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse), "4"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with (
            pytest.raises(WarehouseLockedError, match=rf"in use by another process .*PID {holder.pid}"),
            connect(warehouse, lock_wait=1.0),
        ):
            pass
        assert 0.9 <= time.monotonic() - started < 10
        done = subprocess.run(
            [sys.executable, "-m", "planwatch", "plans", "load", "--warehouse", str(warehouse)],
            capture_output=True,
            text=True,
            env={**os.environ},
            timeout=300,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
    # the CLI waited for the holder to let go (it sleeps 4 s), then loaded
    assert done.returncode == 0, done.stderr
