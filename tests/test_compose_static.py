"""docker-compose.yml, read as data, against what the Celery integration test runs.

The integration test (tests/test_airflow_celery.py) starts Airflow with the settings of
tests/celery_support.py; compose must run the same deployment: the same services with health checks,
CeleryExecutor with Redis as broker and PostgreSQL for metadata and results, the same Airflow and
planwatch keys, the DAGs folder mounted where AIRFLOW__CORE__DAGS_FOLDER says, the pools the DAGs use,
and no secret in the file: every password and key comes from .env, and .env.example names them all.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

from .celery_support import (
    BI_ROLE,
    COMPONENTS,
    DAGS_FOLDER,
    FIXED_SETTINGS,
    FOLDER_SETTINGS,
    MARTS_CONNECTION,
    POOLS_FILE,
    SERVICE_URL_SCHEMES,
    SHARED_SECRETS,
    Deployment,
    compose_settings,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
AIRFLOW_DOCKERFILE = PROJECT_ROOT / "docker" / "airflow.Dockerfile"
POSTGRES_INIT = PROJECT_ROOT / "docker" / "postgres" / "initdb.d"

AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
ONE_SHOT = {"airflow-init"}  # runs to completion; the others wait for `service_completed_successfully`
SERVICES = {*AIRFLOW_SERVICES, *ONE_SHOT, "postgres", "redis", "superset"}
# ${NAME}, ${NAME:-default}, ${NAME:?message}; $$ escapes a dollar sign for the container's shell
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?\-][^}]*)?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|PRIVATE_KEY")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The integration test's deployment, with placeholder databases: only its keys and kinds are compared."""
    return Deployment("planwatch_airflow", tmp_path_factory.mktemp("deployment"), marts_db="planwatch_marts")


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _mounts(service: dict) -> dict[str, str]:
    """target → source of the service's volumes (short syntax)."""
    mounts = {}
    for volume in service.get("volumes") or []:
        source, target, *_ = volume.split(":")
        mounts[target] = source
    return mounts


def _only_references(value: str) -> bool:
    return bool(VARIABLE.search(value)) and VARIABLE.sub("", value) == ""


def _url(value: str):
    """The URL's parts, each ${...} reference standing for a value from .env (its `:?message` is no query)."""
    return urlsplit(VARIABLE.sub("from-env", value))


def _url_password(value: str) -> str | None:
    """The password as written between `user:` and `@`, references unresolved."""
    match = re.match(r"^[\w+.-]+://[^:/@]+:(.+)@[^@]+$", value)
    return match.group(1) if match else None


