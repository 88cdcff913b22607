"""Publishing the marts to PostgreSQL: build a staging schema, then swap it with the live one at once.

The marts are copied (COPY from CSV made in memory) into a fresh schema `<schema>_staging_<id>`,
then one short transaction renames the live schema away, renames the staging schema to the live
name, grants the BI role and drops the old schema. Readers see the old marts or the new, whole.

Two PostgreSQL facts shape the swap, both pinned by tests/test_publish_postgres.py:
- Names are looked up afresh by every statement, even inside a REPEATABLE READ transaction. A reader
  transaction that read `marts.a` before the swap would read the *new* `marts.b` after it. So the swap
  first takes ACCESS EXCLUSIVE locks on the live tables: it happens only between reader transactions.
  Each attempt waits at most `SWAP_LOCK_TIMEOUT_MS`, and under half the server's deadlock_timeout, so
  that when a reader and the publisher wait on each other the publisher gives way before PostgreSQL
  picks a victim; it retries until `swap_patience` runs out, then fails naming the sessions that held
  the marts. A reader arriving during an attempt waits that long at most.
- A transaction whose snapshot predates the swap but that first touches the marts after it would
  see the new tables without their rows. COPY FREEZE writes the rows already frozen, visible to every
  snapshot, so such a reader sees the whole new month instead of empty tables.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.errors
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg2 import sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from planwatch.publish.marts import MartTable, latest_period, mart_tables, open_warehouse, quality_state
from planwatch.publish.postgres_types import postgres_type, select_expression
from planwatch.publish.roles import create_role_if_missing, grant_read

log = logging.getLogger(__name__)

SWAP_LOCK_TIMEOUT_MS = 200
SWAP_PATIENCE_SECONDS = 300.0
LEFTOVER_LOCK_TIMEOUT = "2s"
_BATCH_ROWS = 100_000
_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


class SwapBlockedError(RuntimeError):
    """Reader transactions held the live marts for longer than the publish would wait."""


class ForeignSchemaError(RuntimeError):
    """The live schema holds tables planwatch did not publish (dbt's postgres target, another tool)."""


PUBLISHED_MARK = "published by planwatch"  # the comment on every schema a publish swaps in
# One row beside the marts, swapped in with them: which publish a reader sees, and what the quality gate
# says of its latest month (the snapshot's manifest says the same in JSON)
PUBLICATION_TABLE = "publication"
PUBLICATION_COMMENT = (
    "本次发布与最新月份的数据质量结论 — this publish, and the quality gate's verdict on its latest month"
)
_PUBLICATION_COLUMNS = (
    ("publication_id", "text", "本次发布编号 — this publish's id (UTC time and a random suffix)"),
    ("published_at", "timestamptz", "发布时间 — when the marts were published"),
    ("latest_period", "date", "最新月份 — the last month the marts describe (month end)"),
    ("quality_period", "text", "质量检查月份 — the month the quality gate's verdict below is of (YYYY-MM)"),
    ("quality_checked", "boolean", "是否已检查 — a quality run has checked that month"),
    ("quality_run_id", "text", "检查编号 — the latest quality run of that month"),
    ("publishable", "boolean", "可否发布通报 — false: the month's briefing is held back (failed or unchecked)"),
    ("critical_failures", "text", "未通过的关键检查 — the failed critical checks, separated by ';'"),
    ("overridden", "boolean", "人工放行 — an operator released the month despite its failures, on record"),
    ("data_changed_since_check", "boolean", "检查后数据有变 — the month's data changed after its check"),
)


@dataclass(frozen=True)
class PostgresPublication:
    """One publish to PostgreSQL: what went live, how long it took, and old schemas left behind."""

    schema: str
    tables: dict[str, int]
    latest_period: dt.date | None
    seconds: float
    swap_wait_seconds: float
    quality: dict | None = None  # the quality gate's verdict on latest_period (publish.marts.quality_state)
    old_schemas_left: list[str] = field(default_factory=list)


def public_address(uri: str) -> str:
    """Host, port and database of a PostgreSQL URI, never its password (for messages and logs)."""
    from psycopg2.extensions import parse_dsn

    parts = parse_dsn(uri)
    return f"{parts.get('host', 'localhost')}:{parts.get('port', '5432')}/{parts.get('dbname', '')}"


def publish_postgres(
    warehouse: Path,
    uri: str,
    schema: str = "marts",
    reader_role: str = "planwatch_bi",
    *,
    swap_patience: float = SWAP_PATIENCE_SECONDS,
) -> PostgresPublication:
    """Copy the warehouse's marts into PostgreSQL `schema`, swapped in whole, readable by `reader_role`."""
    started = time.perf_counter()
    with open_warehouse(warehouse) as duck:
        tables = mart_tables(duck)
        period = latest_period(duck, tables)
        # Read everything first: the warehouse's lock is held for a second, not for the whole upload.
        data = {table.name: _read_table(duck, table) for table in tables}
        quality = quality_state(duck, period)
    published_at = dt.datetime.now(dt.UTC)
    publication_id = f"{published_at:%Y%m%d%H%M%S}_{uuid.uuid4().hex[:6]}"
    publication = _publication(publication_id, published_at, period, quality)
    staging, retired = f"{schema}_staging_{publication_id}", f"{schema}_old_{publication_id}"
    connection = psycopg2.connect(uri, application_name="planwatch publish")
    try:
        with connection.cursor() as cursor:
            # One publish per schema at a time; the lock is the session's, released when it closes.
            cursor.execute("select pg_advisory_lock(hashtext(%s))", [f"planwatch.publish:{schema}"])
            create_role_if_missing(cursor, reader_role)
            _refuse_foreign_schema(cursor, schema)
            connection.commit()
            left = _drop_leftovers(connection, schema)
            try:
                _build_staging(connection, staging, tables, data, reader_role, publication)
                waited = _swap(connection, schema, staging, retired, reader_role, swap_patience)
            except BaseException:
                _discard_staging(connection, staging)
                raise
            if _schema_exists(cursor, retired):
                left.append(retired)
            connection.commit()
    finally:
        connection.close()
    publication = PostgresPublication(
        schema=schema,
        tables={table.name: table.rows for table in tables},
        latest_period=period,
        quality=quality,
        seconds=time.perf_counter() - started,
        swap_wait_seconds=waited,
        old_schemas_left=left,
    )
    log.info(
        "published %d tables to PostgreSQL schema %s (latest period %s) in %.1fs",
        len(tables),
        schema,
        period,
        publication.seconds,
    )
    return publication


def _read_table(duck: duckdb.DuckDBPyConnection, table: MartTable) -> pa.Table:
    columns = ", ".join(select_expression(column.name, column.duckdb_type) for column in table.columns)
    return duck.sql(f"select {columns} from {table.qualified}").to_arrow_table()


def _publication(
    publication_id: str, published_at: dt.datetime, period: dt.date | None, quality: dict | None
) -> pa.Table:
    """The publication row, its columns in `_PUBLICATION_COLUMNS`' order."""
    quality = quality or {}
    values = [
        publication_id,
        published_at,
        period,
        quality.get("period"),
        quality.get("checked", False),
        quality.get("run_id"),
        quality.get("publishable", False),
        ";".join(quality.get("critical_failures", [])) or None,
        quality.get("overridden", False),
        quality.get("data_changed_since_check", False),
    ]
    return pa.table({name: [value] for (name, _, _), value in zip(_PUBLICATION_COLUMNS, values, strict=True)})


def _write_table(
    cursor: Cursor,
    target: sql.Identifier,
    columns: list[tuple[str, str, str | None]],
    rows: pa.Table,
    comment: str | None,
    primary_key: tuple[str, ...] = (),
) -> None:
    """Create a table (columns: name, PostgreSQL type, comment), copy its rows in frozen (see the module
    docstring), declare its primary key, comment it and analyse it."""
    cursor.execute(
        sql.SQL("create table {} ({})").format(
            target,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind, _ in columns
            ),
        )
    )
    copy = sql.SQL("copy {} from stdin with (format csv, freeze true)").format(target).as_string(cursor)
    for batch in rows.to_batches(max_chunksize=_BATCH_ROWS):
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, _CSV)
        buffer.seek(0)
        cursor.copy_expert(copy, buffer)
    if primary_key:  # after the copy: the index is built once, and COPY FREEZE needs the table as created
        cursor.execute(
            sql.SQL("alter table {} add primary key ({})").format(
                target, sql.SQL(", ").join(sql.Identifier(column) for column in primary_key)
            )
        )
    if comment:
        cursor.execute(sql.SQL("comment on table {} is %s").format(target), [comment])
    for name, _, column_comment in columns:
        if column_comment:
            cursor.execute(
                sql.SQL("comment on column {}.{} is %s").format(target, sql.Identifier(name)), [column_comment]
            )
    cursor.execute(sql.SQL("analyze {}").format(target))


