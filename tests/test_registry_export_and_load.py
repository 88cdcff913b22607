"""The registry leaves planwatch as CSV, JSON and raw warehouse tables, with the same rows each way."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.registry.load import load_registry
from planwatch.warehouse import connect, load_registry_tables

from .conftest import PLANS_DIR

REQUIRED_TARGET_COLUMNS = {
    "plan_id",
    "target_id",
    "indicator_code",
    "indicator_name",
    "region_code",
    "region_name",
    "target_year",
    "target_value",
    "unit",
    "comparator",
    "kind",
    "base_year",
    "baseline_value",
    "lead_unit",
    "source_quote",
}


def test_csv_export_has_one_row_per_target_with_the_required_columns(tmp_path: Path) -> None:
    out = tmp_path / "targets.csv"
    result = CliRunner().invoke(app, ["plans", "export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    registry = load_registry(PLANS_DIR)
    assert len(rows) == sum(len(plan.targets) for plan in registry.plans.values())
    assert set(rows[0]) >= REQUIRED_TARGET_COLUMNS
    assert all(row["indicator_name"] and row["region_name"] for row in rows)
    cows = [row for row in rows if row["indicator_code"] == "dairy_cow_inventory" and row["region_code"] == "150100"]
    assert {(row["target_year"], float(row["target_value"]), row["unit"]) for row in cows} >= {
        ("2021", 36.0, "万头"),
        ("2023", 46.0, "万头"),
    }


def test_json_export_of_milestones_carries_deadline_and_lead_unit(tmp_path: Path) -> None:
    out = tmp_path / "milestones.json"
    result = CliRunner().invoke(app, ["plans", "export", "--kind", "milestone", "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    milestones = json.loads(out.read_text(encoding="utf-8"))
    assert milestones and all(item["deadline"] for item in milestones)
    assert any(item["lead_unit"] for item in milestones)
    assert {item["plan_id"] for item in milestones} >= {
        "hohhot_dairy_cluster_2021",
        "hulin_agri_processing_2023",
    }


def test_json_and_csv_exports_hold_the_same_targets(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["plans", "export", "--format", "json", "--out", str(tmp_path / "t.json")])
    runner.invoke(app, ["plans", "export", "--format", "csv", "--out", str(tmp_path / "t.csv")])
    from_json = {row["target_id"] for row in json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))}
    with (tmp_path / "t.csv").open(encoding="utf-8-sig") as handle:
        from_csv = {row["target_id"] for row in csv.DictReader(handle)}
    assert from_json == from_csv and len(from_json) > 250


def test_loading_the_registry_replaces_the_raw_tables(tmp_path: Path) -> None:
    registry = load_registry(PLANS_DIR)
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as connection:
        first = load_registry_tables(connection, registry)
        second = load_registry_tables(connection, registry)
    assert first == second
    assert first["registry_targets"] == sum(len(plan.targets) for plan in registry.plans.values())
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        stored = connection.sql("select count(*) from raw.registry_targets").fetchall()[0][0]
        orphans = connection.sql(
            """select count(*) from raw.registry_targets t
               left join raw.ref_regions r using (region_code)
               left join raw.ref_indicators i using (indicator_code)
               where r.region_code is null or i.indicator_code is null"""
        ).fetchall()[0][0]
    assert stored == first["registry_targets"]
    assert orphans == 0
