"""`planwatch layouts check`: a spec tried on sample files before it goes live, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import PROJECT_ROOT
from .ingest_support import QUARTERLY_SPEC, statistics_workbook


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planwatch", "layouts", "check", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )


def test_a_spec_is_tried_on_a_file_and_what_it_leaves_unmapped_is_listed(tmp_path: Path) -> None:
    spec = tmp_path / "county_quarterly_survey.yml"
    spec.write_text(QUARTERLY_SPEC, encoding="utf-8")
    table = {
        "Q2": [
            ["平凉市2024年第2季度季度调查"],
            ["单位名称", "肉牛存栏（万头）", "猪存栏（万头）"],
            ["庄浪县", 3.5, 1],
            ["回民区", 2, 1],
        ]
    }
    path = statistics_workbook(tmp_path / "平凉市统计局_quarterly.xlsx", table)

    done = _check(str(path), "--spec", str(spec), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [result] = [json.loads(line) for line in done.stdout.splitlines()]
    assert (result["layout"], result["periods"], result["figures"]) == ("county_quarterly_survey", ["2024-06"], 1)
    assert result["rows_quarantined"] == 1 and "回民区" in result["unmapped"][0]
    assert result["ignored_columns"] == ["Q2!C2 猪存栏(万头)（未登记的指标）"]
    # the loaded row's 猪存栏 value is set aside, named, and every cell is accounted for
    [value] = result["values_set_aside"]
    assert (value["cell"], value["status"], value["code"]) == ("C3", "quarantined", "unknown_indicator_column")
    assert "猪存栏" in value["reason"] and "“1”" in value["reason"]
    cells = result["cells"]
    assert (cells["read"], cells["loaded"], cells["quarantined"], cells["ignored"]) == (10, 2, 4, 4)
    assert not list(tmp_path.glob("*.duckdb")), "a dry run writes nothing"

    # without the spec the file is not recognised, and the check says so with a failing exit code
    done = _check(str(path))
    assert done.returncode == 1 and "would be rejected" in done.stdout


def test_a_broken_spec_is_named(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yml"
    spec.write_text(QUARTERLY_SPEC.replace("quarter>[1-4一二三四]", "quarter>5"), encoding="utf-8")
    done = _check(str(tmp_path), "--spec", str(spec))
    assert done.returncode == 1 and "broken.yml" in done.stdout + done.stderr