def _build_staging(
    connection: Connection,
    staging: str,
    tables: list[MartTable],
    data: dict[str, pa.Table],
    reader_role: str,
    publication: pa.Table,
) -> None:
    """The new marts in their own schema, and the publication row, in one transaction."""
    namespace = sql.Identifier(staging)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("create schema {}").format(namespace))
        cursor.execute(sql.SQL("comment on schema {} is %s").format(namespace), [f"{PUBLISHED_MARK} ({staging})"])
        # Set before the tables exist, so each is created readable; these travel with the schema's rename.
        cursor.execute(
            sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
                namespace, sql.Identifier(reader_role)
            )
        )
        for table in tables:
            columns = [
                (column.name, postgres_type(column.duckdb_type, f"{table.name}.{column.name}"), column.comment)
                for column in table.columns
            ]
            _write_table(
                cursor, sql.Identifier(staging, table.name), columns, data[table.name], table.comment, table.primary_key
            )
        _write_table(
            cursor,
            sql.Identifier(staging, PUBLICATION_TABLE),
            list(_PUBLICATION_COLUMNS),
            publication,
            PUBLICATION_COMMENT,
        )
    connection.commit()


def _swap(connection: Connection, schema: str, staging: str, retired: str, reader_role: str, patience: float) -> float:
    """Swap the staging schema in between reader transactions; seconds spent waiting for them."""
    started = time.monotonic()
    pause = 0.2
    with connection.cursor() as cursor:
        cursor.execute("select setting::int from pg_settings where name = 'deadlock_timeout'")  # milliseconds
        lock_timeout = f"{max(1, min(SWAP_LOCK_TIMEOUT_MS, cursor.fetchone()[0] // 2))}ms"
        connection.rollback()
        while True:
            try:
                cursor.execute("set local lock_timeout = %s", [lock_timeout])
                live = _relations(cursor, schema)
                if live:
                    cursor.execute(
                        sql.SQL("lock table {} in access exclusive mode").format(
                            sql.SQL(", ").join(sql.Identifier(schema, name) for name in live)
                        )
                    )
                existed = _schema_exists(cursor, schema)
                if existed:
                    cursor.execute(
                        sql.SQL("alter schema {} rename to {}").format(sql.Identifier(schema), sql.Identifier(retired))
                    )
                cursor.execute(
                    sql.SQL("alter schema {} rename to {}").format(sql.Identifier(staging), sql.Identifier(schema))
                )
                grant_read(cursor, schema, reader_role)
                if existed:
                    _drop_in_savepoint(cursor, retired)
                connection.commit()
                return time.monotonic() - started
            except psycopg2.errors.LockNotAvailable:
                connection.rollback()
                holders = _lock_holders(cursor, schema)
                waited = time.monotonic() - started
                if waited >= patience:
                    raise SwapBlockedError(
                        f"PostgreSQL schema {schema}: reader transactions held its tables for {waited:.0f}s, "
                        f"longer than the publish waits ({patience:.0f}s): {holders}. The old marts stay live; "
                        "publish again when those sessions have finished their transactions"
                    ) from None
                log.info("swap of %s waits for reader transactions to finish: %s", schema, holders)
                time.sleep(pause)
                pause = min(pause * 2, 2.0)


