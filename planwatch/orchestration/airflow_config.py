"""planwatch's settings as an Airflow deployment gives them: environment, then Airflow Variables and Connections.

Outside Airflow, `planwatch.config.settings()` reads defaults, `planwatch.toml` and `PLANWATCH_*`
variables. Inside a task, an operator can also set any setting as an Airflow Variable named
`planwatch_<setting>` (e.g. `planwatch_warehouse`, `planwatch_landing_dir`; or the environment variable
`AIRFLOW_VAR_PLANWATCH_WAREHOUSE`), and the PostgreSQL warehouse that BI tools read as the Airflow
Connection `planwatch_postgres`. Secrets live in Connections (or a secrets backend), never in the repo.
"""

from __future__ import annotations

import logging

from planwatch.config import Settings, load_settings

POSTGRES_CONNECTION = "planwatch_postgres"
SMTP_CONNECTION = "planwatch_smtp"
VARIABLE_PREFIX = "planwatch_"

log = logging.getLogger(__name__)


def variable(key: str) -> str | None:
    from airflow.sdk import Variable

    try:
        value = Variable.get(key, default=None)
    except Exception as error:  # no metadata database or API reachable (e.g. a DAG file parsed alone)
        log.debug("Airflow Variable %s not readable: %s", key, error)
        return None
    return value if value not in (None, "") else None


def connection_uri(conn_id: str) -> str | None:
    """The URI of an Airflow Connection, or None when it is not configured."""
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id).get_uri()
    except Exception:  # AirflowNotFoundException, or no API reachable
        return None


def connection_exists(conn_id: str) -> bool:
    return connection_uri(conn_id) is not None


def task_settings() -> Settings:
    """Settings for a task: `load_settings()` with Airflow Variables and the PostgreSQL Connection on top."""
    config = load_settings()
    overrides: dict[str, object] = {}
    for name in Settings.model_fields:
        if name == "project_root":
            continue
        value = variable(f"{VARIABLE_PREFIX}{name}")
        if value is not None:
            overrides[name] = value
    if "postgres_uri" in Settings.model_fields and "postgres_uri" not in overrides:
        uri = connection_uri(POSTGRES_CONNECTION)
        if uri:
            # SQLAlchemy-style schemes from Airflow ("postgres://") are what psycopg2 accepts too
            overrides["postgres_uri"] = uri
    if not overrides:
        return config
    return Settings(**(config.model_dump() | overrides))


def templated_dbt_vars(config: Settings) -> dict[str, object]:
    """The dbt vars of the transform DAG's dbt tasks: each number a task reads when it runs, from the Airflow
    Variable `planwatch_<setting>` when one is set, else from `config` (planwatch.toml), as task_settings()
    reads every other setting. cosmos renders them (``vars`` is a template field of its operators)."""
    return {
        name: f"{{{{ var.value.get('{VARIABLE_PREFIX}{name}', {value!r}) }}}}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for name, value in config.dbt_vars().items()
    }
