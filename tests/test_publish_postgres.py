"""Publishing the marts to PostgreSQL: faithful types and values, the read-only BI role, and readers
(REPEATABLE READ transactions and autocommit statements, as the BI role) that keep reading while the
staging schema is swapped in: never an error, never tables from two builds, then the new month.

Each test creates its own database and BI role (roles are cluster-wide, so the name is unique too)
and drops both. The fast cases publish small warehouses written here; the acceptance case publishes
marts dbt built from the sample, before and after a new month is ingested and built.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.errors
import pytest

from planwatch.publish import SwapBlockedError, ensure_reader_role, publish_postgres
from planwatch.publish.postgres_types import UnsupportedTypeError
from tests.test_publish_snapshot import (
    BIN,
    STATE_SQL,
    MonthlyWarehouses,
    marts_state,
    monthly_warehouses,
    wait_for,
    write_warehouse,
)

from .conftest import require_service

__all__ = ["monthly_warehouses"]  # the session fixture, shared with the snapshot tests

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("publish_warehouse")]

HOST, PORT = "127.0.0.1", 5432


def _admin(dbname: str = "postgres") -> psycopg2.extensions.connection:
    return psycopg2.connect(host=HOST, port=PORT, user="postgres", dbname=dbname, connect_timeout=3)


def _postgres_reachable() -> bool:
    try:
        _admin().close()
    except psycopg2.Error:
        return False
    return True


@dataclass
class Database:
    name: str
    role: str
    password: str

    @property
    def uri(self) -> str:
        return f"postgresql://postgres@{HOST}:{PORT}/{self.name}"

    def connect(self, as_reader: bool = False) -> psycopg2.extensions.connection:
        if as_reader:
            return psycopg2.connect(
                host=HOST, port=PORT, user=self.role, password=self.password, dbname=self.name, connect_timeout=3
            )
        return psycopg2.connect(self.uri, connect_timeout=3)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()


@pytest.fixture
def database() -> Iterator[Database]:
    require_service(_postgres_reachable(), f"PostgreSQL on {HOST}:{PORT}")
    suffix = uuid.uuid4().hex[:12]
    created = Database(name=f"planwatch_publish_{suffix}", role=f"planwatch_bi_{suffix}", password=uuid.uuid4().hex)
    admin = _admin()
    admin.autocommit = True
    admin.cursor().execute(f"create database {created.name}")
    try:
        yield created
    finally:
        admin.cursor().execute(f"drop database if exists {created.name} with (force)")
        admin.cursor().execute(f"drop role if exists {created.role}")
        admin.close()


def schemas(db: Database) -> list[str]:
    rows = db.query(
        "select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'"
    )
    return sorted(name for (name,) in rows)


def comparable(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def duckdb_rows(warehouse: Path, table: str, order: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(f"select * from marts.{table} order by {order}").fetchall()
    return [tuple(comparable(value) for value in row) for row in rows]


def postgres_rows(db: Database, table: str, order: str) -> list[tuple]:
    return [
        tuple(comparable(value) for value in row) for row in db.query(f"select * from marts.{table} order by {order}")
    ]


# --- types, values, comments ---------------------------------------------------------------------------

ALL_TYPES = """
    create table marts.all_types as
    select * from (values
        (true, 1::tinyint, 2::smallint, 3::integer, 4::bigint, 170141183460469231731687303715884105727::hugeint,
         255::utinyint, 65535::usmallint, 4294967295::uinteger, 18446744073709551615::ubigint,
         2.5::float, 0.30000000000000004::double, 1234567.125::decimal(18, 3),
         '逗号,引号"与
换行', date '2025-10-31', time '23:59:58.5', timestamp '2025-10-31 08:00:00.123456',
         timestamptz '2025-10-31 08:00:00+08', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '{"完成率": 101.5}'::json),
        (false, -1::tinyint, -2::smallint, -3::integer, -4::bigint, -1::hugeint, 0::utinyint, 0::usmallint,
         0::uinteger, 0::ubigint, -0.375::float, 'NaN'::double, -0.001::decimal(18, 3), '', date '1999-01-01',
         time '00:00:00', timestamp '1999-01-01 00:00:00', timestamptz '1999-01-01 00:00:00+00',
         '00000000-0000-0000-0000-000000000000'::uuid, '[]'::json),
        (null, null, null, null, null, null, null, null, null, null, 'inf'::float, '-inf'::double, null, null,
         null, null, null, null, null, null)
    ) v(b, i1, i2, i4, i8, i16, u1, u2, u4, u8, f4, f8, dec, txt, d, t, ts, tstz, id, doc)
