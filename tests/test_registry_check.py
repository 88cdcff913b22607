"""`planwatch plans check` accepts the five plans and names file, item and field of every error kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.registry.check import check_registry
from planwatch.registry.load import load_registry

from .conftest import PLANS_DIR

PLAN_IDS = [
    "zhongwei_green_food_2021",
    "hulin_agri_processing_2023",
    "pingliang_key_counties_2023",
    "hohhot_dairy_cluster_2021",
    "zhangye_organic_base_2024",
]


def _check(plans_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plans", "check", "--plans-dir", str(plans_dir)])
    return result.exit_code, result.output


def _edit_first_target(plans_dir: Path, plan_id: str, **changes: object) -> tuple[Path, str]:
    path = plans_dir / f"{plan_id}.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["targets"][0].update(changes)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, document["targets"][0]["target_id"]


def test_the_five_plans_pass_the_check() -> None:
    registry = load_registry(PLANS_DIR)
    assert sorted(registry.plans) == sorted(PLAN_IDS)
    assert check_registry(registry) == []
    exit_code, output = _check(PLANS_DIR)
    assert exit_code == 0, output


def test_the_check_runs_as_a_command_and_fails_with_exit_code_1(plans_copy: Path) -> None:
    _edit_first_target(plans_copy, "hulin_agri_processing_2023", region="999999")
    completed = subprocess.run(
        [sys.executable, "-m", "planwatch", "plans", "check", "--plans-dir", str(plans_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "unknown region '999999'" in completed.stderr


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"comparator": "≥"}, "comparator", "Input should be"),
        ({"target_year": "二〇二五"}, "target_year", "valid integer"),
        ({"surprise": 1}, "surprise", "Extra inputs are not permitted"),
        ({"region": "999999"}, "region", "unknown region '999999'"),
        ({"indicator_code": "no_such_indicator"}, "indicator_code", "unknown indicator 'no_such_indicator'"),
        ({"lead_unit": "市不存在局"}, "lead_unit", "unknown department '市不存在局'"),
        ({"unit": "斤两"}, "unit", "unknown unit '斤两'"),
        ({"source_quote": "到2099年全市实现月球农场全覆盖"}, "source_quote", "not found verbatim"),
        ({"target_value": 987654.5}, "target_value", "987654 does not appear in its source_quote"),
    ],
    ids=[
        "schema-enum",
        "schema-type",
        "schema-extra",
        "region",
        "indicator",
        "department",
        "unit",
        "quote",
        "value",
    ],
)
@pytest.mark.parametrize("plan_id", ["hohhot_dairy_cluster_2021", "zhangye_organic_base_2024"])
def test_each_error_kind_is_reported_with_file_item_and_field(
    plans_copy: Path, plan_id: str, changes: dict, field: str, message: str
) -> None:
    path, target_id = _edit_first_target(plans_copy, plan_id, **changes)
    exit_code, output = _check(plans_copy)
    flat = " ".join(output.split())
    assert exit_code == 1
    assert f"{path}: {target_id}: {field}" in flat.replace(" ", "") or f"{path}: {target_id}: {field}" in flat
    assert message in flat


def test_a_duplicate_target_id_is_reported(plans_copy: Path) -> None:
    path = plans_copy / "hohhot_dairy_cluster_2021.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    duplicated = document["targets"][1]["target_id"]
    document["targets"][0]["target_id"] = duplicated
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert f"{duplicated}: id: duplicate id" in " ".join(output.split())


def test_an_id_duplicated_across_plans_is_reported(plans_copy: Path) -> None:
    other = yaml.safe_load((plans_copy / "hulin_agri_processing_2023.yml").read_text(encoding="utf-8"))
    foreign_id = other["targets"][0]["target_id"]
    _edit_first_target(plans_copy, "zhongwei_green_food_2021", target_id=foreign_id)
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert f"{foreign_id}: id: duplicate id" in " ".join(output.split())


def test_a_reference_key_defined_twice_is_reported(plans_copy: Path) -> None:
    extra = plans_copy / "reference" / "units" / "zz_extra.yml"
    extra.write_text("units:\n  - {unit: 亿元, dimension: currency, factor: 1.0e8}\n", encoding="utf-8")
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert "亿元: unit: duplicate unit" in " ".join(output.split())


def test_a_count_unit_without_its_counting_word_is_refused(plans_copy: Path) -> None:
    extra = plans_copy / "reference" / "units" / "zz_extra.yml"
    extra.write_text("units:\n  - {unit: 峰, dimension: head, factor: 1}\n", encoding="utf-8")
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert "unit '峰' (head) must say its counting word" in " ".join(output.split()), output


def test_a_milestone_quote_is_checked_too(plans_copy: Path) -> None:
    path = plans_copy / "hohhot_dairy_cluster_2021.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["milestones"][0]["source_quote"] = "2030年建成火星乳业基地"
    milestone_id = document["milestones"][0]["milestone_id"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert f"{milestone_id}: source_quote: not found verbatim" in " ".join(output.split())


@pytest.mark.parametrize(
    ("lead_unit", "expected"),
    [
        ("市工信局", "lead_unit: its lead_unit_quote does not name '市工信局' as lead (牵头) unit"),  # a 配合单位
        (None, "lead_unit_quote: a lead_unit_quote without a lead_unit"),
    ],
)
def test_a_lead_unit_is_checked_against_its_quote(plans_copy: Path, lead_unit: str | None, expected: str) -> None:
    path = plans_copy / "hohhot_dairy_cluster_2021.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    milestone = next(m for m in document["milestones"] if m.get("lead_unit_quote"))
    milestone["lead_unit"] = lead_unit
    if lead_unit is None:
        milestone.pop("lead_unit")
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    exit_code, output = _check(plans_copy)
    assert exit_code == 1
    assert f"{milestone['milestone_id']}: {expected}" in " ".join(output.split())