def _env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_every_service_is_there_and_every_long_running_one_has_a_health_check(services: dict) -> None:
    assert set(services) >= SERVICES
    for name in SERVICES - ONE_SHOT:
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    for name in AIRFLOW_SERVICES:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert services["superset"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_airflow_services_run_the_components_the_integration_test_starts(services: dict) -> None:
    commands = {name: " ".join(services[name]["command"].split()) for name in AIRFLOW_SERVICES}
    assert commands == AIRFLOW_SERVICES
    assert set(commands.values()) == {" ".join(command) for command in COMPONENTS.values()}
    init = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in init


def test_the_images_are_the_official_ones_at_our_versions(services: dict) -> None:
    assert services["postgres"]["image"].split(":")[1].startswith("16")
    assert services["redis"]["image"].split(":")[1].startswith("7.2")
    dockerfile = AIRFLOW_DOCKERFILE.read_text(encoding="utf-8")
    arguments = dict(re.findall(r"^ARG (\w+)=(\S+)$", dockerfile, flags=re.MULTILINE))
    assert arguments["AIRFLOW_VERSION"] == importlib.metadata.version("apache-airflow")
    assert arguments["PYTHON_VERSION"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.search(r"^FROM apache/airflow:\S*\$\{AIRFLOW_VERSION\}-python\$\{PYTHON_VERSION\}$", dockerfile, re.M)
    for name in {*AIRFLOW_SERVICES, *ONE_SHOT}:
        assert services[name]["build"]["dockerfile"] == str(AIRFLOW_DOCKERFILE.relative_to(PROJECT_ROOT))
    # the project is built into the image, not pip-installed at every container start
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("service", sorted({*AIRFLOW_SERVICES, *ONE_SHOT}))
def test_every_airflow_service_has_the_settings_the_integration_test_runs_with(
    services: dict, deployment: Deployment, service: str
) -> None:
    environment = _environment(services[service])
    assert compose_settings(deployment) <= set(environment), "keys the integration test sets and compose does not"
    for key, value in FIXED_SETTINGS.items():
        assert environment[key].lower() == value.lower(), key
    for key, scheme in SERVICE_URL_SCHEMES.items():
        assert environment[key].startswith(scheme), f"{key}={environment[key]} is not {scheme}..."
    for key in SHARED_SECRETS:
        assert _only_references(environment[key]), f"{key} must come from .env"
    for key in FOLDER_SETTINGS:
        assert PurePosixPath(environment[key]).is_absolute(), key


def test_celery_uses_the_redis_service_as_broker_and_postgres_for_metadata_and_results(services: dict) -> None:
    environment = _environment(services["airflow-worker"])
    assert environment["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    broker = _url(environment["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    metadata = _url(environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    results = _url(environment["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
    assert metadata.hostname == results.hostname == "postgres"
    assert metadata.path == results.path, "Celery's results go to the metadata database, as in the test"
    api = _url(environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert (api.hostname, api.path) == ("airflow-apiserver", "/execution/")
    assert str(api.port or 80) in " ".join(services["airflow-apiserver"]["ports"])


def test_the_databases_and_roles_the_urls_name_are_created_by_the_postgres_init_script(services: dict) -> None:
    worker = _environment(services["airflow-worker"])
    superset = _environment(services["superset"])
    urls = [
        worker["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        worker[MARTS_CONNECTION],
        superset["SUPERSET_DATABASE_URI"],
        superset["PLANWATCH_MARTS_URI"],
    ]
    init_sql = " ".join(path.read_text(encoding="utf-8") for path in sorted(POSTGRES_INIT.iterdir()))
    assert _mounts(services["postgres"])["/docker-entrypoint-initdb.d"] == "./docker/postgres/initdb.d"
    for url in urls:
        parts = _url(url)
        assert parts.hostname == "postgres"
        assert f"create database {parts.path.strip('/')} owner" in init_sql
        assert f"create role {parts.username} login" in init_sql
    # Superset reads the marts where the pipeline publishes them, as the read-only role the publisher grants
    marts, reader = _url(worker[MARTS_CONNECTION]), _url(superset["PLANWATCH_MARTS_URI"])
    assert reader.path == marts.path
    assert reader.username == BI_ROLE != marts.username


def test_the_dags_folder_is_mounted_where_airflow_looks_for_it(services: dict) -> None:
    for name in {*AIRFLOW_SERVICES, *ONE_SHOT}:
        service = services[name]
        dags_folder = _environment(service)["AIRFLOW__CORE__DAGS_FOLDER"]
        source = _mounts(service)[dags_folder]
        assert (PROJECT_ROOT / source).resolve() == DAGS_FOLDER


def test_every_folder_the_pipeline_uses_is_on_a_named_volume(compose: dict, services: dict) -> None:
    for name in AIRFLOW_SERVICES:
        environment, mounts = _environment(services[name]), _mounts(services[name])
        for key in FOLDER_SETTINGS:
            if not key.startswith("PLANWATCH_"):
                continue
            path = PurePosixPath(environment[key])
            volume = next((mounts[target] for target in mounts if path.is_relative_to(target)), None)
            assert volume in compose["volumes"], f"{name}: {key}={path} is not on a named volume"
    for folder in ("landing", "outbox", "output", "warehouse"):
        assert f"planwatch-{folder}" in compose["volumes"]


def test_the_pools_the_dags_use_are_created_from_the_file_the_integration_test_imports(
    services: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    assert bag.import_errors == {}
    used = {task.pool for dag in bag.dags.values() for task in dag.tasks} - {"default_pool"}
    declared = json.loads(POOLS_FILE.read_text(encoding="utf-8"))
    assert used and used <= set(declared)
    assert declared["duckdb_writer"]["slots"] == 1

    init = services["airflow-init"]
    target = next(target for target, source in _mounts(init).items() if source == "./docker/airflow/pools.json")
    assert (PROJECT_ROOT / "docker/airflow/pools.json").resolve() == POOLS_FILE
    assert f"airflow pools import {target}" in " ".join(init["command"])


def test_every_variable_compose_reads_from_env_is_in_env_example() -> None:
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert used <= set(_env_example()), f"missing from .env.example: {sorted(used - set(_env_example()))}"


def test_no_secret_is_written_in_the_compose_file(services: dict) -> None:
    for name, service in services.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert _only_references(value), f"{name}: {key} must come from .env, not be written here"
            password = _url_password(value)
            if password is not None:
                assert _only_references(password), f"{name}: {key} has a password written in its URL"


def test_env_example_holds_placeholders_only() -> None:
    for key, value in _env_example().items():
        if SECRET_NAME.search(key):
            assert value.startswith("change-me"), f".env.example: {key} must be a placeholder"
