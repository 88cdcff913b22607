"""The checks on the sample of all five plans: the clean sample passes every month, and on the messy
sample the warnings are the mess ingestion let through, no more and no less.

Two warehouses are built as `planwatch sample --seed 42 --until 2025-12` (`--mess 0` and `--mess 0.1`),
`planwatch ingest` and `planwatch transform` build them, through the same functions; then every
month with data goes through every checkpoint. The same seed gives both samples the same figures, so
the clean sample's own warnings (a few real jumps, completion rates far beyond a target) are the
baseline; what the messy sample warns about beyond it must be explained by the mess the generator
recorded (`sample_manifest.json`, `sample_truth.csv`), and the mess that reaches the figures must be
warned about:
- a correction (`_更正`) that moves a figure by more than its indicator's `max_revision_change` is a
  `revision_jump` of that figure, and a smaller one is not;
- a department-month that lost every figure of an expected indicator (blanks, quarantined rows not
  made good by a correction) is a `department_reported_every_indicator` warning; where it lost every
  figure, `department_submitted` and `department_on_time` may warn too.
Mess that ingestion reads back to the clean value (numbers as text, other units, aliases, renamed
sheets, .xls) must raise nothing. The checks run once per warehouse; both tests read the results.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from planwatch.quality.frames import catalogue_indicators
from planwatch.quality.run import SAMPLE_ROWS, run_checks
from planwatch.quality.store import ExpectationOutcome, RunRecord
from planwatch.quality.suites import SUITES

from .conftest import PLANS_DIR, SEED42_SAMPLE_UNTIL, build_sample_warehouse

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("seed42_sample")]

UNTIL = SEED42_SAMPLE_UNTIL
SEED = 42  # the messy sample's seed (tests/conftest.py), so that the clean and the messy differ only by the mess


@dataclass
class CheckedSample:
    sample: Path
    warehouse: Path
    records: dict[str, RunRecord]  # by month, every month with data


def _checked(sample: Path, warehouse: Path, output: Path) -> CheckedSample:
    """Every month with data checked (nothing stored, no data docs: these tests read the outcomes)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        months = [row[0] for row in con.execute("select distinct period from raw.observations order by 1").fetchall()]
    records = {month: run_checks(warehouse, month, output, store=False, data_docs=False)[0] for month in months}
    return CheckedSample(sample, warehouse, records)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CheckedSample:
    root = tmp_path_factory.mktemp("clean_sample")
    return _checked(*build_sample_warehouse(root, UNTIL, SEED, mess_rate=0.0), root / "output")


