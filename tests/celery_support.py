"""Airflow as docker-compose.yml runs it, on this machine's PostgreSQL and Redis.

One definition of the deployment's Airflow and planwatch settings serves two tests: the integration
test (tests/test_airflow_celery.py) starts real Airflow processes with them, and the static test
(tests/test_compose_static.py) checks that docker-compose.yml sets the same keys to the same kind of
value. What differs between the two is only what must differ: host names, passwords and secrets
(compose reads them from .env; the test generates them) and the ports, queue and folders that keep
parallel test runs apart (`isolation_settings`, which compose does not need).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from .airflow_support import BIN, PROJECT_ROOT

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = ("127.0.0.1", 6379)
DAGS_FOLDER = PROJECT_ROOT / "dags"
POOLS_FILE = PROJECT_ROOT / "docker" / "airflow" / "pools.json"
BI_ROLE = "planwatch_bi"  # compose's read-only role, which the transform DAG's publish_marts grants the marts to

# Settings with one right value, the same in docker-compose.yml and in the integration test.
FIXED_SETTINGS = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
    "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "300",  # DAG files change with a deployment only
    "GX_ANALYTICS_ENABLED": "False",
}
# Settings whose value names a service of the deployment: compose and the test point them at different
# hosts, but the scheme (which database, which broker) must agree.
SERVICE_URL_SCHEMES = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://",
    "AIRFLOW__CELERY__BROKER_URL": "redis://",
    "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql://",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://",
    # the shared PostgreSQL warehouse the marts are published to (the Connection `planwatch_postgres`)
    "AIRFLOW_CONN_PLANWATCH_POSTGRES": "postgresql://",
}
MARTS_CONNECTION = "AIRFLOW_CONN_PLANWATCH_POSTGRES"
# Secrets every component must share (tokens the scheduler signs, the api-server checks; connections
# encrypted by one, read by another): generated per test run, read from .env by compose.
SHARED_SECRETS = ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY")
# The Airflow processes of a deployment, by the command each runs (compose has one service for each),
# in the order the integration test starts them.
COMPONENTS = {
    "api-server": ("api-server",),
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "triggerer": ("triggerer",),
    "celery-worker": ("celery", "worker"),
}
# Folders: the DAGs and everything the pipeline reads and writes.
FOLDER_SETTINGS = (
    "AIRFLOW__CORE__DAGS_FOLDER",
    "PLANWATCH_WAREHOUSE",
    "PLANWATCH_LANDING_DIR",
    "PLANWATCH_ARCHIVE_DIR",
    "PLANWATCH_OUTPUT_DIR",
    "PLANWATCH_OUTBOX_DIR",
    "PLANWATCH_PUBLISHED_DIR",
)


def postgres_uri(dbname: str, scheme: str = "postgresql") -> str:
    return f"{scheme}://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{dbname}"


def postgres_connection(dbname: str = "postgres"):
    import psycopg2

    return psycopg2.connect(dbname=dbname, connect_timeout=3, **POSTGRES)


def postgres_reachable() -> bool:
    try:
        postgres_connection().close()
    except Exception:
        return False
    return True


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _administer(statement: str) -> None:
    connection = postgres_connection()
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def temporary_database(prefix: str) -> Iterator[str]:
    """A freshly created PostgreSQL database with a unique name, dropped (connections and all) on exit."""
    dbname = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _administer(f"create database {dbname}")
    try:
        yield dbname
    finally:
        _administer(f"drop database if exists {dbname} with (force)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


@dataclass
class Deployment:
    """Where one Celery deployment's parts are: metadata DB, broker, api-server, folders, secrets."""

    metadata_db: str
    root: Path
    api_port: int = field(default_factory=free_port)
    worker_log_port: int = field(default_factory=free_port)
    trigger_log_port: int = field(default_factory=free_port)
    scheduler_health_port: int = field(default_factory=free_port)
    queue: str = field(default_factory=lambda: f"planwatch_test_{uuid.uuid4().hex[:12]}")
    fernet_key: str = field(default_factory=_fernet_key)
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    api_secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    marts_db: str | None = None
    bi_role: str = field(default_factory=lambda: f"planwatch_bi_{uuid.uuid4().hex[:12]}")  # roles are cluster-wide
    plans_dir: Path | None = None  # a registry of the test's own (compose's image has plans/ built in)

    @property
    def home(self) -> Path:
        return self.root / "airflow"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def airflow_settings(self) -> dict[str, str]:
        """The Airflow configuration every component of the deployment runs with (compose has each key)."""
        return {
            **FIXED_SETTINGS,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres_uri(self.metadata_db, "postgresql+psycopg2"),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": postgres_uri(self.metadata_db, "db+postgresql"),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__API__SECRET_KEY": self.api_secret_key,
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            **({MARTS_CONNECTION: postgres_uri(self.marts_db)} if self.marts_db else {}),
        }

    def planwatch_settings(self) -> dict[str, str]:
        """Where the pipeline reads and writes: everything under this deployment's root."""
        data = self.root / "data"
        return {
            "PLANWATCH_WAREHOUSE": str(data / "warehouse" / "planwatch.duckdb"),
            "PLANWATCH_LANDING_DIR": str(data / "landing"),
            "PLANWATCH_ARCHIVE_DIR": str(data / "archive"),
            "PLANWATCH_OUTPUT_DIR": str(data / "output"),
            "PLANWATCH_OUTBOX_DIR": str(data / "outbox"),
            "PLANWATCH_PUBLISHED_DIR": str(data / "published"),
        }

    def isolation_settings(self) -> dict[str, str]:
        """What keeps this run apart from other runs on the same machine (compose's containers need none).

        Tasks go to a queue of this run's own, so a worker of a parallel run on the same Redis never
        takes them; every listening port is a free one.
        """
        return {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "PLANWATCH_BI_ROLE": self.bi_role,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.trigger_log_port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self.scheduler_health_port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        }

    def environment(self) -> dict[str, str]:
        inherited = {
            key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "PLANWATCH_", "_AIRFLOW"))
        }
        return {
            **inherited,
            "PATH": f"{BIN}{os.pathsep}{inherited.get('PATH', '')}",
            **self.airflow_settings(),
            **self.planwatch_settings(),
            **self.isolation_settings(),
            **({"PLANWATCH_PLANS_DIR": str(self.plans_dir)} if self.plans_dir else {}),
        }


