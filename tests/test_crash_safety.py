"""Crash safety: each stage killed with -9 midway, then run again, ends where an uninterrupted run ends.

One warehouse runs the month undisturbed (the reference). Another runs the same stages, each killed
with SIGKILL at a point seen from outside (the reading workers started, dbt building, the first
briefing written, a snapshot half copied, the PostgreSQL staging schema filling) and run again. After
each kill: what readers use is whole (the published snapshot `current`, the PostgreSQL `marts`), no
half-written file is visible where a user looks, and after the rerun the raw tables, every mart, the
briefings and the published snapshot equal the reference's. Running the month twice changes nothing
(idempotence): the same marts to the last digit, the same briefing bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from planwatch.atomic_files import write_atomically
from tests.conftest import run_planwatch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash_safety")]

PERIOD = "2021-06"
# columns that say when or in which order something was loaded, not what: they differ between runs
_WHEN = re.compile(r"(^load_id$|_load_id$|_at$|^run_id$|^loaded|^snapshot)")


def _environment(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PLANWATCH_WAREHOUSE": str(root / "w.duckdb"),
        "PLANWATCH_OUTPUT_DIR": str(root / "output"),
        "PLANWATCH_PUBLISHED_DIR": str(root / "published"),
        "PLANWATCH_POSTGRES_URI": "",
        "DBT_TARGET_PATH": str(root / "dbt_target"),  # dbt's artefacts apart from other tests' runs
        "DBT_LOG_PATH": str(root / "dbt_logs"),
    }


def _planwatch(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "planwatch", *args],
        env=_environment(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(root: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", *args], env=_environment(root), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"planwatch {' '.join(args)}: {done.stderr[-3000:]}"


def _kill_when(
    process: subprocess.Popen, seen: Callable[[], bool], what: str, timeout: float = 120, poll: float = 0.01
) -> None:
    deadline = time.monotonic() + timeout
    while not seen():
        assert process.poll() is None, f"finished before {what}: {process.stderr.read() if process.stderr else ''}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(poll)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except FileNotFoundError:
            continue
    return found


def _content(warehouse: Path, schema: str) -> dict[str, str]:
    """A hash per table of `schema`, of every row in order, without the columns that say when."""
    hashes = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()
        for (table,) in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if not _WHEN.search(name)
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            rows = connection.execute(f'select {listed} from {schema}."{table}" order by all').fetchall()
            hashes[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return hashes


def _visible_files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def _hidden_parts(folder: Path) -> list[Path]:
    return [path for path in folder.rglob(".*.part")]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("crash_sample")
    run_planwatch("sample", "--until", PERIOD, "--out", str(folder), "--seed", "13", "--mess", "0.1")
    return sorted(str(month) for month in folder.glob("20*"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, sample: list[str]) -> Path:
    root = tmp_path_factory.mktemp("crash_reference")
    _finish(root, "plans", "load")
    _finish(root, "ingest", *sample, "--receipts", str(root / "receipts"))
    _finish(root, "transform")
    _finish(root, "check", "--period", PERIOD)
    _finish(root, "brief", "--period", PERIOD, "--format", "html,docx", "--out", str(root / "briefings"))
    _finish(root, "publish", "--to", "snapshot")
    return root


def _submissions(sample: list[str]) -> list[Path]:
    return [path for month in sample for path in Path(month).rglob("*") if path.suffix in (".xlsx", ".xls", ".csv")]


def _kill_ingest_between_batches(root: Path, sample: list[str], receipts: Path) -> None:
    """Killed once a batch has committed (its receipts appear) and before the last: the warehouse holds
    whole files only, and every receipt a clerk can see is whole."""
    ingest = _planwatch(root, "ingest", *sample, "--receipts", str(receipts), "--batch-size", "10")
    _kill_when(ingest, lambda: receipts.is_dir() and any(receipts.glob("*.xlsx")), "the first batch's receipts")
    assert not _children(ingest.pid)
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as connection:
        loads = connection.execute("select count(*) from raw.file_loads").fetchone()[0]
        torn = connection.execute(
            """select f.file_name from raw.file_loads as f
               where f.status = 'loaded' and f.observations <> (
                   select count(*) from raw.observations as o where o.load_id = f.load_id)"""
        ).fetchall()
    files = _submissions(sample)
    assert 0 < loads < len(files), f"killed after {loads} of {len(files)} files: not between batches"
    assert torn == []  # every committed file has all its observations
    for receipt in receipts.glob("*.xlsx"):
        load_workbook(receipt, read_only=True).close()  # whole: opens (a half-written one is a hidden .part)


def test_every_stage_killed_midway_then_rerun_ends_as_an_uninterrupted_run(
    reference: Path, sample: list[str], tmp_path: Path
) -> None:
    root = tmp_path
    _finish(root, "plans", "load")

    # ingest: killed while its workers read (the batch's transaction not committed); then killed
    # between batches of ten files (some committed, one in its transaction); then again to the end
    receipts = root / "receipts"
    ingest = _planwatch(root, "ingest", *sample, "--receipts", str(receipts))
    _kill_when(ingest, lambda: bool(_children(ingest.pid)), "the reading workers")
    _kill_ingest_between_batches(root, sample, receipts)
    _finish(root, "ingest", *sample, "--receipts", str(receipts))
    assert _content(root / "w.duckdb", "raw") == _content(reference / "w.duckdb", "raw")
    assert not _hidden_parts(receipts)
    # every file has its own receipt, saying what became of it (not only a 重复报送 notice): the receipts
    # of a batch committed just before the kill were staged in its transaction and put in place now
    for path in _submissions(sample):
        first = load_workbook(receipts / f"{path.stem}_回执.xlsx", read_only=True)["回执"]
        outcome = {row[0]: row[1] for row in first.iter_rows(min_row=2, values_only=True)}["处理结果"]
        assert not str(outcome).startswith("重复报送"), path.name

    # transform: killed while dbt builds, then again
    transform = _planwatch(root, "transform")
    started = time.monotonic()
    _kill_when(transform, lambda: time.monotonic() - started > 4, "dbt building")
    _finish(root, "transform")
    assert _content(root / "w.duckdb", "marts") == _content(reference / "w.duckdb", "marts")
    _finish(root, "check", "--period", PERIOD)

    # brief: killed once the first briefing is written; what is visible is whole, the rerun the same
    out = root / "briefings"
    brief = _planwatch(root, "brief", "--period", PERIOD, "--format", "html,docx", "--out", str(out))
    _kill_when(brief, lambda: any(out.glob("*.html")), "the first briefing")
    expected = _visible_files(reference / "briefings")
    for name, data in _visible_files(out).items():
        assert data == expected[name], f"{name} is visible but not whole"
    _finish(root, "brief", "--period", PERIOD, "--format", "html,docx", "--out", str(out))
    assert _visible_files(out) == expected
    assert not _hidden_parts(out)

    # publish: a first snapshot, then one killed while its copy is half written
    _finish(root, "publish", "--to", "snapshot")
    published = root / "published"
    before = os.readlink(published / "current")
    snapshots = published / "snapshots"
    publish = _planwatch(root, "publish", "--to", "snapshot")
    _kill_when(publish, lambda: any(snapshots.glob(".partial-*")), "a partial snapshot")
    assert os.readlink(published / "current") == before
    assert _content(published / "current" / "marts.duckdb", "main") == _content(
        reference / "published" / "current" / "marts.duckdb", "main"
    )
    _finish(root, "publish", "--to", "snapshot")
    assert not list(snapshots.glob(".partial-*"))
    assert _content(published / "current" / "marts.duckdb", "main") == _content(
        reference / "published" / "current" / "marts.duckdb", "main"
    )


def test_a_postgresql_publish_killed_midway_leaves_the_readers_marts_whole(reference: Path, tmp_path: Path) -> None:
    import psycopg2

    from tests.conftest import require_service

    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg2.connect(admin, connect_timeout=3).close()
        available = True
    except psycopg2.OperationalError:
        available = False
    require_service(available, "PostgreSQL at 127.0.0.1:5432")
    database = f"planwatch_crash_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    connection.cursor().execute(f'create database "{database}"')
    uri = f"postgresql://postgres@127.0.0.1:5432/{database}"
    role = f"planwatch_bi_{uuid.uuid4().hex[:6]}"
    environment = {**_environment(reference), "PLANWATCH_POSTGRES_URI": uri, "PLANWATCH_BI_ROLE": role}
    command = [sys.executable, "-m", "planwatch", "publish", "--to", "postgres"]
    try:
        first = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        assert first.returncode == 0, first.stderr
        counts = _postgres_counts(uri)
        assert counts and all(rows >= 0 for rows in counts.values())

        watcher = psycopg2.connect(admin)
        watcher.autocommit = True
        publishing = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _kill_when(publishing, lambda: _copying(watcher, database), "the copy into the staging schema", poll=0)
        finally:
            watcher.close()
        assert _postgres_counts(uri) == counts  # the readers' schema as it was, whole
        again = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        assert again.returncode == 0, again.stderr
        assert _postgres_counts(uri) == counts
    finally:
        cursor = connection.cursor()
        cursor.execute(f'drop database if exists "{database}" with (force)')
        cursor.execute(f'drop role if exists "{role}"')
        connection.close()


def _postgres_counts(uri: str) -> dict[str, int]:
    import psycopg2

    with psycopg2.connect(uri) as connection, connection.cursor() as cursor:
        cursor.execute("select table_name from information_schema.tables where table_schema = 'marts' order by 1")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'select count(*) from marts."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _copying(watcher, database: str) -> bool:
    """Whether a session of `database` is copying rows in (the publish's COPY into its staging schema)."""
    with watcher.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = %s and state = 'active' and query ilike 'copy%%'",
            [database],
        )
        return cursor.fetchone()[0] > 0


