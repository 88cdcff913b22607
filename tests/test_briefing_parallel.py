"""A month's briefings rendered by two processes: the same files, byte for byte, as by one; and a rerun
writes only the files whose inputs changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.briefing.run import render_month
from tests.conftest import BRIEFING_SAMPLE_LATEST

pytestmark = pytest.mark.xdist_group("briefing_warehouse")
FORMATS = ["html", "docx"]
PLAN = "pingliang_key_counties_2023"  # the plan and its counties with targets: units for two processes


def test_two_processes_write_what_one_writes_and_a_rerun_writes_only_what_changed(
    briefing_sample_warehouse: Path, tmp_path: Path
) -> None:
    warehouse, month = briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST
    one = render_month(warehouse, month, tmp_path / "one", PLAN, formats=FORMATS, jobs=1)
    two = render_month(warehouse, month, tmp_path / "two", PLAN, formats=FORMATS, jobs=2)
    assert (one.processes, two.processes) == (1, 2)
    assert one.briefings == two.briefings >= 3  # the plan and each of its counties
    assert [path.name for path in two.written] == [path.name for path in one.written]  # the same order, too
    assert len(one.written) == one.briefings * len(FORMATS) and one.unchanged == 0
    for first, second in zip(one.written, two.written, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert "by 2 processes" in two.timings()

    # the month again into the same folder: only a file deleted and one edited by hand are written
    before = {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in two.written}
    removed, edited = two.written[0], two.written[3]
    removed.unlink()
    edited.write_bytes(edited.read_bytes() + b" ")
    again = render_month(warehouse, month, tmp_path / "two", PLAN, formats=FORMATS, jobs=2)
    assert [path.name for path in again.written] == list(before)
    assert again.unchanged == len(before) - 2
    for path in again.written:
        mtime, data = before[path.name]
        assert path.read_bytes() == data, path.name
        if path not in (removed, edited):
            assert path.stat().st_mtime_ns == mtime, f"{path.name} was written again"
    assert "files unchanged, not written again" in again.timings()
    forced = render_month(warehouse, month, tmp_path / "two", PLAN, formats=["html"], jobs=2, force=True)
    assert forced.unchanged == 0 and all(path.suffix == ".html" for path in forced.written)
