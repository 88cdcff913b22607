"""What `planwatch ingest` says of each file and of the run, and how it exits, run as a user runs it.

A file of which nothing was taken (every row quarantined: its receipt says 未接收任何数据) is no success:
it gets its own mark and words, and the summary counts it apart from the files loaded. The summary counts
the values refused in cells as well as in rows, since a statistics table with counties as columns sets
its values aside one by one, and a partial file's line names its quarantined cells.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import PROJECT_ROOT
from .ingest_support import pingliang_table, statistics_workbook

CLEAN = [["苹果产量", "万吨", 12.5, 30], ["肉牛饲养量", "万头", 1.5, 4.5]]
# a footnote mark in a figure sets it aside (Unicode normalisation would make ① a digit); a row none of
# whose figures reads is quarantined
EVERY_ROW_FOOTNOTED = [["苹果产量", "万吨", "12.5①", "30①"], ["肉牛饲养量", "万头", "1.5①", "4.5①"]]


def _partial_table() -> dict:
    """Two of three rows loaded; 回民区 is no county of 平凉, so its column's values are set aside one by one."""
    return {
        "2024年3月": [
            ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"],
            ["指标", "计量单位", "庄浪县", "回民区", "静宁县"],
            ["苹果产量", "万吨", 12.5, 7, 30],
            ["肉牛饲养量", "万头", 1.5, 2, 4.5],
            ["肉牛出栏量", "万头", "0.8①", 1, "1.2①"],  # no figure of the row reads: the row is quarantined
        ]
    }


def _ingest(tmp_path: Path, *paths: Path, as_json: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "planwatch", "ingest", *map(str, paths)]
    command += ["--warehouse", str(tmp_path / "w.duckdb"), "--receipts", str(tmp_path / "receipts")]
    return subprocess.run(
        command + (["--json"] if as_json else []), cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


def _line_of(done: subprocess.CompletedProcess[str], name: str) -> str:
    [line] = [line for line in done.stderr.splitlines() if f" {name}: " in line and not line.startswith("ingest")]
    return line


def _summary(done: subprocess.CompletedProcess[str]) -> str:
    [line] = [line for line in done.stderr.splitlines() if " files: " in line]
    return line


def test_a_file_whose_every_row_was_quarantined_is_shown_and_counted_as_having_taken_nothing(tmp_path: Path) -> None:
    path = statistics_workbook(tmp_path / "平凉市统计局_全部脚注.xlsx", pingliang_table(EVERY_ROW_FOOTNOTED))
    done = _ingest(tmp_path, path)
    line = _line_of(done, path.name)
    assert line == (
        f"! {path.name}: took nothing — read 4 rows = loaded 0 + quarantined 2 + ignored 2; "
        "8 cells quarantined; see its receipt"
    ), done.stderr
    assert "✓" not in done.stderr
    assert _summary(done).startswith(
        "1 files: 0 loaded, 1 took nothing, 0 already loaded, 0 rejected; "
        "0 observations, 2 rows and 8 cells quarantined, 5 cells ignored; receipts in "
    ), done.stderr
    # loaded, not rejected: 0 as documented in `planwatch ingest --help` and the README (exit 2 is for rejections)
    assert done.returncode == 0, done.stderr


def test_a_partial_file_names_its_quarantined_cells_and_the_summary_counts_them_beside_the_rows(
    tmp_path: Path,
) -> None:
    path = statistics_workbook(tmp_path / "平凉市统计局_部分.xlsx", _partial_table())
    done = _ingest(tmp_path, path)
    # the 肉牛出栏量 row's 5 cells, and the 回民区 values of the two loaded rows
    assert _line_of(done, path.name) == (
        f"✓ {path.name}: read 5 rows = loaded 2 + quarantined 1 + ignored 2; 7 cells quarantined; "
        "4 observations, 0 revisions"
    ), done.stderr
    assert _summary(done).startswith(
        "1 files: 1 loaded, 0 took nothing, 0 already loaded, 0 rejected; "
        "4 observations, 1 rows and 7 cells quarantined, 6 cells ignored; "
    ), done.stderr
    assert done.returncode == 0, done.stderr


def test_a_clean_file_is_loaded_with_nothing_quarantined(tmp_path: Path) -> None:
    path = statistics_workbook(tmp_path / "平凉市统计局_完整.xlsx", pingliang_table(CLEAN))
    done = _ingest(tmp_path, path)
    assert _line_of(done, path.name) == (
        f"✓ {path.name}: read 4 rows = loaded 2 + quarantined 0 + ignored 2; 4 observations, 0 revisions"
    ), done.stderr
    assert _summary(done).startswith(
        "1 files: 1 loaded, 0 took nothing, 0 already loaded, 0 rejected; "
        "4 observations, 0 rows and 0 cells quarantined, 5 cells ignored; "
    ), done.stderr
    assert done.returncode == 0, done.stderr


def test_a_run_counts_each_outcome_apart_and_a_rejected_file_still_exits_2(tmp_path: Path) -> None:
    clean = statistics_workbook(tmp_path / "平凉市统计局_完整.xlsx", pingliang_table(CLEAN))
    partial = statistics_workbook(tmp_path / "平凉市统计局_部分.xlsx", _partial_table())
    nothing = statistics_workbook(tmp_path / "平凉市统计局_全部脚注.xlsx", pingliang_table(EVERY_ROW_FOOTNOTED))
    damaged = tmp_path / "平凉市统计局_损坏.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not a workbook")
    done = _ingest(tmp_path, clean, partial, nothing, damaged)
    assert _line_of(done, damaged.name).startswith(f"✗ {damaged.name}: rejected — "), done.stderr
    assert _line_of(done, nothing.name).startswith(f"! {nothing.name}: took nothing — "), done.stderr
    assert _summary(done).startswith(
        "4 files: 2 loaded, 1 took nothing, 0 already loaded, 1 rejected; "
        "8 observations, 3 rows and 15 cells quarantined, 16 cells ignored; "
    ), done.stderr
    assert done.returncode == 2, done.stderr


def test_json_gives_every_count_of_each_file_and_no_summary(tmp_path: Path) -> None:
    partial = statistics_workbook(tmp_path / "平凉市统计局_部分.xlsx", _partial_table())
    nothing = statistics_workbook(tmp_path / "平凉市统计局_全部脚注.xlsx", pingliang_table(EVERY_ROW_FOOTNOTED))
    done = _ingest(tmp_path, partial, nothing, as_json=True)
    assert done.returncode == 0, done.stderr
    results = {Path(item["file"]).name: item for item in map(json.loads, done.stdout.splitlines())}
    counts = ("rows_read", "rows_loaded", "rows_quarantined", "rows_ignored")
    cells = ("cells_read", "cells_loaded", "cells_quarantined", "cells_ignored")
    assert [results[partial.name][key] for key in counts + cells] == [5, 2, 1, 2, 21, 8, 7, 6]
    assert [results[nothing.name][key] for key in counts + cells] == [4, 0, 2, 2, 13, 0, 8, 5]
    assert [value["cell"] for value in results[partial.name]["values_set_aside"]] == ["D3", "D4"]
    assert (results[nothing.name]["took_nothing"], results[partial.name]["took_nothing"]) == (True, False)
    assert " files: " not in done.stderr
