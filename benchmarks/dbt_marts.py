"""dbt on a sample ten times the default size, as a ratio to fct_target_progress computed by hand.

The sample is the ingest benchmark's (ten seeds of the default sample, each later seed a revision of
the same figures, so raw.observations holds ten loads of every key), ingested into a fresh warehouse.
The floor is `benchmarks/dbt_floor.sql`: the main mart's core result (per target and month the actual,
its month, completion, time progress, gap and status) in one DuckDB statement straight from the raw
tables. It is checked against the mart row for row, so it does the same work and no less. dbt is timed
twice, `dbt run` (the models) and `dbt build` (models, unit tests and data tests), each on its own
copy of the warehouse after a `dbt parse` that is not timed (as `planwatch transform` runs with the
partial parse of its previous run). Each side runs in its own process, so peak memory (max RSS) is its
own. No goal: on data this size the ratio measures dbt's cost per node more than the SQL's.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ingest_throughput import SAMPLE_COPIES, SAMPLE_UNTIL, write_sample

FLOOR_SQL = Path(__file__).with_name("dbt_floor.sql")
FLOOR_TABLE = "floor_target_progress"
# the floor must agree with the mart on these, floats to 1e-9 relative
COMPARED = ("status", "actual_as_of", "actual_value", "completion_rate", "time_progress", "gap_pp")


def _floor(warehouse: Path) -> dict:
    import duckdb

    sql = FLOOR_SQL.read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse)) as connection:
        started = time.perf_counter()
        connection.execute(sql)
        seconds = time.perf_counter() - started
        (rows,) = connection.execute(f"select count(*) from {FLOOR_TABLE}").fetchone()
    return {"seconds": seconds, "rows": rows}


def _dbt(command: str, warehouse: Path, scratch: Path) -> dict:
    from planwatch.transform import run_dbt

    environment = {"DBT_TARGET_PATH": str(scratch / f"target_{command}"), "DBT_LOG_PATH": str(scratch / "logs")}
    parse = run_dbt(["parse"], warehouse=warehouse, environment=environment)
    # "production": `dbt build` as `planwatch transform` runs it, without the unit tests (they run in CI)
    args = ["build", "--exclude-resource-type", "unit_test"] if command == "production" else [command]
    result = run_dbt(args, warehouse=warehouse, environment=environment)
    if not result.success:
        raise SystemExit(f"dbt {command} failed: {result.failures or result.error}")
    kinds = [node.split(".", 1)[0] for node in result.statuses]
    return {
        "seconds": result.seconds,
        "parse_seconds": parse.seconds,
        "models": kinds.count("model"),
        "unit_tests": kinds.count("unit_test"),
        "data_tests": kinds.count("test"),
    }


def _child(kind: str, warehouse: str, scratch: str) -> None:
    figures = _floor(Path(warehouse)) if kind == "floor" else _dbt(kind, Path(warehouse), Path(scratch))
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _run_child(kind: str, warehouse: Path, scratch: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.dbt_marts", kind, str(warehouse), str(scratch)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _load(sample: Path, warehouse: Path) -> None:
    from planwatch.config import settings
    from planwatch.ingest.run import collect_files, ingest_files
    from planwatch.registry.load import load_registry

    subprocess.run(
        [sys.executable, "-m", "planwatch", "plans", "load", "--warehouse", str(warehouse)],
        check=True,
        capture_output=True,
    )
    registry = load_registry(settings().plans_path)
    ingest_files(collect_files([sample]), warehouse, registry, receipts_dir=None)


def _differences(floor: Path, mart: Path) -> tuple[int, int, int]:
    """Rows of the floor, rows of the mart, and (target, month) rows where they differ on COMPARED."""
    import duckdb

    def differs(column: str) -> str:
        if column in ("status", "actual_as_of"):
            return f"f.{column} is distinct from m.{column}"
        return (
            f"not (f.{column} is not distinct from m.{column} "
            f"or abs(f.{column} - m.{column}) <= 1e-9 * greatest(1, abs(m.{column})))"
        )

    with duckdb.connect() as connection:
        connection.execute(f"attach '{floor}' as floor (read_only)")
        connection.execute(f"attach '{mart}' as mart (read_only)")
        (floor_rows,) = connection.execute(f"select count(*) from floor.{FLOOR_TABLE}").fetchone()
        (mart_rows,) = connection.execute("select count(*) from mart.marts.fct_target_progress").fetchone()
        (different,) = connection.execute(
            f"""
            select count(*)
            from floor.{FLOOR_TABLE} as f
            full join mart.marts.fct_target_progress as m using (target_id, period)
            where f.target_id is null or m.target_id is null or {" or ".join(differs(c) for c in COMPARED)}
            """
        ).fetchone()
    return floor_rows, mart_rows, different


def _raw_counts(warehouse: Path) -> tuple[int, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (loads,) = connection.execute("select count(*) from raw.observations").fetchone()
        (keys,) = connection.execute(
            "select count(*) from (select distinct indicator_code, region_code, period, measure from raw.observations)"
        ).fetchone()
    return loads, keys


def main(sample: Path | None = None) -> None:
    """Time the marts on the ten-seed sample (written here unless `sample` is a folder already holding it)."""
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        warehouse = scratch / "ingested.duckdb"
        if sample is None:
            sample = scratch / "sample"
            write_sample(sample)
        _load(sample, warehouse)
        loads, keys = _raw_counts(warehouse)
        print(
            f"warehouse: {loads} observations loaded ({keys} distinct figures, each revised by the later seeds) "
            f"from {SAMPLE_COPIES} seeds × planwatch sample --until {SAMPLE_UNTIL} --mess 0.1"
        )
        compare_with_floor(warehouse, scratch)


def compare_with_floor(warehouse: Path, scratch: Path) -> dict:
    """Time the floor, `dbt run` and `dbt build` on copies of an ingested `warehouse`; print and return them."""
    copies = {}
    for kind in ("floor", "run", "build", "production"):
        copies[kind] = scratch / f"{kind}.duckdb"
        shutil.copyfile(warehouse, copies[kind])
    floor = _run_child("floor", copies["floor"], scratch)
    run = _run_child("run", copies["run"], scratch)
    build = _run_child("build", copies["build"], scratch)
    production = _run_child("production", copies["production"], scratch)
    floor_rows, mart_rows, different = _differences(copies["floor"], copies["build"])
    print(
        f"hand-written floor (benchmarks/dbt_floor.sql): {floor['seconds']:.2f}s for {floor['rows']} target-months, "
        f"peak {floor['max_rss_mb']:.0f} MB"
    )
    print(
        f"dbt run:   {run['seconds']:.1f}s for {run['models']} models (parse {run['parse_seconds']:.1f}s before, "
        f"not counted), peak {run['max_rss_mb']:.0f} MB — {run['seconds'] / floor['seconds']:.0f}× the floor"
    )
    print(
        f"dbt build: {build['seconds']:.1f}s for {build['models']} models, {build['unit_tests']} unit tests, "
        f"{build['data_tests']} data tests, peak {build['max_rss_mb']:.0f} MB — "
        f"{build['seconds'] / floor['seconds']:.0f}× the floor"
    )
    print(
        f"dbt build as planwatch transform runs it (no unit tests): {production['seconds']:.1f}s for "
        f"{production['models']} models, {production['data_tests']} data tests, peak {production['max_rss_mb']:.0f} MB "
        f"— {production['seconds'] / floor['seconds']:.0f}× the floor"
    )
    verdict = "equal" if floor_rows == mart_rows and different == 0 else "NOT equal"
    print(
        f"floor vs marts.fct_target_progress: {floor_rows} and {mart_rows} rows, {different} differing on "
        f"{', '.join(COMPARED)} — {verdict}"
    )
    if verdict != "equal":
        raise SystemExit("the floor does not compute what the mart does: its time is no floor")
    return {"floor": floor, "run": run, "build": build, "production": production}


if __name__ == "__main__":
    if len(sys.argv) == 4:
        _child(sys.argv[1], sys.argv[2], sys.argv[3])
    else:
        main()