def compose_settings(deployment: Deployment) -> set[str]:
    """The keys docker-compose.yml must set for its Airflow services: all but the test's isolation."""
    return set(deployment.airflow_settings()) | set(deployment.planwatch_settings())


@dataclass
class Component:
    """One long-running Airflow process, in its own process group, its output in a file."""

    name: str
    process: subprocess.Popen
    output: Path

    def tail(self, characters: int = 4000) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        return text[-characters:]

    def stop(self, grace: float = 30) -> None:
        """SIGTERM to the whole group (Celery's pool, the api-server's workers), SIGKILL after `grace`."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        with suppress(ProcessLookupError):  # children a finished leader left behind
            os.killpg(self.process.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def start_component(name: str, args: list[str], environment: dict[str, str], logs: Path) -> Component:
    logs.mkdir(parents=True, exist_ok=True)
    output = logs / f"{name}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "airflow"), *args],
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Component(name, process, output)


def run_airflow(environment: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(BIN / "airflow"), *args],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"airflow {' '.join(args)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed


def wait_for(what: str, condition: Callable[[], object], timeout: float, interval: float = 2) -> object:
    """Poll `condition` until it returns something truthy; raise naming `what` after `timeout` seconds.

    An exception from `condition` counts as "not yet" (a server still starting refuses connections);
    the last one is named if time runs out.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = condition()
            if result:
                return result
        except (OSError, ConnectionError) as error:
            last_error = error
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f}s" + (f" (last: {last_error})" if last_error else ""))
        time.sleep(interval)


