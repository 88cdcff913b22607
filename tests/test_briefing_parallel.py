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