@pytest.fixture(scope="module")
def messy(seed42_messy_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> CheckedSample:
    """The messy sample the marts coverage tests read too (tests/conftest.py builds it once per worker)."""
    return _checked(*seed42_messy_warehouse, tmp_path_factory.mktemp("messy_checks"))


def test_the_clean_sample_raises_no_critical_failure_in_any_month(clean: CheckedSample):
    months = sorted(clean.records)
    assert months[0] <= "2021-01" and months[-1] == UNTIL
    critical = {
        month: [item.qualified_name for item in record.outcomes if item.severity == "critical" and not item.success]
        for month, record in clean.records.items()
    }
    assert {month: names for month, names in critical.items() if names} == {}
    for month, record in clean.records.items():
        # every suite ran, the mart suites on dbt's marts, and every expectation was evaluated
        assert sorted(record.suites) == sorted(SUITES), month
        assert [item.qualified_name for item in record.outcomes if item.exception] == [], month


# ---- what a warning is about, and what the generator says the mess was --------------------------

Key = tuple[str, str, tuple]  # month, suite.check, the thing warned about


def _identity(item: ExpectationOutcome, row: dict) -> tuple:
    """What a warning row is about, without the file it came in (mess renames files: .xls, _更正)."""
    frame = SUITES[item.suite].frame
    if frame == "observations":
        return (row["period"], row["indicator_code"], row["region_code"], row["measure"])
    if frame == "submission_completeness":
        return (row["department_id"], row["period"])
    if frame == "target_progress":
        return (row["target_id"],)
    if frame == "file_loads":
        return (Path(row["file_name"]).stem,)
    return tuple(sorted((key, str(value)) for key, value in row.items() if key not in {"file_name", "sheet", "cell"}))


def warnings_of(checked: CheckedSample) -> set[Key]:
    found: set[Key] = set()
    for month, record in checked.records.items():
        for item in record.outcomes:
            if item.success or item.severity != "warning":
                continue
            # the results keep SAMPLE_ROWS rows per check; comparing needs them all
            assert item.unexpected_count == len(item.sample_rows) <= SAMPLE_ROWS, (month, item.qualified_name)
            found |= {(month, item.qualified_name, _identity(item, row)) for row in item.sample_rows}
    return found


@dataclass
class Mess:
    """The messy sample's record of itself, keyed like the warnings."""

    corrections: dict[tuple, tuple[float, float]]  # figure → (value replaced, corrected value)
    dropped: set[tuple]  # figures a blank or a quarantined row took out
    indicators: dict[tuple[str, str], set[str]]  # (department, month) → indicators with a figure
    reported: set[tuple[str, str]]  # (department, month) with any figure


def _truth(sample: Path) -> tuple[dict[str, dict], list[dict]]:
    manifest = json.loads((sample / "sample_manifest.json").read_text(encoding="utf-8"))
    with (sample / "sample_truth.csv").open(encoding="utf-8") as handle:
        return manifest, list(csv.DictReader(handle))


def _figure(row: dict) -> tuple:
    return (row["period"], row["indicator_code"], row["region_code"], row["measure"])


def mess_of(sample: Path) -> Mess:
    manifest, truth = _truth(sample)
    department = {item["path"]: item["department_id"] for item in manifest["files"]}
    first_reading = {_figure(row): float(row["value"]) for row in truth if row["is_revision"] == "false"}
    corrections = {
        _figure(cell): (first_reading[_figure(cell)], float(cell["clean_value"]))
        for cell in manifest["cells"]
        if cell["mess_kind"] == "correction" and _figure(cell) in first_reading
    }
    dropped = {
        _figure(cell)
        for cell in manifest["cells"]
        if cell["mess_kind"] in {"missing_values", "quarantine_rows"} and cell["indicator_code"]
    }
    indicators: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in truth:
        indicators[(department[row["file"]], row["period"])].add(row["indicator_code"])
    return Mess(corrections, dropped, indicators, set(indicators))


def expected_from_mess(mess: Mess, clean_indicators: dict[tuple[str, str], set[str]]) -> set[Key]:
    """The warnings the mess must raise: big corrections, and department-months that lost an indicator."""
    catalogue = catalogue_indicators(PLANS_DIR / "reference")
    expected: set[Key] = set()
    for figure, (replaced, corrected) in mess.corrections.items():
        change = abs(corrected / replaced - 1) if replaced else 0.0
        limit = catalogue[figure[1]].revision_change_limit
        assert abs(change - limit) > 1e-9, f"{figure}: a correction right on the threshold decides nothing"
        if change > limit:
            expected.add((figure[0], "submissions_observations.revision_jump", figure))
    for (department, month), wanted in clean_indicators.items():
        if wanted - mess.indicators.get((department, month), set()):
            expected.add((month, "department_completeness.department_reported_every_indicator", (department, month)))
    return expected


def _next_month_of(figure: tuple) -> tuple:
    period, *rest = figure
    year, month = int(period[:4]), int(period[5:])
    return (f"{year + month // 12:04d}-{month % 12 + 1:02d}", *rest)


def explained_by_mess(key: Key, mess: Mess) -> bool:
    """A warning beyond the clean baseline that the recorded mess accounts for."""
    _, check, about = key
    if check in {"department_completeness.department_submitted", "department_completeness.department_on_time"}:
        # every figure of the department-month was lost: nothing counts as received, let alone in time
        return about not in mess.reported
    if check == "submissions_observations.month_over_month_jump":
        # a corrected figure moves against last month, and next month moves against it
        return about in {*mess.corrections, *map(_next_month_of, mess.corrections)}
    return False


def hidden_by_mess(key: Key, mess: Mess) -> bool:
    """A clean-sample warning the mess may take away: its figure, or last month's, was blanked or corrected."""
    _, check, about = key
    touched = mess.dropped | set(mess.corrections)
    return check.startswith("submissions_observations.") and about in {*touched, *map(_next_month_of, touched)}


def test_on_the_messy_sample_the_warnings_are_the_mess_ingestion_let_through(
    clean: CheckedSample, messy: CheckedSample
):
    assert sorted(messy.records) == sorted(clean.records)
    critical = [
        (month, item.qualified_name)
        for month, record in messy.records.items()
        for item in record.outcomes
        if item.severity == "critical" and not item.success
    ]
    assert critical == [], "ingestion let through mess that a critical check catches"

    mess = mess_of(messy.sample)
    assert mess.corrections and mess.dropped, "the messy sample should hold corrections and lost figures"
    baseline, found = warnings_of(clean), warnings_of(messy)
    expected = expected_from_mess(mess, mess_of(clean.sample).indicators)
    assert expected, "some mess should be worth a warning"

    # every piece of mess worth a warning is warned about
    assert sorted(expected - found) == []
    # every warning beyond the clean sample's is mess the generator recorded (so a correction within
    # its indicator's threshold is no revision_jump)
    assert sorted(key for key in found - baseline - expected if not explained_by_mess(key, mess)) == []
    # and the mess hides none of the clean sample's warnings, except on figures it blanked or corrected
    assert sorted(key for key in baseline - found if not hidden_by_mess(key, mess)) == []
