"""Publishing the marts as read-only snapshots: what a snapshot holds, the atomic switch, pruning, and
readers in their own processes that keep reading while the pipeline builds and publishes a new month.

Fast cases run on a small warehouse written here (marts, plus raw and quality tables and a staging
view that must not be published). The acceptance case runs on marts dbt really built from the
sample: a session fixture ingests every month but the last and builds the marts once; the test adds
the last month (ingest + dbt run on the working file) while readers read the published snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from planwatch.publish import current_snapshot, publish_snapshot, read_manifest
from planwatch.publish.layout import list_snapshots, snapshot_time
from planwatch.publish.prune import prune_snapshots
from planwatch.transform import run_dbt

BIN = Path(sys.executable).parent
SPAWN = multiprocessing.get_context("spawn")
pytestmark = pytest.mark.xdist_group("publish_warehouse")

# One read of the marts, across tables: a reader sees a mix if these five values come from two builds.
STATE_SQL = """
    select
        (select max(period) from marts.fct_target_progress),
        (select count(*) from marts.fct_target_progress),
        (select count(*) from marts.fct_observation),
        (select max(period) from marts.mart_region_ranking),
        (select count(*) from marts.mart_region_ranking)
"""
PARQUET_STATE_SQL = """
    select
        (select max(period) from read_parquet('{d}/fct_target_progress.parquet')),
        (select count(*) from read_parquet('{d}/fct_target_progress.parquet')),
        (select count(*) from read_parquet('{d}/fct_observation.parquet')),
        (select max(period) from read_parquet('{d}/mart_region_ranking.parquet')),
        (select count(*) from read_parquet('{d}/mart_region_ranking.parquet'))
"""


# --- a small warehouse written by hand --------------------------------------------------------------


def write_warehouse(path: Path, months: int, observations: int = 1_000) -> Path:
    """Marts for `months` months from January 2025, and private tables that must stay unpublished."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema raw; create schema quality; create schema staging")
        connection.execute(
            f"""
            create table marts.fct_target_progress as
            select last_day(date '2025-01-01' + to_months(m)) as period, 't' || t as target_id,
                   (m * 7 + t) % 120 + 0.25 as completion_rate, t % 3 = 0 as is_final_verdict,
                   case when t % 4 = 0 then '' else '按时序进度推进' end as status
            from range({months}) r(m), range(40) s(t)
            """
        )
        connection.execute(
            f"""
            create table marts.mart_region_ranking as
            select last_day(date '2025-01-01' + to_months(m)) as period, '62' || r as region_code,
                   cast(r + 1 as integer) as rank, cast(null as double) as score
            from range({months}) a(m), range(5) b(r)
            """
        )
        connection.execute(
            f"""
            create table marts.fct_observation as
            select i as observation_id, 'file ' || (i % 97) || '.xlsx' as file_name, i * 1.5 as value,
                   cast(12.30 as decimal(10, 2)) as amount, timestamp '2025-02-01 08:00:00' as loaded_at
            from range({observations * months}) r(i)
            """
        )
        connection.execute(
            "create table marts.dim_plan as select 'p1' as plan_id, '平凉市重点县规划' as plan_title, "
            "date '2023-01-01' as period_start"
        )
        connection.execute("comment on table marts.dim_plan is '一条记录一个规划 One row per plan.'")
        connection.execute("comment on column marts.dim_plan.plan_title is '规划名称 — plan''s title'")
        connection.execute("create table raw.observations as select 'C:/科室/报表.xlsx' as file_path, 1 as value")
        connection.execute("create table quality.runs as select 1 as run_id")
        connection.execute("create view staging.stg_observations as select * from raw.observations")
    return path


def marts_state(database: Path) -> tuple:
    with duckdb.connect(str(database), read_only=True) as connection:
        return tuple(connection.execute(STATE_SQL).fetchall()[0])


# --- readers in their own processes -------------------------------------------------------------------


def holding_reader(database: str, channel) -> None:
    """A BI reader in its own process: opens the file once, runs each SQL it is sent, until 'stop'."""
    connection = duckdb.connect(database, read_only=True)
    while (command := channel.recv()) != "stop":
        try:
            channel.send(("ok", connection.execute(command).fetchall()))
        except Exception as error:
            channel.send(("error", repr(error)))
    connection.close()


class HoldingReader:
    """The test's handle on a holding reader process."""

    def __init__(self, database: Path) -> None:
        self._channel, child = SPAWN.Pipe()
        self._process = SPAWN.Process(target=holding_reader, args=(str(database), child), daemon=True)
        self._process.start()

    def read(self, sql: str) -> list[tuple]:
        self._channel.send(sql)
        status, value = self._channel.recv()
        assert status == "ok", value
        return [tuple(row) for row in value]

    def close(self) -> None:
        self._channel.send("stop")
        self._process.join(timeout=30)


