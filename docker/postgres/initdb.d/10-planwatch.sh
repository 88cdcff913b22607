#!/bin/bash
# Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d). One server,
# three databases, each owned by its own login role:
#   airflow    Airflow's metadata and Celery's results             (role airflow)
#   planwatch  the shared warehouse the marts are published to     (role planwatch, the publisher)
#   superset   Superset's own metadata                             (role superset)
# and planwatch_bi, the read-only role BI tools log in as: it may connect to planwatch; the publisher
# grants it SELECT on the marts schema and nothing else (planwatch.publish).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v airflow_password="$AIRFLOW_DB_PASSWORD" \
    -v planwatch_password="$PLANWATCH_DB_PASSWORD" \
    -v bi_password="$PLANWATCH_BI_PASSWORD" \
    -v superset_password="$SUPERSET_DB_PASSWORD" <<'SQL'
create role airflow login password :'airflow_password';
create database airflow owner airflow;
create role planwatch login password :'planwatch_password';
create database planwatch owner planwatch;
create role planwatch_bi login password :'bi_password' nosuperuser nocreatedb nocreaterole noreplication;
create role superset login password :'superset_password';
create database superset owner superset;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname planwatch <<'SQL'
revoke all on database planwatch from public;
revoke create on schema public from public;
grant connect on database planwatch to planwatch_bi;
SQL
