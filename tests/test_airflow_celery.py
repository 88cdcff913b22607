"""Airflow as docker-compose.yml runs it: a month's department files go through the chain on Celery.

Real processes from the virtual environment's `airflow` (api-server, scheduler, dag-processor,
triggerer, celery worker), metadata and Celery results in a fresh PostgreSQL database, Redis as the
broker, the repository's dags/ folder, and a second fresh database as the shared warehouse the marts
are published to. The scheduler, not `airflow dags test`, runs the month: the ingest DAG's mapped
tasks on the worker, the transform and quality DAGs that its Assets start, then the month's briefing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.errors
import pytest

from planwatch.publish import current_snapshot
from planwatch.publish.layout import DUCKDB_FILE

from .airflow_support import BIN, PROJECT_ROOT
from .celery_support import (
    CeleryAirflow,
    Deployment,
    celery_airflow,
    postgres_connection,
    postgres_reachable,
    redis_reachable,
    temporary_database,
)
from .conftest import PLANS_DIR, require_service

pytestmark = [pytest.mark.slow, pytest.mark.services]

MONTH = "2025-03"
# the month of three of the launch plans (all running in MONTH, one with counties): every step the five
# plans' month takes, with fewer files to map and briefings to render (the five plans' month cost 4 minutes)
PLANS = ("hulin_agri_processing_2023", "pingliang_key_counties_2023", "zhongwei_green_food_2021")
# the DAGs of a month's data, in the order they run; planwatch_templates (the 1st of the month) stays paused
CHAIN = ("planwatch_ingest", "planwatch_transform", "planwatch_quality", "planwatch_briefing")
RUN_TIMEOUT = 1800


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry with PLANS alone."""
    plans = tmp_path_factory.mktemp("registry") / "plans"
    shutil.copytree(PLANS_DIR, plans)
    for other in plans.glob("*.yml"):
        if other.stem not in PLANS:
            other.unlink()
    return plans


@pytest.fixture(scope="module")
def sample_month(tmp_path_factory: pytest.TempPathFactory, registry: Path) -> Path:
    """The department files of MONTH, as `planwatch sample` writes them."""
    out = tmp_path_factory.mktemp("sample")
    _planwatch(["sample", "--until", MONTH, "--out", str(out)], {**os.environ, "PLANWATCH_PLANS_DIR": str(registry)})
    return out / MONTH


@pytest.fixture
def cluster(tmp_path: Path, registry: Path) -> Iterator[CeleryAirflow]:
    require_service(postgres_reachable(), "PostgreSQL on 127.0.0.1:5432")
    require_service(redis_reachable(), "Redis on 127.0.0.1:6379")
    bi_role = f"planwatch_bi_{uuid.uuid4().hex[:12]}"  # roles are cluster-wide: this run's own
    try:
        with (
            temporary_database("planwatch_airflow") as metadata_db,
            temporary_database("planwatch_marts") as marts_db,
            celery_airflow(
                Deployment(metadata_db, tmp_path, marts_db=marts_db, bi_role=bi_role, plans_dir=registry)
            ) as running,
        ):
            yield running
    finally:
        _drop_role(bi_role)  # after its marts database is gone: nothing holds it then


def _drop_role(role: str) -> None:
    """This run's reader role, granted only in its own marts database (dropped by then: nothing holds it)."""
    connection = postgres_connection()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'drop role if exists "{role}"')
    connection.close()