def rotating_duckdb_reader(published: str, results: str, stop, hold_seconds: float) -> None:
    """Opens `current/marts.duckdb` as a BI tool would, reads for a while, closes, opens it again."""
    with open(results, "a", encoding="utf-8") as out:
        while not stop.is_set():
            try:
                connection = duckdb.connect(os.path.join(published, "current", "marts.duckdb"), read_only=True)
            except Exception as error:
                _record(out, error=repr(error))
                continue
            opened = time.monotonic()
            while not stop.is_set() and time.monotonic() - opened < hold_seconds:
                try:
                    _record(out, state=connection.execute(STATE_SQL).fetchall()[0])
                except Exception as error:
                    _record(out, error=repr(error))
                time.sleep(0.02)
            connection.close()


def parquet_reader(published: str, results: str, stop) -> None:
    """Resolves `current` once per read and reads every Parquet table from that one folder."""
    connection = duckdb.connect()
    with open(results, "a", encoding="utf-8") as out:
        while not stop.is_set():
            try:
                folder = current_snapshot(Path(published)) / "parquet"
                _record(out, state=connection.execute(PARQUET_STATE_SQL.format(d=folder)).fetchall()[0])
            except Exception as error:
                _record(out, error=repr(error))
            time.sleep(0.02)


def _record(out, state: tuple | None = None, error: str | None = None) -> None:
    line = {"state": [str(value) for value in state] if state else None, "error": error}
    out.write(json.dumps(line) + "\n")
    out.flush()


def read_results(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("}")]


def as_recorded(state: tuple) -> list[str]:
    return [str(value) for value in state]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds}s for {what}"
        time.sleep(0.1)


# --- what a snapshot holds ------------------------------------------------------------------------------


def test_a_snapshot_holds_the_marts_and_nothing_else_in_duckdb_and_parquet_with_its_manifest(tmp_path: Path):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=3)
    published = tmp_path / "published"

    snapshot = publish_snapshot(warehouse, published)

    current = published / "current"
    assert current.is_symlink() and not os.path.isabs(os.readlink(current))
    assert current_snapshot(published) == snapshot.path
    with (
        duckdb.connect(str(warehouse), read_only=True) as source,
        duckdb.connect(str(current / "marts.duckdb"), read_only=True) as copy,
    ):
        copied = copy.execute("select database_name, schema_name, table_name from duckdb_tables() order by all")
        # The file's database is `marts`, so readers name the tables `marts.<table>`, as on PostgreSQL.
        assert copied.fetchall() == [
            ("marts", "main", "dim_plan"),
            ("marts", "main", "fct_observation"),
            ("marts", "main", "fct_target_progress"),
            ("marts", "main", "mart_region_ranking"),
        ]
        assert copy.execute("select count(*) from duckdb_views() where not internal").fetchall() == [(0,)]
        for table in ["dim_plan", "fct_observation", "fct_target_progress", "mart_region_ranking"]:
            describe = f"select column_name, data_type from duckdb_columns() where table_name = '{table}' order by all"
            assert copy.execute(describe).fetchall() == source.execute(describe).fetchall(), table
            ordered = f"select * from marts.{table} order by all"
            assert copy.execute(ordered).fetchall() == source.execute(ordered).fetchall(), table
            parquet = f"select * from read_parquet('{snapshot.parquet_path(table)}') order by all"
            assert copy.execute(parquet).fetchall() == source.execute(ordered).fetchall(), table
        assert copy.execute("select comment from duckdb_tables() where table_name = 'dim_plan'").fetchall() == [
            ("一条记录一个规划 One row per plan.",)
        ]
        assert copy.execute(
            "select comment from duckdb_columns() where table_name = 'dim_plan' and column_name = 'plan_title'"
        ).fetchall() == [("规划名称 — plan's title",)]
        # a Parquet reader finds the same descriptions in the file's key-value metadata
        metadata = dict(
            copy.execute(
                f"select decode(key), decode(value) from parquet_kv_metadata('{snapshot.parquet_path('dim_plan')}')"
            ).fetchall()
        )
        assert metadata["planwatch.table"] == "一条记录一个规划 One row per plan."
        assert json.loads(metadata["planwatch.columns"])["plan_title"] == "规划名称 — plan's title"

    manifest = read_manifest(current)
    assert manifest["snapshot_id"] == snapshot.snapshot_id == snapshot.path.name
    # no quality check ever ran on this warehouse: a BI reader is told its latest month was not vouched for
    assert manifest["quality"] == {
        "period": "2025-03",
        "checked": False,
        "run_id": None,
        "publishable": False,
        "critical_failures": [],
        "overridden": False,
        "data_changed_since_check": False,
    }
    assert manifest["latest_period"] == "2025-03-31" == snapshot.latest_period.isoformat()
    assert {name: entry["rows"] for name, entry in manifest["tables"].items()} == {
        "dim_plan": 1,
        "fct_observation": 3_000,
        "fct_target_progress": 120,
        "mart_region_ranking": 15,
    }
    assert manifest["tables"]["fct_target_progress"]["columns"]["period"] == "DATE"
    built_at = dt.datetime.fromisoformat(manifest["built_at"])
    assert abs(built_at - snapshot_time(snapshot.snapshot_id)) < dt.timedelta(seconds=1)
    files = [path for path in snapshot.path.rglob("*") if path.is_file()]
    assert len(files) == 6 and all(stat.S_IMODE(path.stat().st_mode) == 0o444 for path in files)
    assert not list(snapshot.path.glob("*.wal"))


