"""The warehouse's raw tables (schema raw): what ingestion appends to, created or brought up to date here.

`ensure_tables` runs before every ingest (and registry load, and dbt run): an older warehouse gains
the columns and tables added since, the plausibility findings and the supervision ledger included.
"""

from __future__ import annotations

import duckdb

from planwatch.plausibility.review import ensure_findings_table
from planwatch.supervision.ledger import ensure_tables as ensure_supervision_tables

DDL = """
create schema if not exists raw;
create sequence if not exists raw.load_id_sequence start 1;
create table if not exists raw.file_loads (
    load_id bigint primary key,
    file_name varchar not null,
    file_path varchar not null,
    sha256 varchar not null,
    file_size bigint,
    encoding varchar,
    layout varchar,
    department_id varchar,
    periods varchar,
    status varchar not null,          -- loaded | rejected
    rejection_reason varchar,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    rows_ignored integer not null,
    observations integer not null,
    milestone_reports integer not null,
    revisions integer not null,
    ignored_columns varchar,
    submitted_at timestamp,           -- when the file arrived (its modification time in the landing folder)
    loaded_at timestamp not null,
    cells_read integer,               -- non-empty cells of every sheet = loaded + quarantined + ignored
    cells_loaded integer,
    cells_quarantined integer,
    cells_ignored integer
);
create table if not exists raw.observations (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_number integer not null,
    department_id varchar,
    layout varchar not null,
    indicator_code varchar not null,
    region_code varchar not null,
    period varchar not null,
    measure varchar not null,
    value double not null,
    unit varchar not null,
    original_value varchar,
    original_unit varchar,
    loaded_at timestamp not null,
    period_label varchar              -- a quarter, half-year or year as written (period is its last month)
);
create table if not exists raw.milestone_reports (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_number integer not null,
    department_id varchar,
    milestone_id varchar not null,
    period varchar not null,
    status varchar not null,
    percent_complete double,
    note varchar,
    loaded_at timestamp not null
);
create table if not exists raw.quarantine (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar,
    row_number integer,
    cell varchar,
    department_id varchar,
    reason_code varchar not null,
    reason varchar not null,
    row_content varchar,
    loaded_at timestamp not null,
    scope varchar not null default 'row'  -- row: the whole row | value: one cell of a row otherwise loaded
);
create table if not exists raw.ignored_rows (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    row_number integer not null,
    reason_code varchar not null,
    reason varchar not null,
    row_content varchar,
    loaded_at timestamp not null,
    row_count integer not null default 1, -- a run of rows from row_number on (a sheet planwatch wrote itself)
    cell varchar,                         -- a value's cell
    scope varchar not null default 'row'  -- row: the rows | value: one cell of a loaded row (row_count 0)
);
-- warehouses created before these columns existed
alter table raw.file_loads add column if not exists submitted_at timestamp;
alter table raw.ignored_rows add column if not exists row_count integer default 1;
alter table raw.ignored_rows add column if not exists cell varchar;
alter table raw.ignored_rows add column if not exists scope varchar default 'row';
alter table raw.quarantine add column if not exists scope varchar default 'row';
alter table raw.observations add column if not exists period_label varchar;
alter table raw.file_loads add column if not exists cells_read integer;
alter table raw.file_loads add column if not exists cells_loaded integer;
alter table raw.file_loads add column if not exists cells_quarantined integer;
alter table raw.file_loads add column if not exists cells_ignored integer;
"""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)
    ensure_findings_table(connection)
    ensure_supervision_tables(connection)  # dbt reads the office's decisions beside the figures