def _discard_staging(connection: Connection, staging: str) -> None:
    """After a failed publish: the live marts are untouched; remove the half-made staging schema."""
    try:
        connection.rollback()
        _drop_schema(connection, staging, lock_timeout=LEFTOVER_LOCK_TIMEOUT)
    except psycopg2.Error as error:
        log.warning("could not drop %s after the failed publish (the next publish will): %s", staging, error)


def _drop_leftovers(connection: Connection, schema: str) -> list[str]:
    """Drop what earlier publishes left: old schemas a reader held, staging of a publish that died."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select nspname from pg_namespace where nspname like %s or nspname like %s order by nspname",
            [_like_prefix(f"{schema}_old_"), _like_prefix(f"{schema}_staging_")],
        )
        leftovers = [name for (name,) in cursor.fetchall()]
    connection.commit()
    return [name for name in leftovers if not _drop_schema(connection, name, lock_timeout=LEFTOVER_LOCK_TIMEOUT)]


def _drop_schema(connection: Connection, schema: str, lock_timeout: str) -> bool:
    """Drop a schema in its own transaction, waiting at most `lock_timeout`; False when it must stay."""
    with connection.cursor() as cursor:
        cursor.execute("set local lock_timeout = %s", [lock_timeout])
        dropped = _drop_in_savepoint(cursor, schema)
    connection.commit()
    return dropped


def _drop_in_savepoint(cursor: Cursor, schema: str) -> bool:
    """Drop the schema and its tables, unless a view elsewhere depends on them or a lock cannot be had.

    In a savepoint, so a failure leaves the surrounding transaction (the swap) intact; what stays is
    logged and dropped by the next publish.
    """
    if not _schema_exists(cursor, schema):
        return True
    outside = _dependents_outside(cursor, schema)
    if outside:
        log.warning(
            "schema %s left in place: %s depend on its tables; drop or repoint them, the next publish retries",
            schema,
            ", ".join(outside),
        )
        return False
    cursor.execute("savepoint drop_old_marts")
    try:
        cursor.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
    except (psycopg2.errors.LockNotAvailable, psycopg2.errors.DependentObjectsStillExist) as error:
        cursor.execute("rollback to savepoint drop_old_marts")
        log.warning("schema %s left in place for the next publish to drop: %s", schema, str(error).strip())
        return False
    cursor.execute("release savepoint drop_old_marts")
    log.info("dropped schema %s", schema)
    return True


def _dependents_outside(cursor: Cursor, schema: str) -> list[str]:
    """Views in other schemas built on this schema's tables (DROP ... CASCADE would take them along)."""
    cursor.execute(
        """
        select distinct dependent_ns.nspname || '.' || dependent.relname
        from pg_depend d
        join pg_rewrite r on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
        join pg_class dependent on dependent.oid = r.ev_class
        join pg_namespace dependent_ns on dependent_ns.oid = dependent.relnamespace
        join pg_class referenced on d.refclassid = 'pg_class'::regclass and d.refobjid = referenced.oid
        join pg_namespace referenced_ns on referenced_ns.oid = referenced.relnamespace
        where referenced_ns.nspname = %s and dependent_ns.nspname <> %s
        order by 1
        """,
        [schema, schema],
    )
    return [name for (name,) in cursor.fetchall()]