def test_snapshot_ids_sort_in_publishing_order_and_the_same_marts_hash_the_same(tmp_path: Path):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    ids = [publish_snapshot(warehouse, tmp_path / "published").snapshot_id for _ in range(3)]
    assert ids == sorted(ids) == list_snapshots(tmp_path / "published")
    assert len({snapshot_id.split("-")[1] for snapshot_id in ids}) == 1


def test_status_says_when_the_published_snapshot_is_behind_the_warehouse(tmp_path: Path):
    """BI readers read the snapshot: `planwatch status` says when the marts moved on since it was published."""
    from planwatch.cli.status import status_lines
    from planwatch.config import settings
    from planwatch.status import warehouse_status

    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    with duckdb.connect(str(warehouse)) as connection:  # this stand-in's quality.runs is not the real table
        connection.execute("drop table quality.runs")
    config = settings().model_copy(update={"published_dir": tmp_path / "published", "warehouse": warehouse})
    publish_snapshot(warehouse, config.published_path)

    def said() -> list[str]:
        lines = status_lines(warehouse_status(config))
        at = next(index for index, line in enumerate(lines) if line.startswith("published: snapshot"))
        return lines[at : at + 2]

    current = "  as the warehouse's marts (months and row counts), nothing loaded or decided since"
    assert said()[1] == current
    with duckdb.connect(str(warehouse)) as connection:  # a third month built, not yet published
        connection.execute(
            "insert into marts.fct_target_progress select date '2025-03-31', 't' || t, 50.0, false, '' "
            "from range(40) s(t)"
        )
        connection.execute("delete from marts.mart_region_ranking where region_code = '620'")
    published, behind = said()
    assert "latest period 2025-02-28" in published
    assert behind.startswith("  BEHIND the warehouse") and "planwatch publish" in behind
    assert "the marts reach 2025-03, the snapshot 2025-02" in behind
    assert "fct_target_progress (80 → 120 rows)" in behind and "mart_region_ranking (10 → 8 rows)" in behind
    assert "fct_observation" not in behind and "since it was published" not in behind
    publish_snapshot(warehouse, config.published_path)
    assert said()[1] == current
    # a correction recorded after it (a load, as the office's 更正登记 is): the marts show it once rebuilt
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table raw.file_loads as select 'loaded' as status, 'correction' as layout, "
            "'2025-02' as periods, cast(now() at time zone 'UTC' as timestamp) as loaded_at"
        )
    behind = said()[1]
    assert "files or corrections loaded since it was published (planwatch transform, then planwatch publish)" in behind
    assert "rows" not in behind  # the marts themselves are as published


def test_current_always_resolves_to_a_whole_snapshot_while_publishes_switch_it(tmp_path: Path):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    published = tmp_path / "published"
    publish_snapshot(warehouse, published)
    seen: list[str] = []
    errors: list[str] = []
    done = threading.Event()

    def resolve_current() -> None:
        while True:
            finished = done.is_set()  # one more read after the last publish: it must show the newest
            try:
                manifest = json.loads((published / "current" / "manifest.json").read_text(encoding="utf-8"))
                seen.append(manifest["snapshot_id"])
            except Exception as error:
                errors.append(repr(error))
            if finished:
                return

    watcher = threading.Thread(target=resolve_current)
    watcher.start()
    published_ids = [publish_snapshot(warehouse, published, keep=10).snapshot_id for _ in range(5)]
    done.set()
    watcher.join()

    assert errors == []
    assert set(seen) <= set(list_snapshots(published)) and published_ids[-1] in seen
    assert seen == sorted(seen)  # never back to an older snapshot