def test_the_month_run_twice_gives_the_same_marts_and_briefings(reference: Path, tmp_path: Path) -> None:
    marts = _content(reference / "w.duckdb", "marts")
    briefings = _visible_files(reference / "briefings")
    _finish(reference, "transform")
    assert _content(reference / "w.duckdb", "marts") == marts
    out = tmp_path / "again"
    _finish(reference, "brief", "--period", PERIOD, "--format", "html,docx,pdf", "--out", str(out))
    again = _visible_files(out)
    assert {name: data for name, data in again.items() if not name.endswith(".pdf")} == briefings
    first_pdfs = {name: data for name, data in again.items() if name.endswith(".pdf")}
    out_twice = tmp_path / "twice"
    _finish(reference, "brief", "--period", PERIOD, "--format", "pdf", "--out", str(out_twice))
    assert _visible_files(out_twice) == first_pdfs  # no timestamp in a PDF either


def test_a_file_written_whole_gets_the_mode_any_new_file_gets(tmp_path: Path) -> None:
    """Receipts and briefings are read by others (a web server, a colleague): not mkstemp's owner-only 0600."""
    umask = os.umask(0o022)
    os.umask(umask)
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    whole = write_atomically(tmp_path / "whole.html", lambda temp: temp.write_text("x", encoding="utf-8"))
    assert stat.S_IMODE(whole.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask
