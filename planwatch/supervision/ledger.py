"""The supervision ledger: what the office decided, issued and asked for, kept in the warehouse.

Schema `supervision` of the warehouse holds the office's side of the loop, beside the departments'
figures in `raw`: reviews of each month's submissions (approved or returned, at county and city
level), the briefings issued (期号, files and their hashes), the months locked by issuing, the
corrections made to locked months and the 督办 items opened (the departments' 整改反馈 replies
are in `raw.follow_up_replies`, created here too, written by ingest). Every change is also one
row of `supervision.audit_log` (who, when, what), written in the same transaction.
Nothing here is ever updated in place except an item's state; history is rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from planwatch.periods import utc_now

SCHEMA = "supervision"

DDL = """
create schema if not exists supervision;
create table if not exists supervision.audit_log (
    recorded_at timestamp not null,
    actor varchar not null,
    action varchar not null,          -- approve | return | review_briefing | issue | correct | open_item | close_item
    plan_id varchar,
    period varchar,                   -- YYYY-MM
    department_id varchar,
    subject varchar,                  -- what the action was about (an item, a figure, a file)
    detail varchar                    -- JSON
);
create table if not exists supervision.submission_reviews (
    plan_id varchar,                  -- the plan whose office decided (a department's month is one submission)
    department_id varchar not null,
    period varchar not null,
    level varchar not null,           -- county | city
    decision varchar not null,        -- approved | returned
    reason varchar,                   -- a return's reason, shown to the department on its receipts
    up_to_load_id bigint,             -- the loads the decision covers (the department's files up to this one)
    actor varchar not null,
    decided_at timestamp not null
);
create table if not exists supervision.issued_briefings (
    plan_id varchar not null,
    period varchar not null,
    issue_number integer not null,
    state varchar not null,           -- 审核 (reviewed, ready to sign) | 签发 (issued)
    reviewed_by varchar,
    reviewed_at timestamp,
    issued_by varchar,
    issued_at timestamp,
    archive_dir varchar,
    primary key (plan_id, period)
);
-- what the 审核 read: the sha256 of the plan's briefings of the month as gathered (every figure and
-- sentence); 签发 refuses when they read otherwise by then (added after the table: existing ledgers gain it)
alter table supervision.issued_briefings add column if not exists reviewed_content varchar;
create table if not exists supervision.issued_files (
    plan_id varchar not null,
    period varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    size bigint not null
);
create table if not exists supervision.locked_months (
    plan_id varchar not null,
    period varchar not null,
    department_id varchar not null,
    locked_at timestamp not null
);
create table if not exists supervision.corrections (
    correction_id integer not null,
    indicator_code varchar not null,
    region_code varchar not null,
    period varchar not null,
    measure varchar not null,
    old_value double,
    new_value double not null,
    unit varchar not null,
    department_id varchar,
    reason varchar not null,
    actor varchar not null,
    corrected_at timestamp not null,
    load_id bigint not null           -- the raw.file_loads row that carries the corrected figure
);
create table if not exists supervision.correction_reports (
    correction_id integer not null,
    plan_id varchar not null,         -- the issued briefing whose 更正说明 named the correction
    period varchar not null
);
create table if not exists supervision.follow_up_items (
    item_id varchar primary key,      -- 督办编号, e.g. DB-2026-11-hulin-003
    plan_id varchar not null,
    opened_period varchar not null,   -- the month whose issued briefing opened it
    issue_number integer not null,
    kind varchar not null,            -- target | milestone
    subject_id varchar not null,      -- target_id or milestone_id
    subject varchar not null,         -- what lags, in words
    region_code varchar,
    department_id varchar,
    department_name varchar not null,
    ask varchar not null,
    reply_due date not null,
    opened_at timestamp not null,
    state varchar not null,           -- open | closed
    closed_at timestamp,
    closed_by varchar,
    close_reason varchar
);
create schema if not exists raw;
create table if not exists raw.follow_up_replies (  -- 整改反馈 as departments sent it (written by ingest)
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_number integer not null,
    department_id varchar,
    item_id varchar not null,
    measures varchar not null,
    expected_date date,
    asks_closure boolean not null,
    loaded_at timestamp not null
);
"""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One decision, its effects and its audit row: all written or none."""
    connection.execute("begin transaction")
    try:
        yield
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")


def now() -> dt.datetime:
    """UTC, naive: how the warehouse stores every timestamp."""
    return utc_now()


def audit(
    connection: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    *,
    plan_id: str | None = None,
    period: str | None = None,
    department_id: str | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    connection.execute(
        "insert into supervision.audit_log values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at or now(),
            actor,
            action,
            plan_id,
            period,
            department_id,
            subject,
            json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        ],
    )


def rows(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | dict[str, Any] | None = None
) -> list[dict]:
    cursor = connection.execute(sql, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
