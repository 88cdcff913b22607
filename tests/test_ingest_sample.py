"""Acceptance: the messy sample of all five plans is ingested without loss, read to the clean values.

`planwatch sample --mess` records every messy cell with the clean value it stands for, and every
observation it wrote (sample_truth.csv). Ingestion must account for every row of every file, read
each observation to the generator's value, and quarantine exactly what the generator meant to be bad.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from planwatch.sample.generate import generate_sample

from .ingest_support import REGISTRY, ingest, query

# the messy sample is generated and ingested once (module fixture): its tests on one xdist worker
pytestmark = pytest.mark.xdist_group("ingest_sample")

MESS_KINDS = {
    "numbers_as_text",
    "full_width_digits",
    "unit_changed",
    "region_alias",
    "missing_values",
    "total_row",
    "extra_columns",
    "renamed_sheet",
    "merged_title",
    "xls_file",
    "gbk_csv",
    "correction",
    "quarantine_rows",
    "percent_typed",
    "hidden_row",
    "excel_error",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    folder = tmp_path_factory.mktemp("messy")
    sample = folder / "sample"
    generate_sample(REGISTRY, sample, "2025-12", seed=7, mess_rate=0.3)
    # the whole sample folder, as a new user points ingest at it: its answer key is no submission
    results = ingest([sample], folder / "w.duckdb", folder / "receipts")
    return sample, folder / "w.duckdb", results


def _manifest(sample: Path) -> dict:
    return json.loads((sample / "sample_manifest.json").read_text(encoding="utf-8"))


def test_every_mess_kind_occurs_in_the_sample(ingested) -> None:
    sample, _, _ = ingested
    manifest = _manifest(sample)
    kinds = {kind for item in manifest["files"] for kind in item["mess_kinds"]}
    assert kinds == MESS_KINDS


def test_every_file_accounts_for_every_row_and_none_is_rejected(ingested) -> None:
    sample, warehouse, results = ingested
    assert len(results) == len(_manifest(sample)["files"])
    assert [r.file for r in results if r.status != "loaded"] == []
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored, result.file
    stored = query(
        warehouse,
        "select count(*) from raw.file_loads where rows_read <> rows_loaded + rows_quarantined + rows_ignored",
    )
    assert stored == [(0,)]


def test_every_observation_is_read_to_the_generators_clean_value(ingested) -> None:
    sample, warehouse, _ = ingested
    with (sample / "sample_truth.csv").open(encoding="utf-8") as handle:
        truth = {
            (Path(row["file"]).name, row["indicator_code"], row["region_code"], row["period"], row["measure"]): float(
                row["value"]
            )
            for row in csv.DictReader(handle)
        }
    loaded = {
        (file_name, indicator, region, period, measure): value
        for file_name, indicator, region, period, measure, value in query(
            warehouse, "select file_name, indicator_code, region_code, period, measure, value from raw.observations"
        )
    }
    missing = sorted(set(truth) - set(loaded))
    unexpected = sorted(set(loaded) - set(truth))
    wrong = sorted(
        key for key in set(truth) & set(loaded) if not math.isclose(truth[key], loaded[key], rel_tol=1e-9, abs_tol=1e-9)
    )
    assert missing == [], missing[:5]
    assert unexpected == [], unexpected[:5]
    assert wrong == [], [(key, truth[key], loaded[key]) for key in wrong[:5]]


def test_each_messy_cell_is_read_ignored_or_quarantined_as_recorded(ingested) -> None:
    sample, warehouse, _ = ingested
    cells = _manifest(sample)["cells"]
    quarantined = {
        (Path(f).name, s, r) for f, s, r in query(warehouse, "select file_name, sheet, row_number from raw.quarantine")
    }
    observed = {
        (file_name, indicator, region, period, measure): value
        for file_name, indicator, region, period, measure, value in query(
            warehouse, "select file_name, indicator_code, region_code, period, measure, value from raw.observations"
        )
    }
    ignored_columns = dict(query(warehouse, "select file_name, ignored_columns from raw.file_loads"))
    outcomes = Counter()
    for cell in cells:
        file_name = Path(cell["file"]).name
        if cell["expected"] == "quarantine":
            row_number = int("".join(ch for ch in cell["cell"] if ch.isdigit()))
            assert (file_name, cell["sheet"], row_number) in quarantined, cell
        else:
            wanted = (file_name, cell["indicator_code"], cell["region_code"], cell["period"], cell["measure"])
            matching = [
                value
                for key, value in observed.items()
                if all(part is None or part == found for part, found in zip(wanted, key, strict=True))
            ]
            complete = None not in wanted
            if cell["expected"] == "read" and cell["indicator_code"] is None:
                # a header cell (a region's other name heading a column) was understood, not set aside
                assert f"{cell['sheet']}!{cell['cell']} " not in ignored_columns.get(file_name, ""), cell
            elif cell["expected"] == "read":
                # a unit cell names no region or measure: the figures it governs were read
                assert matching, cell
                if complete and cell["clean_value"] is not None:
                    assert math.isclose(matching[0], cell["clean_value"], rel_tol=1e-9, abs_tol=1e-9), cell
            elif complete:
                assert matching == [], cell
        outcomes[cell["expected"]] += 1
    assert outcomes["read"] and outcomes["quarantine"] and outcomes["ignored"]


def test_a_correction_becomes_current_and_keeps_the_old_value(ingested) -> None:
    _, warehouse, results = ingested
    assert sum(r.revisions for r in results) > 0
    changed = query(
        warehouse,
        """
        with versions as (
            select indicator_code, region_code, period, measure, value, load_id,
                   row_number() over (partition by indicator_code, region_code, period, measure
                                      order by load_id desc) as newest_first,
                   count(*) over (partition by indicator_code, region_code, period, measure) as versions
            from raw.observations)
        select count(*) filter (where newest_first = 1), count(*) filter (where newest_first > 1)
        from versions where versions > 1""",
    )
    current, history = changed[0]
    assert current > 0 and history >= current


def test_ingesting_the_sample_again_adds_nothing(ingested) -> None:
    sample, warehouse, _ = ingested
    before = query(warehouse, "select count(*) from raw.observations")
    again = ingest(sorted(p for p in sample.iterdir() if p.is_dir()), warehouse)
    assert {r.status for r in again} == {"duplicate"}
    assert query(warehouse, "select count(*) from raw.observations") == before
