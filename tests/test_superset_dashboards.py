"""The Superset dashboards as code (docker/superset/bundle), read as data, against the marts they read.

A dashboard breaks quietly when a mart's column is renamed or dropped: Superset shows an error in the
chart, nobody in the office runs the test that would have caught it. So every dataset must be a table the
publisher copies (a model of the `marts` schema, under an enforced dbt contract), every column a chart, a
metric or a filter uses must be one of that contract's columns (or a calculated column built from them),
with the type the PostgreSQL publisher gives it; and each dashboard must be declared as a dbt exposure on
exactly the marts it reads, so `dbt ls --select +exposure:...` names what a change to a mart touches.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from planwatch.publish.postgres_types import postgres_type

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPERSET = PROJECT_ROOT / "docker" / "superset"
BUNDLE = SUPERSET / "bundle"
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
MARTS_YML = DBT_PROJECT / "models" / "marts" / "_marts.yml"
EXPOSURES_YML = DBT_PROJECT / "models" / "exposures.yml"

# the contract's data types as DuckDB names them, which planwatch.publish maps to PostgreSQL
DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "double precision": "DOUBLE",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
}
# how Superset (SQLAlchemy) names the PostgreSQL types in a dataset
SUPERSET_TYPES = {"text": "TEXT", "timestamp": "TIMESTAMP WITHOUT TIME ZONE"}
SQL_WORDS = {
    "and", "as", "avg", "case", "cast", "count", "else", "end", "false", "greatest", "in", "is", "least", "max",
    "min", "not", "null", "or", "sum", "then", "true", "when", "distinct", "coalesce", "nullif",
}  # fmt: skip


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _files(folder: str) -> dict[str, dict]:
    return {path.relative_to(BUNDLE).as_posix(): _load(path) for path in sorted((BUNDLE / folder).rglob("*.yaml"))}


@pytest.fixture(scope="module")
def bundle() -> dict[str, dict[str, dict]]:
    return {folder: _files(folder) for folder in ("databases", "datasets", "charts", "dashboards")}


@pytest.fixture(scope="module")
def contracts() -> dict[str, dict[str, str]]:
    """Each mart's contract: column name → declared data type (dbt_project/models/marts/_marts.yml)."""
    models = _load(MARTS_YML)["models"]
    return {model["name"]: {column["name"]: column["data_type"] for column in model["columns"]} for model in models}


def _identifiers(expression: str) -> set[str]:
    """The column names an SQL expression reads: identifiers that are neither SQL words nor function names."""
    without_strings = re.sub(r"'(?:[^']|'')*'", "''", expression)
    names = set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", without_strings))
    return {name for name in names if name.lower() not in SQL_WORDS}


def _published_type(data_type: str) -> str:
    postgres = postgres_type(DUCKDB_TYPES[data_type], data_type)
    return SUPERSET_TYPES.get(postgres, postgres.upper())


def _chart_columns(params: dict) -> set[str]:
    """Every dataset column (or metric) name a chart's params refer to."""
    used: set[str] = set()
    for key in ("groupby", "columns", "all_columns", "series", "entity"):
        value = params.get(key) or []
        used |= {value} if isinstance(value, str) else {item for item in value if isinstance(item, str)}
    for key in ("x_axis", "x_axis_sort", "granularity_sqla"):
        if isinstance(params.get(key), str):
            used.add(params[key])
    used |= {json.loads(entry)[0] for entry in params.get("order_by_cols") or []}
    used |= {rule["column"] for rule in params.get("conditional_formatting") or []}
    for condition in params.get("adhoc_filters") or []:
        if condition.get("expressionType") == "SIMPLE":
            used.add(condition["subject"])
        else:
            used |= _identifiers(condition["sqlExpression"])
    return used


def _chart_metrics(params: dict) -> list:
    """The metrics a chart computes: saved metrics by name, or ad-hoc ones (a column and an aggregate, or SQL)."""
    return [*(params.get("metrics") or []), *([params["metric"]] if params.get("metric") else [])]