"""
POSTGRES_TYPES = {
    "b": "boolean",
    "i1": "smallint",
    "i2": "smallint",
    "i4": "integer",
    "i8": "bigint",
    "i16": "numeric",
    "u1": "smallint",
    "u2": "integer",
    "u4": "bigint",
    "u8": "numeric",
    "f4": "real",
    "f8": "double precision",
    "dec": "numeric",
    "txt": "text",
    "d": "date",
    "t": "time without time zone",
    "ts": "timestamp without time zone",
    "tstz": "timestamp with time zone",
    "id": "uuid",
    "doc": "jsonb",
}


def test_every_column_reaches_postgresql_as_its_counterpart_with_values_nulls_and_comments(
    database: Database, tmp_path: Path
):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(ALL_TYPES)
        connection.execute("comment on column marts.all_types.dec is '金额（万元）'")
        connection.execute("alter table marts.fct_target_progress add primary key (target_id, period)")

    publication = publish_postgres(warehouse, database.uri, reader_role=database.role)

    assert publication.tables == {
        "all_types": 3,
        "dim_plan": 1,
        "fct_observation": 2_000,
        "fct_target_progress": 80,
        "mart_region_ranking": 10,
    }
    assert publication.latest_period == dt.date(2025, 2, 28) and publication.old_schemas_left == []
    columns = database.query(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'all_types'"
    )
    assert dict(columns) == POSTGRES_TYPES
    assert database.query(
        "select numeric_precision, numeric_scale from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'all_types' and column_name = 'dec'"
    ) == [(18, 3)]

    expected = duckdb_rows(warehouse, "all_types", "i4 desc nulls last")
    published = postgres_rows(database, "all_types", "i4 desc nulls last")
    for duck_row, pg_row in zip(expected, published, strict=True):
        *duck_values, duck_uuid, duck_json = duck_row
        *pg_values, pg_uuid, pg_json = pg_row
        assert pg_values == duck_values
        assert pg_uuid == (str(duck_uuid) if duck_uuid else None)
        assert pg_json == (json.loads(duck_json) if duck_json else None)
    assert published[0][13] == '逗号,引号"与\n换行' and published[1][13] == "" and published[2][13] is None

    for table, order in [("fct_target_progress", "target_id, period"), ("fct_observation", "observation_id")]:
        assert postgres_rows(database, table, order) == duckdb_rows(warehouse, table, order), table
    assert database.query(
        "select obj_description('marts.dim_plan'::regclass), col_description('marts.dim_plan'::regclass, 2), "
        "col_description('marts.all_types'::regclass, 13)"
    ) == [("一条记录一个规划 One row per plan.", "规划名称 — plan's title", "金额（万元）")]
    assert schemas(database) == ["marts", "public"]  # raw, quality, staging stay in the warehouse
    # the key the warehouse declares (each mart's dbt contract) is declared here too: BI tools read the grain
    assert database.query(
        "select kcu.column_name from information_schema.table_constraints tc "
        "join information_schema.key_column_usage kcu using (constraint_schema, constraint_name) "
        "where tc.table_schema = 'marts' and tc.table_name = 'fct_target_progress' "
        "and tc.constraint_type = 'PRIMARY KEY' order by kcu.ordinal_position"
    ) == [("target_id",), ("period",)]


def test_a_column_without_a_faithful_mapping_is_refused_by_name_and_the_live_marts_stay(
    database: Database, tmp_path: Path
):
    good = write_warehouse(tmp_path / "good.duckdb", months=2)
    publish_postgres(good, database.uri, reader_role=database.role)
    bad = write_warehouse(tmp_path / "bad.duckdb", months=3)
    with duckdb.connect(str(bad)) as connection:
        connection.execute("create table marts.with_list as select [1, 2] as regions")

    with pytest.raises(UnsupportedTypeError, match=r"with_list\.regions: DuckDB type INTEGER\[\]"):
        publish_postgres(bad, database.uri, reader_role=database.role)

    assert database.query(STATE_SQL) == [marts_state(good)]
    assert schemas(database) == ["marts", "public"]


def test_marts_that_something_else_built_in_the_schema_are_never_swapped_away(database: Database, tmp_path: Path):
    from planwatch.publish import ForeignSchemaError

    # what `dbt build --target postgres` leaves when pointed at the same database
    database.query("create schema marts; create table marts.fct_target_progress (target_id text); select 1")
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    with pytest.raises(ForeignSchemaError, match=r"schema marts in database planwatch_publish_\w+ holds tables"):
        publish_postgres(warehouse, database.uri, reader_role=database.role)
    assert schemas(database) == ["marts", "public"]
    assert database.query("select count(*) from marts.fct_target_progress") == [(0,)]
    # a schema planwatch published is recognised by its mark and replaced, publish after publish
    database.query("drop schema marts cascade; select 1")
    publish_postgres(warehouse, database.uri, reader_role=database.role)
    publish_postgres(warehouse, database.uri, reader_role=database.role)
    assert database.query(STATE_SQL) == [marts_state(warehouse)]
    [(mark,)] = database.query("select obj_description('marts'::regnamespace, 'pg_namespace')")
    assert mark.startswith("published by planwatch")


# --- the BI role -----------------------------------------------------------------------------------------

FORBIDDEN = [
    "insert into marts.fct_target_progress (target_id) values ('x')",
    "update marts.fct_target_progress set status = 'achieved'",
    "delete from marts.fct_target_progress",
    "truncate marts.fct_target_progress",
    "drop table marts.fct_target_progress",
    "alter table marts.fct_target_progress add column hacked integer",
    "create table marts.notes (note text)",
    "create view marts.my_view as select 1 as one",
    "create table public.notes (note text)",
    "create schema scratch",
    "alter schema marts rename to marts_mine",
]


def test_the_bi_role_selects_every_mart_and_cannot_write_create_or_drop(database: Database, tmp_path: Path):
    role = ensure_reader_role(database.uri, database.role, password=database.password)
    assert role.created and role.can_login and role.can_create_in == []
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    publish_postgres(warehouse, database.uri, reader_role=database.role)
    # Published again: the grants must hold for the tables of the schema swapped in.
    publication = publish_postgres(warehouse, database.uri, reader_role=database.role)

    reader = database.connect(as_reader=True)
    try:
        with reader.cursor() as cursor:
            for table, rows in publication.tables.items():
                cursor.execute(f"select count(*) from marts.{table}")
                assert cursor.fetchone() == (rows,), table
            reader.rollback()
            allowed = []
            for statement in FORBIDDEN:
                try:
                    cursor.execute(statement)
                    allowed.append(statement)
                except psycopg2.errors.InsufficientPrivilege:
                    pass
                reader.rollback()
            assert allowed == []
    finally:
        reader.close()
    assert database.query(
        "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = %s",
        [database.role],
    ) == [(False, False, False, False, False)]

    again = ensure_reader_role(database.uri, database.role)  # no password: keeps its login
    assert not again.created and again.can_login


PUBLICATION_SQL = (
    "select latest_period, quality_period, quality_checked, quality_run_id, publishable, critical_failures, "
    "overridden, data_changed_since_check from marts.publication"
)


def test_the_marts_carry_their_publish_and_say_their_latest_month_was_never_checked(database: Database, tmp_path: Path):
    """A BI reader of PostgreSQL learns, beside the marts, which month they describe and what the quality gate
    says of it: here no quality run ever looked at it, so no briefing of it is publishable."""
    ensure_reader_role(database.uri, database.role, password=database.password)
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    publication = publish_postgres(warehouse, database.uri, reader_role=database.role)
    reader = database.connect(as_reader=True)
    try:
        with reader.cursor() as cursor:
            cursor.execute(PUBLICATION_SQL)
            rows = cursor.fetchall()
            cursor.execute("select obj_description('marts.publication'::regclass)")
            (comment,) = cursor.fetchone()
    finally:
        reader.close()
    assert rows == [(publication.latest_period, "2025-02", False, None, False, None, False, False)]
    assert publication.latest_period == dt.date(2025, 2, 28)
    assert comment and "数据质量" in comment


def test_the_publication_row_says_what_the_gate_decided_of_a_checked_month(
    monthly_warehouses: MonthlyWarehouses, database: Database, tmp_path: Path
):
    from planwatch.quality.gate import decide
    from planwatch.quality.run import run_checks

    work = tmp_path / "w.duckdb"
    shutil.copy(monthly_warehouses.before, work)
    ensure_reader_role(database.uri, database.role, password=database.password)
    with duckdb.connect(str(work), read_only=True) as connection:
        (latest,) = connection.execute("select max(period) from marts.fct_target_progress").fetchone()
    run_checks(work, f"{latest:%Y-%m}", tmp_path / "output", data_docs=False)
    with duckdb.connect(str(work), read_only=True) as connection:
        decision = decide(connection, latest)
    publication = publish_postgres(work, database.uri, reader_role=database.role)
    assert database.query(PUBLICATION_SQL) == [
        (
            latest,
            f"{latest:%Y-%m}",
            True,
            decision.run_id,
            decision.publishable,
            ";".join(failure.qualified_name for failure in decision.critical_failures) or None,
            False,
            False,
        )
    ]
    assert decision.run_id is not None and publication.quality is not None
    assert publication.quality["publishable"] is decision.publishable


def test_a_new_role_without_a_password_cannot_log_in_and_a_publish_creates_a_missing_role(
    database: Database, tmp_path: Path
):
    role = ensure_reader_role(database.uri, database.role)
    assert role.created and not role.can_login
    database.query(f"drop owned by {database.role}; drop role {database.role}; select 1")

    publish_postgres(write_warehouse(tmp_path / "w.duckdb", months=1), database.uri, reader_role=database.role)

    assert database.query(
        "select has_table_privilege(%s, 'marts.fct_target_progress', 'select'), "
        "has_table_privilege(%s, 'marts.fct_target_progress', 'insert')",
        [database.role, database.role],
    ) == [(True, False)]


# --- readers during the swap -----------------------------------------------------------------------------


def read_state_in_steps(connection: psycopg2.extensions.connection, pause: float = 0.0) -> tuple:
    """The STATE_SQL values, read table by table in one transaction (a mix would show here)."""
    with connection.cursor() as cursor:
        cursor.execute("select max(period), count(*) from marts.fct_target_progress")
        latest, progress_rows = cursor.fetchone()
        time.sleep(pause)
        cursor.execute("select count(*) from marts.fct_observation")
        (observation_rows,) = cursor.fetchone()
        time.sleep(pause)
        cursor.execute("select max(period), count(*) from marts.mart_region_ranking")
        ranking_latest, ranking_rows = cursor.fetchone()
    return (latest, progress_rows, observation_rows, ranking_latest, ranking_rows)


def repeatable_read(db: Database) -> psycopg2.extensions.connection:
    connection = db.connect(as_reader=True)
    connection.set_session(isolation_level="REPEATABLE READ")
    return connection


def test_a_publish_waits_for_a_reader_transaction_which_sees_the_old_marts_to_its_end(
    database: Database, tmp_path: Path
):
    ensure_reader_role(database.uri, database.role, password=database.password)
    old = write_warehouse(tmp_path / "old.duckdb", months=2)
    new = write_warehouse(tmp_path / "new.duckdb", months=3)
    publish_postgres(old, database.uri, reader_role=database.role)
    reader = repeatable_read(database)
    published: list = []
    try:
        with reader.cursor() as cursor:
            cursor.execute("select count(*) from marts.fct_target_progress")
            assert cursor.fetchone() == (80,)
        publisher = threading.Thread(
            target=lambda: published.append(publish_postgres(new, database.uri, reader_role=database.role))
        )
        publisher.start()
        time.sleep(1.5)
        assert published == []  # still waiting for the reader's transaction
        assert read_state_in_steps(reader) == marts_state(old)
        reader.commit()
        publisher.join(timeout=60)
        assert published and published[0].swap_wait_seconds >= 1.0
        assert read_state_in_steps(reader) == marts_state(new)
    finally:
        reader.close()


def test_a_reader_transaction_begun_before_the_swap_that_reads_the_marts_after_it_sees_the_whole_new_month(
    database: Database, tmp_path: Path
):
    ensure_reader_role(database.uri, database.role, password=database.password)
    publish_postgres(write_warehouse(tmp_path / "old.duckdb", months=2), database.uri, reader_role=database.role)
    reader = repeatable_read(database)
    try:
        with reader.cursor() as cursor:
            cursor.execute("select 1")  # the transaction's snapshot is taken here, before the swap
        new = write_warehouse(tmp_path / "new.duckdb", months=3)
        publication = publish_postgres(new, database.uri, reader_role=database.role)
        assert publication.swap_wait_seconds < 1.0  # nothing of the marts was held
        assert read_state_in_steps(reader) == marts_state(new)  # not the new tables seen empty
        reader.commit()
    finally:
        reader.close()


def test_a_reader_holding_the_marts_past_the_publish_patience_fails_the_publish_not_the_reader(
    database: Database, tmp_path: Path
):
    old = write_warehouse(tmp_path / "old.duckdb", months=2)
    publish_postgres(old, database.uri, reader_role=database.role)
    reader = database.connect()
    reader.set_session(isolation_level="REPEATABLE READ")
    try:
        assert read_state_in_steps(reader) == marts_state(old)
        new = write_warehouse(tmp_path / "new.duckdb", months=3)
        with pytest.raises(SwapBlockedError, match=f"pid {reader.get_backend_pid()} "):
            publish_postgres(new, database.uri, reader_role=database.role, swap_patience=1.0)
        assert read_state_in_steps(reader) == marts_state(old)
        reader.commit()
    finally:
        reader.close()
    assert database.query(STATE_SQL) == [marts_state(old)]
    assert schemas(database) == ["marts", "public"]  # the staging schema went with the failed publish


def test_an_old_schema_a_reader_still_holds_is_left_for_the_next_publish_to_drop(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=1)
    database.query(
        "create schema marts_old_20250101000000_abcdef; create table marts_old_20250101000000_abcdef.t "
        "as select 1 as one; select 1"
    )
    reader = database.connect()
    try:
        with reader.cursor() as cursor:
            cursor.execute("select one from marts_old_20250101000000_abcdef.t")
        with caplog.at_level(logging.WARNING, logger="planwatch.publish.postgres"):
            first = publish_postgres(warehouse, database.uri, reader_role=database.role)
        assert first.old_schemas_left == ["marts_old_20250101000000_abcdef"]
        assert "marts_old_20250101000000_abcdef left in place for the next publish" in caplog.text
        reader.commit()
    finally:
        reader.close()
    second = publish_postgres(warehouse, database.uri, reader_role=database.role)
    assert second.old_schemas_left == [] and schemas(database) == ["marts", "public"]


def test_a_view_built_on_the_marts_elsewhere_is_never_dropped_by_a_publish(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=1)
    publish_postgres(warehouse, database.uri, reader_role=database.role)
    database.query("create view public.progress_view as select * from marts.fct_target_progress; select 1")

    with caplog.at_level(logging.WARNING, logger="planwatch.publish.postgres"):
        publication = publish_postgres(warehouse, database.uri, reader_role=database.role)

    (left,) = publication.old_schemas_left
    assert "public.progress_view depend on its tables" in caplog.text
    assert database.query(f"select count(*) from {left}.fct_target_progress") == [(40,)]
    assert database.query("select count(*) from public.progress_view") == [(40,)]


# --- the command line -------------------------------------------------------------------------------------


def test_planwatch_publish_to_both_writes_the_snapshot_and_postgresql_and_never_prints_the_password(
    database: Database, tmp_path: Path
):
    warehouse = write_warehouse(tmp_path / "w.duckdb", months=2)
    uri_with_password = f"postgresql://postgres:not-a-real-secret@{HOST}:{PORT}/{database.name}"
    common = ["--warehouse", str(warehouse), "--published-dir", str(tmp_path / "published")]

    command = [str(BIN / "planwatch"), "publish", "--to", "both", "--postgres-uri", uri_with_password, *common]
    completed = subprocess.run([*command, "--reader-role", database.role], capture_output=True, text=True)

    assert completed.returncode == 0, completed.stderr
    assert "snapshot " in completed.stderr and f"{HOST}:{PORT}/{database.name} schema marts" in completed.stderr
    assert "not-a-real-secret" not in completed.stdout + completed.stderr
    snapshot = tmp_path / "published" / "current" / "marts.duckdb"
    assert database.query(STATE_SQL) == [marts_state(warehouse)] == [marts_state(snapshot)]
    no_uri = subprocess.run(
        [str(BIN / "planwatch"), "publish", "--to", "postgres", *common],
        capture_output=True,
        text=True,
        env={**os.environ, "PLANWATCH_POSTGRES_URI": ""},
    )
    assert no_uri.returncode == 1 and "no PostgreSQL URI" in no_uri.stderr


# --- the acceptance case ----------------------------------------------------------------------------------


# a session of this database waiting for a lock another session holds (the publish, at its swap)
WAITING_ON_A_LOCK_SQL = """
select count(*) from pg_locks as locks join pg_database as db on locks.database = db.oid
where not locks.granted and db.datname = current_database()
"""


@pytest.mark.slow
def test_readers_of_postgresql_see_the_old_month_then_the_new_never_an_error_or_a_mix(
    monthly_warehouses: MonthlyWarehouses, database: Database, tmp_path: Path
):
    work = tmp_path / "w.duckdb"
    shutil.copy(monthly_warehouses.before, work)
    ensure_reader_role(database.uri, database.role, password=database.password)
    publish_postgres(work, database.uri, reader_role=database.role)
    old_state = marts_state(work)
    seen: dict[str, list[tuple]] = {"repeatable_read": [], "autocommit": [], "holder": []}
    errors: list[str] = []
    stop, holding, publishing = threading.Event(), threading.Event(), threading.Event()

    def keep_reading(name: str) -> None:
        try:
            connection = repeatable_read(database) if name == "repeatable_read" else database.connect(as_reader=True)
            connection.autocommit = name == "autocommit"
            while not stop.is_set():
                if name == "repeatable_read":
                    state = read_state_in_steps(connection, pause=0.02)
                    connection.commit()
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(STATE_SQL)
                        state = cursor.fetchone()
                seen[name].append(tuple(state))
                time.sleep(0.02)
            connection.close()
        except Exception as error:
            errors.append(f"{name}: {error!r}")

    def hold_across_the_publish() -> None:
        try:
            connection = repeatable_read(database)
            with connection.cursor() as cursor:
                cursor.execute("select count(*) from marts.fct_target_progress")
                holding.set()
                publishing.wait()
                # the publish copies the new month first (a second or more when the machine is busy), then
                # waits for this transaction to swap: hold on for 1.5 s once it is seen waiting on a lock
                wait_for(lambda: database.query(WAITING_ON_A_LOCK_SQL)[0][0] > 0, 120, "the publish to wait")
                time.sleep(1.5)
            seen["holder"].append(read_state_in_steps(connection))  # still the transaction begun before
            connection.commit()
            while not stop.is_set():  # the publish swaps once this transaction has ended
                seen["holder"].append(read_state_in_steps(connection))
                connection.commit()
                time.sleep(0.02)
            connection.close()
        except Exception as error:
            errors.append(f"holder: {error!r}")

    threads = [threading.Thread(target=keep_reading, args=(name,)) for name in ("repeatable_read", "autocommit")]
    threads.append(threading.Thread(target=hold_across_the_publish))
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: holding.is_set() and seen["repeatable_read"] and seen["autocommit"], 30, "the readers")
        monthly_warehouses.add_new_month(work)
        new_state = marts_state(work)
        assert new_state[0] > old_state[0]
        publishing.set()
        publication = publish_postgres(work, database.uri, reader_role=database.role)
        assert publication.swap_wait_seconds >= 1.0 and publication.latest_period == new_state[0]
        wait_for(
            lambda: errors or all(states and states[-1] == new_state for states in seen.values()),
            30,
            "the new month to show",
        )
    finally:
        stop.set()
        publishing.set()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert seen["holder"][0] == old_state
    for name in ("repeatable_read", "autocommit", "holder"):
        states = seen[name]
        assert set(states) == {old_state, new_state}, name
        first_new = states.index(new_state)
        assert all(state == new_state for state in states[first_new:]), f"{name}: went back to the old month"
        print(f"{name}: {len(states)} reads, {first_new} of the old month, then the new")
    for table, order in [("fct_target_progress", "target_id, period"), ("dim_target", "target_id")]:
        assert postgres_rows(database, table, order) == duckdb_rows(work, table, order), table
    print(f"publish to PostgreSQL: {publication.seconds:.1f}s, of which {publication.swap_wait_seconds:.1f}s waiting")
