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


def test_a_rerun_of_an_unchanged_month_draws_no_chart_and_a_changed_trend_is_drawn_again(
    briefing_sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a briefing's files would change is decided before its charts are drawn (from what they are
    drawn from), so a month briefed again costs no drawing; a chart whose data changed is drawn again."""
    import dataclasses

    from planwatch.briefing import charts, render
    from planwatch.briefing.render import chart_plan

    warehouse, month = briefing_sample_warehouse, BRIEFING_SAMPLE_LATEST
    running = "zhangye_organic_base_2024"  # still running in the month: its briefings have trend charts
    first = render_month(warehouse, month, tmp_path, running, formats=["html"], counties=False, jobs=1)
    assert first.unchanged == 0 and first.briefings == 1
    before = {path.name: path.read_text(encoding="utf-8") for path in first.written}

    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a chart was drawn for a briefing whose files are unchanged")

    for name in ("trend_chart", "completion_figures", "plan_status_chart", "county_status_heatmap"):
        monkeypatch.setattr(charts, name, no_drawing)
    again = render_month(warehouse, month, tmp_path, running, formats=["html"], counties=False, jobs=1)
    assert again.unchanged == first.briefings

    # the same briefing with one trend point moved: its inputs differ, so it is drawn and written again
    monkeypatch.undo()
    original = chart_plan

    def moved(con, briefing, png=True):  # type: ignore[no-untyped-def]
        plan = original(con, briefing, png)
        if not plan.trends:
            return plan
        (title, series), *rest = plan.trends
        point = dataclasses.replace(series.observed[-1], value=series.observed[-1].value + 1)
        shifted = dataclasses.replace(series, observed=(*series.observed[:-1], point))
        return dataclasses.replace(plan, trends=((title, shifted), *rest))

    monkeypatch.setattr(render, "chart_plan", moved)
    monkeypatch.setattr("planwatch.briefing.run.chart_plan", moved)
    redrawn = render_month(warehouse, month, tmp_path, running, formats=["html"], counties=False, jobs=1)
    assert redrawn.unchanged == 0  # the plan's briefing, whose trend chart moved, is written again
    changed = [path.name for path in redrawn.written if path.read_text(encoding="utf-8") != before[path.name]]
    assert len(changed) == first.briefings - redrawn.unchanged  # each written again shows the moved point


def test_reads_are_remembered_only_on_a_read_only_connection(tmp_path: Path) -> None:
    """A brief run's read-only connection answers a repeated read from memory (nothing can change under it:
    DuckDB lets no process write while it is open); a writable connection is refused, as its data may change."""
    import duckdb

    from planwatch.briefing import marts
    from planwatch.briefing.marts import department_names, remember_reads

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as writable:
        writable.execute(
            "create schema marts; create table marts.dim_department as "
            "select 'a.stats' as department_id, '甲县统计局' as department_name"
        )
        with pytest.raises(ValueError, match="read-only"):
            remember_reads(writable)
        assert department_names(writable) == {"a.stats": "甲县统计局"}
        writable.execute("update marts.dim_department set department_name = '甲县统计局（新）'")
        assert department_names(writable) == {"a.stats": "甲县统计局（新）"}  # not remembered: read again
    with duckdb.connect(str(path), read_only=True) as reader:
        assert remember_reads(reader) is reader
        assert department_names(reader) == {"a.stats": "甲县统计局（新）"}
        first = department_names(reader)
        assert len(marts._REMEMBERED[reader]) == 1  # one read, remembered
        assert department_names(reader) == first and department_names(reader) is not first  # a copy each time