# --- pruning --------------------------------------------------------------------------------------------


def test_pruning_keeps_the_newest_the_current_and_any_snapshot_retired_within_the_grace_period(tmp_path: Path):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=1)
    published = tmp_path / "published"
    ids = [publish_snapshot(warehouse, published, keep=2).snapshot_id for _ in range(5)]
    assert list_snapshots(published) == ids  # all retired seconds ago: within the default hour of grace

    # A rollback: an operator points `current` back at the oldest snapshot.
    os.symlink(Path("snapshots") / ids[0], published / "rollback")
    os.replace(published / "rollback", published / "current")
    # ids[2] was retired when ids[3] was published, 90 minutes before "now": past the grace period.
    now = snapshot_time(ids[3]) + dt.timedelta(minutes=90)
    pruned = prune_snapshots(published, keep=2, grace=dt.timedelta(hours=1), now=now)

    assert pruned == [ids[1], ids[2]]
    assert list_snapshots(published) == [ids[0], ids[3], ids[4]]
    assert read_manifest(current_snapshot(published))["snapshot_id"] == ids[0]


def test_a_failed_publish_leaves_current_as_it_was_and_no_partial_folder(tmp_path: Path):
    published = tmp_path / "published"
    good = publish_snapshot(write_warehouse(tmp_path / "w.duckdb", months=2), published)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()

    with pytest.raises(LookupError, match="no tables in schema 'marts'"):
        publish_snapshot(empty, published)
    with pytest.raises(FileNotFoundError, match="no warehouse"):
        publish_snapshot(tmp_path / "missing.duckdb", published)

    assert current_snapshot(published) == good.path
    assert sorted(path.name for path in (published / "snapshots").iterdir()) == [good.snapshot_id]


def test_a_publish_waits_for_the_pipeline_to_release_the_warehouse(tmp_path: Path):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(3)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "locked"
    started = time.monotonic()
    snapshot = publish_snapshot(warehouse, tmp_path / "published")
    assert writer.wait(timeout=30) == 0
    assert time.monotonic() - started > 1.0 and snapshot.tables["fct_target_progress"] == 80


def test_a_reader_keeps_reading_its_snapshot_after_pruning_deletes_it(tmp_path: Path):
    """Linux keeps an unlinked file's data while a descriptor is open; DuckDB reads it unharmed."""
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2, observations=150_000)
    published = tmp_path / "published"
    first = publish_snapshot(warehouse, published)
    reader = HoldingReader(published / "current" / "marts.duckdb")
    try:
        # Touch no data yet, so what follows must come from the file after it is gone.
        assert reader.read("select count(*) from marts.dim_plan") == [(1,)]
        for _ in range(2):
            publish_snapshot(warehouse, published, keep=1, grace=dt.timedelta(0))
        assert not first.path.exists()

        aggregate = "select count(*), sum(value), max(file_name), sum(amount) from marts.fct_observation"
        assert reader.read(aggregate) == marts_rows(warehouse, aggregate)
        assert reader.read(STATE_SQL) == [marts_state(warehouse)]
    finally:
        reader.close()


def marts_rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return [tuple(row) for row in connection.execute(sql).fetchall()]


# --- the acceptance case, on marts dbt built from the sample -----------------------------------------------

SAMPLE_UNTIL = "2024-03"


@dataclass
class MonthlyWarehouses:
    """A warehouse with marts built on every sample month but the last, and the last month's files."""

    before: Path
    new_month: Path
    receipts: Path
    dbt_environment: dict[str, str]

    def add_new_month(self, warehouse: Path) -> None:
        """What the pipeline does each month: ingest the month's files, then rebuild the marts."""
        planwatch("ingest", str(self.new_month), "--warehouse", str(warehouse), "--receipts", str(self.receipts))
        result = run_dbt(["run"], warehouse=warehouse, environment=self.dbt_environment)
        assert result.success, result.failures or result.error


