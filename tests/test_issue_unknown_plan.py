"""审核 / 签发 of a plan the registry does not have (the planwatch_issue DAG's `plan`, typed by a person) is
refused with the plan ids the registry has, at either stage, before anything else is said about the month."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.config import load_settings
from planwatch.orchestration.supervision_tasks import issue_plan
from planwatch.registry.load import load_registry
from planwatch.warehouse import connect, load_registry_tables

from .conftest import PLANS_DIR


@pytest.mark.parametrize("stage", ["review", "sign"])
def test_an_unknown_plan_is_refused_naming_every_plan_of_the_registry(tmp_path: Path, stage: str) -> None:
    registry = load_registry(PLANS_DIR)
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as connection:
        load_registry_tables(connection, registry)
    config = load_settings({"PLANWATCH_WAREHOUSE": str(warehouse), "PLANWATCH_OUTPUT_DIR": str(tmp_path / "output")})

    with pytest.raises(ValueError) as refused:
        issue_plan("2023-09", "hohhot_dairy", stage, "张三", config)

    registered = sorted(registry.plans)
    assert len(registered) >= 2  # the real registry: a list worth reading
    assert str(refused.value) == f"unknown plan 'hohhot_dairy'; the registry has: {', '.join(registered)}"