def http_ok(url: str) -> bool:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status == 200


@dataclass(frozen=True)
class DagRun:
    dag_id: str
    run_id: str
    run_type: str
    state: str
    queued_at: dt.datetime | None
    start_date: dt.datetime | None
    end_date: dt.datetime | None


class CeleryAirflow:
    """The running deployment: its processes, its metadata database, and what went wrong when it did."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.environment = deployment.environment()
        self.components: list[Component] = []
        self.worker_name = f"{deployment.queue}@{socket.gethostname()}"

    # -- lifecycle ------------------------------------------------------------------------------

    def initialise(self) -> None:
        """What compose's airflow-init does: migrate the metadata database, create the pools."""
        run_airflow(self.environment, "db", "migrate")
        run_airflow(self.environment, "pools", "import", str(POOLS_FILE))

    def start(self, timeout: float = 240) -> None:
        """Start every component and wait until each passes the health check compose gives it."""
        isolation = {
            "api-server": ["--port", str(self.deployment.api_port)],
            "celery-worker": ["--celery-hostname", self.worker_name],
        }
        logs = self.deployment.root / "processes"
        for name, command in COMPONENTS.items():
            args = [*command, *isolation.get(name, [])]
            self.components.append(start_component(name, args, self.environment, logs))
        health = f"http://127.0.0.1:{self.deployment.scheduler_health_port}/health"
        self.wait_for("the api-server answers /api/v2/version", lambda: http_ok(self.api("/api/v2/version")), timeout)
        self.wait_for("the scheduler's health check passes", lambda: http_ok(health), timeout)
        self.wait_for("the celery worker answers a ping", self.worker_answers, timeout, interval=5)

    def stop(self) -> None:
        for component in reversed(self.components):
            component.stop()

    def api(self, path: str) -> str:
        return f"{self.deployment.api_url}{path}"

    def worker_answers(self) -> bool:
        completed = subprocess.run(
            [
                str(BIN / "celery"),
                "--app",
                "airflow.providers.celery.executors.celery_executor.app",
                "inspect",
                "ping",
                "--destination",
                self.worker_name,
            ],
            env=self.environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        return completed.returncode == 0 and "pong" in completed.stdout

    def wait_for(self, what: str, condition: Callable[[], object], timeout: float, interval: float = 2) -> object:
        """`wait_for`, but stop at once when a component died, and say what every component printed."""

        def alive_and(condition: Callable[[], object]) -> object:
            dead = [component.name for component in self.components if component.process.poll() is not None]
            if dead:
                raise AssertionError(f"{', '.join(dead)} exited while waiting until {what}\n{self.diagnostics()}")
            return condition()

        try:
            return wait_for(what, lambda: alive_and(condition), timeout, interval)
        except TimeoutError as timeout_error:
            raise AssertionError(f"{timeout_error}\n{self.diagnostics()}") from None

    # -- the metadata database --------------------------------------------------------------------

    def query(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        with postgres_connection(self.deployment.metadata_db) as connection, connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
        connection.close()
        return rows

    def dag_runs(self) -> list[DagRun]:
        return [
            DagRun(*row)
            for row in self.query(
                "select dag_id, run_id, run_type, state, queued_at, start_date, end_date from dag_run order by id"
            )
        ]

    def task_instances(self, dag_id: str | None = None) -> list[dict]:
        columns = ("dag_id", "run_id", "task_id", "map_index", "try_number", "state", "operator", "queue", "hostname")
        rows = self.query(
            f"select {', '.join(columns)}, external_executor_id from task_instance "
            "where %s is null or dag_id = %s order by start_date nulls last, task_id, map_index",
            (dag_id, dag_id),
        )
        return [dict(zip((*columns, "external_executor_id"), row, strict=True)) for row in rows]

    def xcom(self, dag_id: str, task_id: str, except_runs: set[str] = frozenset()) -> list:
        """What the task returned in each of its runs (but `except_runs`), oldest first."""
        rows = self.query(
            "select run_id, value from xcom where dag_id = %s and task_id = %s and key = 'return_value' "
            "order by timestamp",
            (dag_id, task_id),
        )
        values = [value for run_id, value in rows if run_id not in except_runs]
        return [json.loads(value) if isinstance(value, str) else value for value in values]

    def parsed_dags(self) -> set[str]:
        return {dag_id for (dag_id,) in self.query("select dag_id from dag where not is_stale")}

    def settled(self) -> bool:
        """No DAG run queued or running, no asset event waiting to trigger one, no run due to be created."""
        busy = self.query("select count(*) from dag_run where state in ('queued', 'running')")[0][0]
        waiting_events = self.query("select count(*) from asset_dag_run_queue")[0][0]
        due = self.query(
            "select count(*) from dag where not is_paused and not is_stale and next_dagrun_create_after <= now()"
        )[0][0]
        return busy == 0 and waiting_events == 0 and due == 0

    # -- the command line, as an operator would use it ------------------------------------------

    def airflow(self, *args: str) -> subprocess.CompletedProcess:
        return run_airflow(self.environment, *args)

    # -- when something went wrong ----------------------------------------------------------------

    def diagnostics(self) -> str:
        """DAG runs, task instances, the logs of every task that did not succeed, every process's output."""
        parts = []
        with suppress(Exception):
            parts.append("DAG runs:\n" + "\n".join(f"  {run}" for run in self.dag_runs()))
            instances = self.task_instances()
            parts.append("task instances:\n" + "\n".join(f"  {ti}" for ti in instances))
            for ti in instances:
                if ti["state"] not in ("success", "skipped"):
                    parts.append(self.task_log(ti))
        for component in self.components:
            parts.append(f"--- {component.name} (exit {component.process.poll()}) ---\n{component.tail()}")
        return "\n\n".join(parts)

    def task_log(self, ti: dict, characters: int = 6000) -> str:
        folder = (
            self.deployment.home
            / "logs"
            / f"dag_id={ti['dag_id']}"
            / f"run_id={ti['run_id']}"
            / f"task_id={ti['task_id']}"
        )
        if ti["map_index"] >= 0:
            folder = folder / f"map_index={ti['map_index']}"
        logs = sorted(folder.glob("attempt=*.log"))
        text = "\n".join(f"[{path.name}]\n" + readable_task_log(path) for path in logs) or "(no log file)"
        name = f"{ti['dag_id']}.{ti['task_id']}[{ti['map_index']}]"
        return f"--- task log {name} ({ti['state']}) ---\n{text[-characters:]}"


def readable_task_log(path: Path) -> str:
    """Airflow 3 writes task logs as JSON lines: one line each, with the exception when there is one."""
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            lines.append(line)
            continue
        lines.append(f"{record.get('timestamp', '')} {record.get('level', '')} {record.get('event', '')}")
        for error in record.get("error_detail") or []:
            frames = error.get("frames") or []
            where = f" at {frames[-1].get('filename')}:{frames[-1].get('lineno')}" if frames else ""
            lines.append(f"    {error.get('exc_type')}: {error.get('exc_value')}{where}")
    return "\n".join(lines)


@contextmanager
def celery_airflow(deployment: Deployment) -> Iterator[CeleryAirflow]:
    """An initialised and started deployment; every process group is ended on exit, whatever happened."""
    cluster = CeleryAirflow(deployment)
    try:
        cluster.initialise()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        _forget_queue(deployment.queue)


def _forget_queue(queue: str) -> None:
    """Delete the run's Celery queue from Redis (left over only if tasks were still queued at the end)."""
    with suppress(OSError), socket.create_connection(REDIS, timeout=3) as connection:
        connection.sendall(f"*2\r\n$3\r\nDEL\r\n${len(queue)}\r\n{queue}\r\n".encode())
        connection.recv(64)
