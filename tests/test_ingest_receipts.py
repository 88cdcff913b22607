"""Receipts keep the transaction's promise: one per file, never overwritten, never lost in silence.

A resubmission gets its own receipt beside the original's; a NUL byte in a cell, a file name of 300
characters or with control characters still get a receipt; a receipt that cannot be written is
reported on the file's result and by the CLI; a receipt lists a bounded number of rows; and the
reading workers of an ingest killed with -9 end with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from planwatch.forms.layout import template_layout
from planwatch.forms.template import build_template
from planwatch.ingest.receipt import MAX_LISTED_ROWS, MAX_NAME_BYTES, is_receipt_name
from planwatch.template_format import MEASURE_LABELS
from tests.conftest import run_planwatch
from tests.ingest_support import REGISTRY, ingest, plausible_values, query

HEADER = "指标名称,地区,时期,数值,单位,口径"


def _long_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _summary(receipt: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(receipt, read_only=True)["回执"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_a_resubmission_gets_its_own_receipt_and_the_original_stays(tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "平凉市统计局_导出.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"])
    receipts = tmp_path / "receipts"
    [first] = ingest([path], tmp_path / "w.duckdb", receipts)
    [again] = ingest([path], tmp_path / "w.duckdb", receipts)
    assert first.status == "loaded" and again.status == "duplicate"
    assert Path(first.receipt).name == "平凉市统计局_导出_回执.xlsx"
    assert Path(again.receipt).name == "平凉市统计局_导出_回执_2.xlsx"
    assert _summary(Path(first.receipt))["处理结果"] == "已接收" and _summary(Path(first.receipt))["接收行数"] == 1
    assert str(_summary(Path(again.receipt))["处理结果"]).startswith("重复报送")
    assert is_receipt_name("平凉市统计局_导出_回执_2") and not is_receipt_name("平凉市统计局_导出")


def _rows(receipt: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(receipt, read_only=True)[sheet].iter_rows(min_row=2, values_only=True))


def test_a_correction_lists_each_figure_it_changes_with_the_value_sent_before_and_the_new_one(tmp_path: Path) -> None:
    """The clerk who sends the month again with two figures changed reads which two, and from what to what: the
    figures sent again unchanged correct nothing and are not listed; the count on 回执 is the list's length."""
    department, period = "hohhot.agriculture_animal_husbandry_bureau", "2022-06"
    layout = template_layout(REGISTRY, department, period)
    values = plausible_values(department, period)
    first_sheet = layout.data_sheets[0]
    changed = sorted(key for key in values if key[0] == first_sheet.indicator_code)[:2]
    assert len(changed) == 2 and len(values) > 2
    corrected = dict(values) | {key: round(values[key] * 1.02 + 1, 2) for key in changed}
    receipts = tmp_path / "receipts"
    original = tmp_path / "呼和浩特市农牧局_2022-06.xlsx"
    build_template(REGISTRY, department, period, values, None, layout).save(original)
    ingest([original], tmp_path / "w.duckdb", receipts)
    resent = tmp_path / "呼和浩特市农牧局_2022-06_更正.xlsx"
    build_template(REGISTRY, department, period, corrected, None, layout).save(resent)

    [result] = ingest([resent], tmp_path / "w.duckdb", receipts)

    assert result.status == "loaded" and result.revisions == 2 and result.observations == len(values)
    assert _summary(Path(result.receipt))["其中更正以前报送的数据项"] == 2
    cells = dict(
        query(
            tmp_path / "w.duckdb",
            f"select indicator_code || '|' || region_code || '|' || measure, cell from raw.observations "
            f"where load_id = {result.load_id}",
        )
    )
    in_sheet_order = sorted(changed, key=lambda key: (int(cells["|".join(key)][1:]), cells["|".join(key)]))
    assert _rows(Path(result.receipt), "更正明细") == [
        (
            first_sheet.sheet_name,
            cells["|".join(key)],
            first_sheet.indicator_name,  # as the template names it
            REGISTRY.reference.regions[key[1]].name,
            period,
            MEASURE_LABELS[key[2]],
            values[key],
            corrected[key],
            REGISTRY.reference.indicators[key[0]].canonical_unit,
            original.name,
        )
        for key in in_sheet_order
    ]
    assert [header.value for header in openpyxl.load_workbook(result.receipt)["更正明细"][1]] == [
        *("工作表", "单元格", "指标", "地区", "报送期", "口径"),
        *("原报送数值", "更正后数值", "单位", "原报送文件"),
    ]


