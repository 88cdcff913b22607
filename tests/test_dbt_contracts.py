"""The marts' dbt contracts hold: a mart whose SQL changes a column's type fails `dbt build` naming the column,
and leaves the mart a BI tool reads as it was; every model, column and source is described.

The project is copied to a scratch folder and built on a small warehouse (the registry and the sample's
first three months, a few seconds to make), through planwatch.transform as the CLI runs it. A contract is
checked before the table is replaced, so a broken mart never reaches the publisher.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from planwatch import transform
from planwatch.transform import TransformResult, run_dbt

from .conftest import run_planwatch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_contracts")]

MARTS_FOLDER = "models/marts"
SMALL_SAMPLE_UNTIL = "2021-03"  # the first plans' first months: every mart gets rows


@dataclass
class Built:
    root: Path
    warehouse: Path
    project: Path
    result: TransformResult
    manifest: dict


def _copy_project(destination: Path) -> Path:
    shutil.copytree(
        transform.DBT_PROJECT_DIR, destination, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    return destination


def _dbt(project: Path, args: list[str], warehouse: Path, artefacts: Path) -> TransformResult:
    """dbt on the copied project, as planwatch runs it (vars from planwatch.toml), artefacts kept apart."""
    environment = {"DBT_TARGET_PATH": str(artefacts / "target"), "DBT_LOG_PATH": str(artefacts / "logs")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transform, "DBT_PROJECT_DIR", project)
        return run_dbt(args, warehouse=warehouse, environment=environment)


def _messages(artefacts: Path) -> dict[str, str]:
    results = json.loads((artefacts / "target" / "run_results.json").read_text(encoding="utf-8"))
    return {result["unique_id"]: result["message"] or "" for result in results["results"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("contracts")
    warehouse, sample = root / "w.duckdb", root / "sample"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    run_planwatch("sample", "--until", SMALL_SAMPLE_UNTIL, "--out", str(sample))
    months = sorted(str(path) for path in sample.glob("20*"))
    run_planwatch("ingest", *months, "--warehouse", str(warehouse), "--receipts", str(root / "receipts"))
    project = _copy_project(root / "dbt_project")
    # as `planwatch transform` builds: the unit tests, which test the SQL on fixed inputs, run (and are
    # counted) in test_dbt_build; here they would only run a second time
    result = _dbt(project, ["build", "--exclude-resource-type", "unit_test"], warehouse, root / "unchanged")
    manifest = json.loads((root / "unchanged" / "target" / "manifest.json").read_text(encoding="utf-8"))
    return Built(root=root, warehouse=warehouse, project=project, result=result, manifest=manifest)


def _column_types(warehouse: Path, schema: str, table: str) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        )


def test_the_unchanged_project_builds_with_every_contract_and_test(built: Built) -> None:
    assert built.result.success, built.result.failures or built.result.error
    kinds = [node.split(".")[0] for node in built.result.statuses]
    assert kinds.count("model") >= 35 and kinds.count("test") >= 15  # not null, keys, accepted values: constraints


# (mart, the line of its SQL to change, what to change it to, the column, its contract type)
TYPE_CHANGES = [
    ("dim_plan", r"cast\(target_count as integer\) as target_count", "cast(target_count as varchar) as target_count",
     "target_count", "INTEGER"),
    ("fct_milestone_status", r"cast\(percent_complete as \{\{ double\(\) \}\}\) as percent_complete",
     "cast(percent_complete as decimal(9, 2)) as percent_complete", "percent_complete", "DOUBLE"),
]  # fmt: skip


@pytest.mark.parametrize(("mart", "pattern", "replacement", "column", "contract_type"), TYPE_CHANGES)
def test_a_mart_whose_column_changes_type_fails_the_build_naming_the_column_and_stays_as_it_was(
    built: Built, tmp_path: Path, mart: str, pattern: str, replacement: str, column: str, contract_type: str
) -> None:
    assert built.result.success, "the unchanged project must build first"
    project = _copy_project(tmp_path / "dbt_project")
    sql_path = project / MARTS_FOLDER / f"{mart}.sql"
    changed, count = re.subn(pattern, replacement, sql_path.read_text(encoding="utf-8"))
    assert count == 1, f"{sql_path.name} no longer has the line this test changes: {pattern}"
    sql_path.write_text(changed, encoding="utf-8")

    result = _dbt(project, ["build", "--select", mart], built.warehouse, tmp_path / "changed")

    node = f"model.planwatch.{mart}"
    assert not result.success and result.statuses[node] == "error"
    message = _messages(tmp_path / "changed")[node]
    assert "enforced contract" in message and "data type mismatch" in message, message
    (row,) = [line for line in message.splitlines() if re.match(rf"\s*\|\s*{column}\s*\|", line)]
    assert contract_type in row.upper(), row
    # checked before the table is replaced: what the publisher copies keeps its contract's type
    assert _column_types(built.warehouse, "marts", mart)[column] == contract_type


def _relations(warehouse: Path) -> dict[tuple[str, str], list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = 'w' order by table_schema, table_name, ordinal_position"
        ).fetchall()
    relations: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        relations.setdefault((schema, table), []).append(column)
    return relations


def test_every_model_column_and_source_is_described_and_every_column_built_is_documented(built: Built) -> None:
    relations = _relations(built.warehouse)
    models = [node for node in built.manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) >= 35
    for model in models:
        where = f"{model['original_file_path']}: {model['name']}"
        assert model["description"].strip(), f"{where} has no description"
        undescribed = [name for name, column in model["columns"].items() if not column["description"].strip()]
        assert not undescribed, f"{where}: columns without a description: {undescribed}"
        built_columns = relations[(model["schema"], model["alias"])]
        assert set(model["columns"]) == set(built_columns), (
            f"{where}: documented {sorted(set(model['columns']) ^ set(built_columns))} differ from what dbt builds"
        )
    for source in built.manifest["sources"].values():
        where = f"source {source['source_name']}.{source['name']}"
        assert source["description"].strip() and source["source_description"].strip(), where
        assert set(source["columns"]) == set(relations[(source["schema"], source["name"])]), where
        assert all(column["description"].strip() for column in source["columns"].values()), where


def test_every_mart_has_an_enforced_contract_typed_columns_and_a_primary_key(built: Built) -> None:
    marts = [
        node
        for node in built.manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(MARTS_FOLDER)
    ]
    assert len(marts) >= 13
    for mart in marts:
        assert mart["schema"] == "marts" and mart["contract"]["enforced"], mart["name"]
        assert all(column["data_type"] for column in mart["columns"].values()), mart["name"]
        keys = [c for c in mart["constraints"] if c["type"] == "primary_key"] + [
            {"columns": [name]}
            for name, column in mart["columns"].items()
            if any(c["type"] == "primary_key" for c in column["constraints"])
        ]
        assert len(keys) == 1 and set(keys[0]["columns"]) <= set(mart["columns"]), f"{mart['name']}: one primary key"
        assert sum(any(c["type"] == "not_null" for c in column["constraints"]) for column in mart["columns"].values())
    exposures = {exposure["name"]: exposure for exposure in built.manifest["exposures"].values()}
    briefing = exposures["supervision_briefings"]
    read = {node.split(".")[-1] for node in briefing["depends_on"]["nodes"]}
    assert {"fct_target_progress", "mart_department_scorecard", "mart_region_ranking"} <= read