def _relations(cursor: Cursor, schema: str) -> list[str]:
    cursor.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm', 'f') order by c.relname",
        [schema],
    )
    return [name for (name,) in cursor.fetchall()]


def _refuse_foreign_schema(cursor: Cursor, schema: str) -> None:
    """A live schema with tables and without our mark was built by something else: never swap it away."""
    cursor.execute(
        "select coalesce(obj_description(oid, 'pg_namespace'), '') from pg_namespace where nspname = %s", [schema]
    )
    found = cursor.fetchone()
    if found is None or found[0].startswith(PUBLISHED_MARK) or not _relations(cursor, schema):
        return
    cursor.execute("select current_database()")
    database = cursor.fetchone()[0]
    raise ForeignSchemaError(
        f"schema {schema} in database {database} holds tables planwatch did not publish "
        f"({', '.join(_relations(cursor, schema)[:5])}); a dbt build with the postgres target writes there. "
        "Publish to another database (postgres_uri in planwatch.toml, or --postgres-uri), or move those tables out of "
        f"schema {schema}; nothing was changed."
    )


def _schema_exists(cursor: Cursor, schema: str) -> bool:
    cursor.execute("select 1 from pg_namespace where nspname = %s", [schema])
    return cursor.fetchone() is not None


def _lock_holders(cursor: Cursor, schema: str) -> str:
    cursor.execute(
        """
        select distinct a.pid, a.usename, a.application_name, a.state, a.xact_start
        from pg_locks l
        join pg_class c on c.oid = l.relation
        join pg_namespace n on n.oid = c.relnamespace
        join pg_stat_activity a on a.pid = l.pid
        where n.nspname = %s and l.granted and a.pid <> pg_backend_pid()
        order by a.pid
        """,
        [schema],
    )
    rows = cursor.fetchall()
    connection = cursor.connection
    connection.rollback()
    if not rows:
        return "no session holds them now"
    return "; ".join(
        f"pid {pid} ({user}, {application or 'no application name'}, {state}, transaction since {since or '?'})"
        for pid, user, application, state, since in rows
    )


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