def test_the_bundle_is_an_import_bundle_of_dashboards(bundle: dict) -> None:
    metadata = _load(BUNDLE / "metadata.yaml")
    assert metadata["type"] == "Dashboard" and metadata["version"] == "1.0.0"
    uuids = [item["uuid"] for files in bundle.values() for item in files.values()]
    assert len(uuids) == len(set(uuids)), "every object needs its own UUID"
    assert len(bundle["dashboards"]) >= 2 and bundle["charts"]
    (database,) = bundle["databases"].values()
    assert database["sqlalchemy_uri"].startswith("postgresql")
    assert ":" not in database["sqlalchemy_uri"].split("//", 1)[1].split("@")[0], "no password in the bundle"
    assert not database["allow_dml"]
    for path, dataset in bundle["datasets"].items():
        assert dataset["database_uuid"] == database["uuid"], path
    dataset_uuids = {dataset["uuid"] for dataset in bundle["datasets"].values()}
    for path, chart in bundle["charts"].items():
        assert chart["dataset_uuid"] in dataset_uuids, path
    start = (SUPERSET / "start.sh").read_text(encoding="utf-8")
    assert "superset import-dashboards" in start and "/bundle" in start


def test_every_dataset_is_a_published_mart_under_an_enforced_contract(bundle: dict, contracts: dict) -> None:
    project = _load(DBT_PROJECT / "dbt_project.yml")
    marts_config = project["models"]["planwatch"]["marts"]
    assert marts_config["+schema"] == "marts", "planwatch.publish copies the marts schema"
    assert marts_config["+contract"]["enforced"] is True
    for path, dataset in bundle["datasets"].items():
        assert dataset["schema"] == "marts" and not dataset["sql"], f"{path}: a physical table of the marts schema"
        assert dataset["table_name"] in contracts, f"{path}: {dataset['table_name']} is not a mart"


def test_every_dataset_column_is_a_contract_column_of_its_published_type(bundle: dict, contracts: dict) -> None:
    for path, dataset in bundle["datasets"].items():
        contract = contracts[dataset["table_name"]]
        physical = {column["column_name"]: column for column in dataset["columns"] if not column["expression"]}
        assert set(physical) <= set(contract), f"{path}: not in the mart: {sorted(set(physical) - set(contract))}"
        for name, column in physical.items():
            assert column["type"] == _published_type(contract[name]), f"{path}: {name}"
            assert column["is_dttm"] == (contract[name] in {"date", "timestamp"}), f"{path}: {name}"
        for column in dataset["columns"]:
            if column["expression"]:
                unknown = _identifiers(column["expression"]) - set(contract)
                assert not unknown, f"{path}: {column['column_name']} reads {sorted(unknown)}"
        for metric in dataset["metrics"]:
            unknown = _identifiers(metric["expression"]) - set(contract)
            assert not unknown, f"{path}: metric {metric['metric_name']} reads {sorted(unknown)}"
        if dataset["main_dttm_col"]:
            assert dataset["main_dttm_col"] in physical, path


def test_every_column_and_metric_a_chart_uses_exists_in_its_dataset(bundle: dict) -> None:
    datasets = {dataset["uuid"]: dataset for dataset in bundle["datasets"].values()}
    checked = 0
    for path, chart in bundle["charts"].items():
        dataset = datasets[chart["dataset_uuid"]]
        columns = {column["column_name"] for column in dataset["columns"]}
        metrics = {metric["metric_name"] for metric in dataset["metrics"]}
        assert chart["viz_type"] == chart["params"]["viz_type"], path
        used = _chart_columns(chart["params"])
        assert used or _chart_metrics(chart["params"]), f"{path} uses no column and no metric"
        assert used <= columns | metrics, f"{path}: not in {dataset['table_name']}: {sorted(used - columns - metrics)}"
        for metric in _chart_metrics(chart["params"]):
            if isinstance(metric, str):
                assert metric in metrics, f"{path}: no saved metric {metric} on {dataset['table_name']}"
            elif metric.get("expressionType") == "SIMPLE":
                assert metric["column"]["column_name"] in columns, path
            else:
                assert _identifiers(metric["sqlExpression"]) <= columns, path
        checked += len(used)
    assert checked > 30