def test_receipts_of_a_batch_committed_just_before_a_crash_are_put_in_place_by_the_next_run(
    tmp_path: Path, monkeypatch
) -> None:
    """The receipts are written, hidden, while the batch's transaction is open; a crash after the commit
    and before they are in place leaves them staged, and the next run puts them in place: the clerk gets
    the original receipt (with what was loaded and quarantined), not only a 重复报送 notice."""
    from planwatch.ingest import run

    paths = [
        _long_csv(tmp_path / "平凉市统计局_一.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"]),
        _long_csv(tmp_path / "平凉市统计局_二.csv", ["苹果产量,静宁县,2024-03,-3,万吨,累计"]),
    ]
    receipts = tmp_path / "receipts"

    def crash(staged: Path, receipts_dir: Path) -> Path:
        raise KeyboardInterrupt  # what a kill between the commit and the receipts' renames leaves

    monkeypatch.setattr(run, "promote_receipt", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(paths, tmp_path / "w.duckdb", receipts)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.file_loads") == [(2,)]  # committed
    assert not list(receipts.glob("*.xlsx")) and len(list(receipts.glob(".*.staged"))) == 2
    monkeypatch.undo()

    again = ingest(paths, tmp_path / "w.duckdb", receipts)
    assert [r.status for r in again] == ["duplicate", "duplicate"]
    assert not list(receipts.glob(".*"))
    first, second = (_summary(receipts / f"平凉市统计局_{n}_回执.xlsx") for n in ("一", "二"))
    assert first["处理结果"] == "已接收" and first["接收行数"] == 1
    assert second["未接收行数（需更正后重报）"] == 1  # the negative value, as the first run found it
    assert str(_summary(receipts / "平凉市统计局_一_回执_2.xlsx")["处理结果"]).startswith("重复报送")


def test_a_batch_that_never_committed_leaves_no_receipt(tmp_path: Path, monkeypatch) -> None:
    from planwatch.ingest import run, store

    path = _long_csv(tmp_path / "平凉市统计局_三.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"])
    receipts = tmp_path / "receipts"
    real_store = store.store_batch

    def crash_before_commit(connection, batch, reviewer=None, before_commit=None):
        def stage_then_crash(results):
            before_commit(results)
            raise KeyboardInterrupt  # killed after the receipts were staged, before the commit

        return real_store(connection, batch, reviewer, stage_then_crash)

    monkeypatch.setattr(run, "store_batch", crash_before_commit)
    with pytest.raises(KeyboardInterrupt):
        ingest([path], tmp_path / "w.duckdb", receipts)
    monkeypatch.undo()
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.file_loads") == [(0,)]
    [result] = ingest([path], tmp_path / "w.duckdb", receipts)
    assert result.status == "loaded"
    assert sorted(p.name for p in receipts.iterdir()) == ["平凉市统计局_三_回执.xlsx"]  # the staged one deleted


