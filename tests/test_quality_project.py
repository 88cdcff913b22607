"""The committed GX project matches the declared suites, stays lazy, and every expectation is tested."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from planwatch.config import PROJECT_ROOT
from planwatch.quality.project import is_current
from planwatch.quality.suites import SUITES
from tests.test_quality_marts import BAD_CASES as MART_BAD_CASES
from tests.test_quality_submissions import BAD_CASES, FILE_LOAD_BAD_CASES

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


def test_every_expectation_has_a_bad_case_test():
    # the good case of every check is the consistent load and the sound marts, which pass them all
    declared = {check.name for suite in SUITES.values() for check in suite.checks}
    tested = set(BAD_CASES) | set(FILE_LOAD_BAD_CASES) | set(MART_BAD_CASES)
    assert sorted(declared - tested) == []
    assert sorted(tested - declared) == []