def test_each_dashboard_places_bundle_charts_and_filters_on_columns_its_charts_have(bundle: dict) -> None:
    charts = {chart["uuid"]: chart for chart in bundle["charts"].values()}
    datasets = {dataset["uuid"]: dataset for dataset in bundle["datasets"].values()}
    placed = set()
    for path, dashboard in bundle["dashboards"].items():
        position = dashboard["position"]
        cells = {key: item for key, item in position.items() if isinstance(item, dict) and item.get("type") == "CHART"}
        children = {child for item in position.values() if isinstance(item, dict) for child in item.get("children", [])}
        ids = {}
        for key, cell in cells.items():
            assert cell["meta"]["uuid"] in charts, f"{path}: {key} is not a chart of the bundle"
            assert key in children, f"{path}: {key} is in no row"
            ids[cell["meta"]["chartId"]] = charts[cell["meta"]["uuid"]]
            placed.add(cell["meta"]["uuid"])
        for native_filter in dashboard["metadata"]["native_filter_configuration"]:
            for target in native_filter["targets"]:
                column = target["column"]["name"]
                dataset = datasets[target["datasetUuid"]]
                assert column in {c["column_name"] for c in dataset["columns"]}, f"{path}: {native_filter['name']}"
                assert set(native_filter["chartsInScope"]) <= set(ids), path
                assert set(native_filter["scope"]["excluded"]) <= set(ids), path
                for chart_id in native_filter["chartsInScope"]:
                    in_scope = datasets[ids[chart_id]["dataset_uuid"]]
                    assert column in {c["column_name"] for c in in_scope["columns"]}, (
                        f"{path}: filter {native_filter['name']} on {column} reaches {ids[chart_id]['slice_name']}, "
                        f"whose dataset {in_scope['table_name']} has no such column"
                    )
    assert placed == set(charts), "a chart on no dashboard"


def test_each_dashboard_has_a_dbt_exposure_on_exactly_the_marts_it_reads(bundle: dict) -> None:
    exposures = {exposure["name"]: exposure for exposure in _load(EXPOSURES_YML)["exposures"]}
    dashboards = {exposure["name"]: exposure for exposure in exposures.values() if exposure["type"] == "dashboard"}
    charts = {chart["uuid"]: chart for chart in bundle["charts"].values()}
    datasets = {dataset["uuid"]: dataset for dataset in bundle["datasets"].values()}
    matched = set()
    for path, dashboard in bundle["dashboards"].items():
        url = f"/superset/dashboard/{dashboard['slug']}/"
        (name,) = [name for name, exposure in dashboards.items() if exposure.get("url", "").endswith(url)] or [None]
        assert name, f"{path}: no exposure of type dashboard with a url ending {url}"
        chart_uuids = {
            item["meta"]["uuid"]
            for item in dashboard["position"].values()
            if isinstance(item, dict) and item.get("type") == "CHART"
        }
        read = {f"ref('{datasets[charts[uuid]['dataset_uuid']]['table_name']}')" for uuid in chart_uuids}
        assert set(dashboards[name]["depends_on"]) == read, f"exposure {name} must depend on {sorted(read)}"
        assert dashboards[name]["description"].strip() and dashboards[name]["owner"]["name"]
        matched.add(name)
    assert matched == set(dashboards), f"exposures without a dashboard: {sorted(set(dashboards) - matched)}"
    assert any(exposure["type"] == "analysis" and "督查通报" in exposure["label"] for exposure in exposures.values())