def planwatch(*args: str) -> str:
    completed = subprocess.run([str(BIN / "planwatch"), *args], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, (
        f"planwatch {' '.join(args)}:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
    )
    return completed.stdout + completed.stderr


@pytest.fixture(scope="session")
def monthly_warehouses(tmp_path_factory: pytest.TempPathFactory) -> MonthlyWarehouses:
    root = tmp_path_factory.mktemp("publish_months")
    warehouse, sample = root / "before.duckdb", root / "sample"
    planwatch("plans", "load", "--warehouse", str(warehouse))
    planwatch("sample", "--until", SAMPLE_UNTIL, "--out", str(sample), "--seed", "11", "--mess", "0.1")
    new_month = root / "new_month"
    new_month.mkdir()
    shutil.move(str(sample / SAMPLE_UNTIL), new_month)
    months = sorted(str(path) for path in sample.iterdir() if path.is_dir())
    planwatch("ingest", *months, "--warehouse", str(warehouse), "--receipts", str(root / "receipts"))
    dbt_environment = {"DBT_TARGET_PATH": str(root / "dbt_target"), "DBT_LOG_PATH": str(root / "dbt_logs")}
    result = run_dbt(["run"], warehouse=warehouse, environment=dbt_environment)
    assert result.success, result.failures or result.error
    return MonthlyWarehouses(
        before=warehouse, new_month=new_month, receipts=root / "receipts", dbt_environment=dbt_environment
    )


@pytest.mark.slow
def test_a_reader_holding_the_published_marts_sees_the_old_month_then_the_new_never_an_error_or_a_mix(
    monthly_warehouses: MonthlyWarehouses, tmp_path: Path
):
    work, published = tmp_path / "w.duckdb", tmp_path / "published"
    shutil.copy(monthly_warehouses.before, work)
    old_state = marts_state(work)
    publish_snapshot(work, published)

    holder = HoldingReader(published / "current" / "marts.duckdb")
    stop = SPAWN.Event()
    duckdb_results, parquet_results = tmp_path / "duckdb_reader.jsonl", tmp_path / "parquet_reader.jsonl"
    readers = [
        SPAWN.Process(target=rotating_duckdb_reader, args=(str(published), str(duckdb_results), stop, 0.5)),
        SPAWN.Process(target=parquet_reader, args=(str(published), str(parquet_results), stop)),
    ]
    try:
        assert holder.read(STATE_SQL) == [old_state]
        for reader in readers:
            reader.start()
        wait_for(lambda: read_results(duckdb_results) and read_results(parquet_results), 60, "the readers to read")

        # The pipeline writes the working warehouse while the readers read the published snapshot.
        monthly_warehouses.add_new_month(work)
        new_state = marts_state(work)
        assert new_state[0] > old_state[0] and new_state[1] > old_state[1]
        snapshot = publish_snapshot(work, published)
        assert snapshot.latest_period == new_state[0]

        def both_see_the_new_month() -> bool:
            return all(
                any(line["state"] == as_recorded(new_state) for line in read_results(path))
                for path in (duckdb_results, parquet_results)
            )

        wait_for(both_see_the_new_month, 60, "the readers to see the new month")
        time.sleep(0.5)
        assert holder.read(STATE_SQL) == [old_state]  # opened before the switch: the old month, whole
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
        holder.close()

    for path in (duckdb_results, parquet_results):
        lines = read_results(path)
        assert [line["error"] for line in lines if line["error"]] == [], path.name
        states = [line["state"] for line in lines]
        assert set(map(tuple, states)) == {tuple(as_recorded(old_state)), tuple(as_recorded(new_state))}, path.name
        first_new = states.index(as_recorded(new_state))
        assert all(state == as_recorded(new_state) for state in states[first_new:]), f"{path.name}: back to old"
        print(f"{path.name}: {len(states)} reads, {first_new} of the old month, then the new")
    assert marts_state(published / "current" / "marts.duckdb") == new_state


@pytest.mark.slow
def test_planwatch_publish_writes_a_snapshot_readers_can_open(monthly_warehouses: MonthlyWarehouses, tmp_path: Path):
    published = tmp_path / "published"
    output = planwatch(
        "publish", "--to", "snapshot", "--warehouse", str(monthly_warehouses.before), "--published-dir", str(published)
    )
    manifest = read_manifest(current_snapshot(published))
    assert f"snapshot {manifest['snapshot_id']}: 14 tables" in output  # every mart, the two of supervision too
    assert manifest["latest_period"] == marts_state(monthly_warehouses.before)[0].isoformat()
    assert marts_state(published / "current" / "marts.duckdb") == marts_state(monthly_warehouses.before)
    # every mart's declared key (its dbt contract) is declared in the snapshot too: BI tools read the grain
    with duckdb.connect(str(published / "current" / "marts.duckdb"), read_only=True) as snapshot:
        keys = dict(
            snapshot.execute(
                "select table_name, constraint_column_names from duckdb_constraints() "
                "where constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
    assert keys["fct_target_progress"] == ["target_id", "period"] and len(keys) >= 13
