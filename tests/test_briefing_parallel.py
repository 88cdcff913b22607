"""A month's briefings rendered by two processes: the same files, byte for byte, as by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.briefing.run import render_month
from tests.conftest import BRIEFING_SAMPLE_LATEST

pytestmark = pytest.mark.xdist_group("briefing_warehouse")


def test_two_processes_write_the_same_briefings_as_one(briefing_sample_warehouse: Path, tmp_path: Path) -> None:
    formats = ["html", "docx"]
    one = render_month(briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST, tmp_path / "one", formats=formats, jobs=1)
    two = render_month(briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST, tmp_path / "two", formats=formats, jobs=2)
    assert (one.processes, two.processes) == (1, 2)
    assert one.briefings == two.briefings > 5  # each plan, its counties, the summary
    assert [path.name for path in two.written] == [path.name for path in one.written]  # the same order, too
    assert len(one.written) == one.briefings * len(formats)
    for first, second in zip(one.written, two.written, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert "by 2 processes" in two.timings()


def test_a_briefing_whose_inputs_did_not_change_is_not_written_again(
    briefing_sample_warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "month"
    first = render_month(briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST, out, formats=["html", "docx"], jobs=1)
    assert first.unchanged == 0
    before = {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in first.written}
    removed, edited = first.written[0], first.written[3]
    removed.unlink()
    edited.write_bytes(edited.read_bytes() + b" ")  # changed by hand: written again
    again = render_month(briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST, out, formats=["html", "docx"], jobs=2)
    assert [path.name for path in again.written] == list(before)
    assert again.unchanged == len(before) - 2
    for path in again.written:
        mtime, data = before[path.name]
        assert path.read_bytes() == data, path.name
        if path not in (removed, edited):
            assert path.stat().st_mtime_ns == mtime, f"{path.name} was written again"
    assert "files unchanged, not written again" in again.timings()
    forced = render_month(briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST, out, formats=["html"], jobs=1, force=True)
    assert forced.unchanged == 0 and all(path.suffix == ".html" for path in forced.written)
