"""The committed GX project matches the declared suites, stays lazy, and finds the sample's mess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from planwatch.config import PROJECT_ROOT
from planwatch.quality.project import is_current
from planwatch.quality.suites import SUITES
from planwatch.warehouse import load_registry_tables

GX_PROJECT = PROJECT_ROOT / "expectations"


@pytest.mark.parametrize("suite_name", sorted(SUITES))
def test_the_committed_suite_is_what_suites_py_declares(suite_name: str):
    committed = json.loads((GX_PROJECT / "expectations" / f"{suite_name}.json").read_text(encoding="utf-8"))
    found = [
        (item["meta"]["check"], item["severity"], item["type"], item["kwargs"]) for item in committed["expectations"]
    ]
    declared = [
        (check.name, check.severity.value, check.expectation_type, check.kwargs) for check in SUITES[suite_name].checks
    ]
    assert found == declared, "run `python -m planwatch.quality.project` and commit expectations/"
    assert is_current(GX_PROJECT, SUITES[suite_name])


def test_every_expectation_has_a_severity_and_a_message():
    for suite in SUITES.values():
        for check in suite.checks:
            assert check.severity.value in {"critical", "warning"}
            assert check.message


def test_generated_results_and_docs_stay_out_of_the_project():
    config = (GX_PROJECT / "great_expectations.yml").read_text(encoding="utf-8")
    assert "${PLANWATCH_QUALITY_OUTPUT}/validations/" in config
    assert "${PLANWATCH_QUALITY_OUTPUT}/data_docs/" in config
    assert "uncommitted/" in (GX_PROJECT / ".gitignore").read_text(encoding="utf-8")


def test_the_command_line_does_not_import_great_expectations():
    code = "import sys, planwatch.cli, planwatch.quality.gate; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.slow
def test_on_the_messy_sample_a_correction_is_flagged_as_a_revision_jump(tmp_path: Path):
    from planwatch.quality.run import run_checks
    from planwatch.sample.generate import generate_sample
    from tests.ingest_support import REGISTRY, ingest

    sample = tmp_path / "sample"
    generate_sample(REGISTRY, sample, "2024-12", seed=42, mess_rate=0.1)
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    load_registry_tables(con, REGISTRY)
    con.close()
    ingest(sorted(p for p in sample.iterdir() if p.is_dir()), warehouse)
    manifest = json.loads((sample / "sample_manifest.json").read_text(encoding="utf-8"))
    corrections = [item for item in manifest["files"] if "correction" in item["mess_kinds"]]
    assert corrections, "the sample should hold a correction"
    for correction in corrections:
        record, _ = run_checks(warehouse, correction["period"], tmp_path / "out", ["submissions"], data_docs=False)
        (jump,) = [item for item in record.outcomes if item.check_name == "revision_jump"]
        assert not jump.success and jump.severity == "warning"
        assert jump.files == [Path(correction["path"]).name]