def test_control_characters_and_a_long_name_still_get_a_receipt(tmp_path: Path) -> None:
    long_name = "平凉市统计局_" + "x" * 225 + ".csv"  # 248 bytes: its receipt's name would not fit in 255
    assert len(long_name.encode()) == 248
    path = _long_csv(
        tmp_path / long_name,
        ["苹果产量,庄浪县,2024-03,12.5,万吨,累计", "苹果产量,静宁县,2024-03,3\x002,万吨,累计"],
    )
    odd = _long_csv(tmp_path / "平凉市统计局报表\x01\x1b.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"])
    receipts = tmp_path / "receipts"
    results = ingest([path, odd], tmp_path / "w.duckdb", receipts)
    assert [r.receipt_problem for r in results] == [None, None]
    long_receipt, odd_receipt = (Path(r.receipt) for r in results)
    assert len(long_receipt.stem.encode()) <= MAX_NAME_BYTES + 40 and long_receipt.exists()
    assert odd_receipt.name == "平凉市统计局报表___回执.xlsx" and odd_receipt.exists()
    # the NUL-bearing value is quarantined, and the receipt shows it escaped, not dropped
    assert results[0].rows_loaded == 1 and results[0].rows_quarantined == 1
    workbook = openpyxl.load_workbook(long_receipt, read_only=True)
    texts = [str(cell) for row in workbook["未接收的行"].iter_rows(values_only=True) for cell in row if cell]
    assert any("3\\x002" in text for text in texts), texts
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(2,)]


def test_receipts_that_cannot_be_written_are_reported_file_by_file(tmp_path: Path) -> None:
    first = _long_csv(tmp_path / "平凉市统计局_a.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"])
    second = _long_csv(tmp_path / "平凉市统计局_b.csv", ["苹果产量,静宁县,2024-03,2,万吨,累计"])
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the receipts folder should be")
    results = ingest([first, second], tmp_path / "w.duckdb", blocked / "receipts")
    assert [r.status for r in results] == ["loaded", "loaded"]  # committed; each file's receipt was tried
    assert all(r.receipt is None and "NotADirectoryError" in (r.receipt_problem or "") for r in results)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(2,)]


def test_the_cli_says_in_one_line_when_receipts_were_not_written(tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "平凉市统计局_a.csv", ["苹果产量,庄浪县,2024-03,12.5,万吨,累计"])
    receipts = tmp_path / "receipts"
    receipts.write_text("a file where the receipts folder should be")
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "ingest", str(path), "--warehouse", str(tmp_path / "w.duckdb"),
         "--receipts", str(receipts)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("planwatch ingest: 1 receipt(s) could not be written (the data is loaded): ")
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(1,)]


def test_a_huge_file_gets_a_bounded_receipt_fast(tmp_path: Path) -> None:
    rows = [f"苹果产量,庄浪县,2024-03,{index % 90 + 10},万吨,累计" for index in range(30_000)]
    path = _long_csv(tmp_path / "平凉市统计局_huge.csv", rows)
    started = time.perf_counter()
    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")
    seconds = time.perf_counter() - started
    assert result.rows_read == 30_001  # the header and 30,000 figures
    workbook = openpyxl.load_workbook(result.receipt, read_only=True)
    listed = [row for row in workbook["未接收的行"].iter_rows(min_row=2, values_only=True)]
    # the same figure 30,000 times with 90 values: which is right is not guessed, every row is quarantined
    # (as another value's conflict, or as a repeat of the first); the receipt lists a bounded number
    assert result.rows_quarantined == 30_000 and result.rows_loaded == 0
    assert len(listed) == MAX_LISTED_ROWS + 1 and "其余" in str(listed[-1][0])
    assert seconds < 120  # a bound against the old minutes, not a benchmark


def test_the_reading_workers_end_with_an_ingest_killed_with_minus_nine(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    run_planwatch("sample", "--until", "2021-08", "--out", str(sample), "--seed", "5")
    months = sorted(str(folder) for folder in sample.glob("20*"))
    environment = {**os.environ, "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb")}
    ingesting = subprocess.Popen(
        [sys.executable, "-m", "planwatch", "ingest", *months, "--receipts", str(tmp_path / "receipts")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and ingesting.poll() is None:
        workers = _children(ingesting.pid)
        time.sleep(0.02)
    assert workers, "the ingest finished before its workers could be seen; give it more files"
    os.kill(ingesting.pid, signal.SIGKILL)
    ingesting.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found |= {int(child) for child in children.read_text().split()}
    return found


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        state = next(line for line in status.read_text().splitlines() if line.startswith("State:"))
    except (FileNotFoundError, StopIteration, ProcessLookupError):
        return False
    return "Z" not in state.split()[1]