def _planwatch(args: list[str], environment: dict[str, str] | None = None) -> None:
    completed = subprocess.run(
        [str(BIN / "planwatch"), *args],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, (
        f"planwatch {' '.join(args)}:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
    )


def _marts_query(cluster: CeleryAirflow, sql: str, role: str | None = None) -> list[tuple]:
    """A query on the shared PostgreSQL warehouse, as `role` when given (SET ROLE: its privileges only)."""
    connection = postgres_connection(cluster.deployment.marts_db)
    try:
        with connection.cursor() as cursor:
            if role:
                cursor.execute(f'set role "{role}"')
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.rollback()
        connection.close()


def test_the_scheduler_runs_a_month_from_landing_to_briefing_on_celery_workers(
    cluster: CeleryAirflow, sample_month: Path
) -> None:
    settings = cluster.environment
    landing, archive = Path(settings["PLANWATCH_LANDING_DIR"]), Path(settings["PLANWATCH_ARCHIVE_DIR"])
    warehouse = Path(settings["PLANWATCH_WAREHOUSE"])

    cluster.wait_for("the dag-processor has parsed the DAGs", lambda: set(CHAIN) <= cluster.parsed_dags(), 300)
    # the registry in the warehouse's raw tables, as compose's airflow-init puts it there
    _planwatch(["plans", "load"], cluster.environment)
    cluster.airflow("dags", "unpause", "--treat-dag-id-as-regex", "--yes", f"^({'|'.join(CHAIN)})$")
    # Unpausing lets the scheduler create the runs it finds due (catchup is off: the latest interval of
    # each schedule). They are not the month's run: the ingest finds an empty landing, and the briefing
    # of last month stops at the gate, as it must for a month without data.
    cluster.wait_for("the scheduler's own first runs are done", cluster.settled, 900, interval=3)
    runs_before = {run.run_id for run in cluster.dag_runs()}

    landing.mkdir(parents=True, exist_ok=True)
    files = sorted(path.name for path in sample_month.iterdir())
    for name in files:
        shutil.copy2(sample_month / name, landing / name)
    started = time.perf_counter()
    cluster.airflow("dags", "trigger", "planwatch_ingest")
    cluster.wait_for("ingest, transform and quality are done", cluster.settled, RUN_TIMEOUT, interval=3)
    to_gate = time.perf_counter() - started
    cluster.airflow("dags", "trigger", "planwatch_briefing", "--conf", f'{{"period": "{MONTH}"}}')
    cluster.wait_for("the briefing is done", cluster.settled, RUN_TIMEOUT, interval=3)
    wall = time.perf_counter() - started

    # the month's runs: the ones this test triggered and the Asset runs they set off; a scheduled run
    # (the briefing's cron, or the ingest's every 30 minutes) can be created around the settle check
    runs = [run for run in cluster.dag_runs() if run.run_id not in runs_before and run.run_type != "scheduled"]
    failed = [run for run in runs if run.state != "success"]
    assert not failed, f"runs that did not succeed: {failed}\n{cluster.diagnostics()}"
    assert {run.dag_id for run in runs} == set(CHAIN), cluster.diagnostics()
    # the ingest run announces its files once: one rebuild of the marts and one quality run, not one per file
    assert sorted(run.dag_id for run in runs) == sorted(CHAIN), cluster.diagnostics()
    span = max(run.end_date for run in runs) - min(run.queued_at or run.start_date for run in runs)
    durations = ", ".join(
        f"{run.dag_id} {(run.end_date - run.start_date).total_seconds():.0f}s"
        for run in sorted(runs, key=lambda run: run.start_date)
    )
    print(
        f"\nmonthly run on Celery ({len(files)} files of {MONTH}): {wall:.0f}s from `dags trigger planwatch_ingest` "
        f"to the briefing's end ({to_gate:.0f}s to the quality gate); {span.total_seconds():.0f}s from the "
        f"first run queued to the last run's end; runs: {durations}"
    )

    # every file had its own mapped task; every task ran on this deployment's Celery worker
    instances = cluster.task_instances()
    # (a scheduled run that finds the landing empty maps ingest_file over nothing: one skipped, unmapped instance)
    ingests = [
        ti
        for ti in instances
        if ti["task_id"] == "ingest_file" and ti["map_index"] >= 0 and ti["run_id"] not in runs_before
    ]
    assert sorted(ti["state"] for ti in ingests) == ["success"] * len(files), cluster.diagnostics()
    # (an EmptyOperator never reaches an executor: the scheduler marks it done itself)
    ran = [
        ti
        for ti in instances
        if ti["run_id"] not in runs_before and ti["state"] == "success" and ti["operator"] != "EmptyOperator"
    ]
    assert {ti["queue"] for ti in ran} == {cluster.deployment.queue}
    assert all(ti["external_executor_id"] for ti in ran), "every task instance has its Celery task id"
    # the transform ran dbt through cosmos (one task per model: the watcher of fct_target_progress among
    # them) and published the marts
    month_instances = [ti for ti in instances if ti["run_id"] not in runs_before]
    transformed = {ti["task_id"] for ti in ran if ti["dag_id"] == "planwatch_transform"}
    assert {"dbt.fct_target_progress.run", "publish_marts"} <= transformed, cluster.diagnostics()
    assert sorted(path.name for path in archive.iterdir()) == files
    assert list(landing.iterdir()) == []

    # the warehouse holds the month's files and the marts built from them
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loads = connection.execute("select status, count(*) from raw.file_loads group by all").fetchall()
        month_rows = connection.execute(
            "select count(*) from marts.fct_target_progress where strftime(period, '%Y-%m') = ?", [MONTH]
        ).fetchone()[0]
    assert loads == [("loaded", len(files))]
    assert month_rows > 0

    # the gate passed for the month, and its briefings were rendered in every format
    gates = cluster.xcom("planwatch_quality", "check_and_gate", runs_before)
    assert {(gate["period"], gate["publishable"]) for gate in gates} == {(MONTH, True)}
    folder = Path(settings["PLANWATCH_OUTPUT_DIR"]) / "briefings"
    # what a reader sees (each briefing's hidden .rendered.json records its inputs' fingerprint)
    briefings = sorted(path for path in (folder / MONTH).iterdir() if not path.name.startswith("."))
    assert {path.suffix for path in briefings} == {".html", ".pdf", ".docx"}
    assert any("leadership_summary" in path.name for path in briefings)
    assert all(path.stat().st_size > 1000 for path in briefings)
    # one mapped task per briefing, each writing the three formats; the run's frozen copy is removed
    renders = [ti for ti in month_instances if ti["task_id"] == "render_briefing" and ti["map_index"] >= 0]
    assert len(renders) * 3 == len(briefings) and len(renders) > 5, cluster.diagnostics()
    assert not list(folder.glob(".reading-*"))

    # the readers' snapshot was switched to the new marts
    snapshot = current_snapshot(Path(settings["PLANWATCH_PUBLISHED_DIR"])) / DUCKDB_FILE
    with duckdb.connect(str(snapshot), read_only=True) as connection:
        snapshot_rows = connection.execute(
            "select count(*) from marts.fct_target_progress where strftime(period, '%Y-%m') = ?", [MONTH]
        ).fetchone()[0]
    assert snapshot_rows == month_rows

    # the marts were published to the shared PostgreSQL warehouse: the BI role reads them, writes nothing
    published = _marts_query(
        cluster, f"select count(*) from marts.fct_target_progress where to_char(period, 'YYYY-MM') = '{MONTH}'"
    )
    assert published == [(month_rows,)]
    assert _marts_query(cluster, "select count(*) from marts.dim_plan", role=cluster.deployment.bi_role)[0][0] > 0
    for write in (
        "delete from marts.dim_plan",
        "update marts.fct_target_progress set status = 'on_track'",
        "create table marts.bi_scratch (x int)",
        "create table public.bi_scratch (x int)",
        "drop table marts.dim_plan",
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _marts_query(cluster, write, role=cluster.deployment.bi_role)
