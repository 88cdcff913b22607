"""Jump thresholds live in the indicator catalogue: a default per nature, an indicator's own value replacing it.

The month-over-month and revision checks compare a figure's relative change with its indicator's
threshold; these tests pin the defaults the catalogue gives, show that an indicator's own threshold
(`max_month_over_month_change`, `max_revision_change` in `plans/reference/indicators/`) is what the
checks apply, and that a threshold the schema rejects stops the checks instead of silently dropping one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from planwatch.quality.frames import CatalogueProblemsError, catalogue_indicators
from planwatch.quality.run import run_checks
from planwatch.quality.store import ExpectationOutcome
from planwatch.registry.reference import Problem, load_reference
from planwatch.registry.schema import Indicator, Nature
from tests.test_quality_submissions import (
    BAD_CASES,
    FLOW,
    PERIOD,
    RATE,
    gx_output,
    outcome,
    registry_warehouse,
    write_warehouse,
)

__all__ = ["gx_output", "registry_warehouse"]  # the session fixtures, shared

REFERENCE = Path(__file__).resolve().parent.parent / "plans" / "reference"


def test_an_indicator_without_its_own_thresholds_gets_its_natures_defaults():
    indicators = load_reference(REFERENCE).indicators
    defaults = {Nature.stock: 0.5, Nature.flow: 1.0}
    for indicator in indicators.values():
        if indicator.max_month_over_month_change is None:
            assert indicator.month_over_month_change_limit == defaults[indicator.nature], indicator.indicator_code
        if indicator.max_revision_change is None:
            assert indicator.revision_change_limit == 0.05, indicator.indicator_code
    assert (indicators[RATE].nature, indicators[FLOW].nature) == (Nature.stock, Nature.flow)


def _set_thresholds(plans_copy: Path, thresholds: dict[str, dict[str, float]]) -> Path:
    """Write the thresholds into the copied catalogue, in the file that defines each indicator."""
    for path in sorted((plans_copy / "reference" / "indicators").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        touched = False
        for entry in document["indicators"]:
            if entry["indicator_code"] in thresholds:
                entry.update(thresholds[entry["indicator_code"]])
                touched = True
        if touched:
            path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return plans_copy / "reference"


@pytest.mark.parametrize(
    ("check_name", "thresholds"),
    [
        # the rate moves 2.6 → 5.4 (+108 %): a jump for a stock's 0.5, not for an indicator allowing 1.2
        ("month_over_month_jump", {RATE: {"max_month_over_month_change": 1.2}}),
        # a correction 33 → 40 (+21 %): a jump against 0.05, not against an indicator allowing 0.25
        ("revision_jump", {FLOW: {"max_revision_change": 0.25}}),
    ],
)
def test_an_indicators_own_threshold_is_the_one_the_check_applies(
    check_name: str,
    thresholds: dict[str, dict[str, float]],
    plans_copy: Path,
    registry_warehouse: Path,
    tmp_path: Path,
    gx_output: Path,
):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES[check_name][1])
    catalogue = catalogue_indicators(_set_thresholds(plans_copy, thresholds))

    def checked(indicators: Mapping[str, Indicator] | None = None) -> ExpectationOutcome:
        record, _ = run_checks(
            warehouse, PERIOD, gx_output, ["submissions"], store=False, data_docs=False, indicators=indicators
        )
        return outcome(record, check_name)

    assert not checked().success  # the committed catalogue: the nature's default
    own = checked(catalogue)
    assert (own.success, own.unexpected_count) == (True, 0)


def test_a_threshold_that_is_not_positive_is_a_registry_problem_and_stops_the_checks(plans_copy: Path):
    reference = _set_thresholds(plans_copy, {RATE: {"max_month_over_month_change": 0}})
    problems: list[Problem] = []
    load_reference(reference, problems)
    assert [(Path(p.file).name, p.item, p.field) for p in problems] == [
        ("hulin_agri_processing_2023.yml", RATE, "max_month_over_month_change")
    ]
    with pytest.raises(CatalogueProblemsError, match="max_month_over_month_change"):
        catalogue_indicators(reference)
