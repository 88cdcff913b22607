"""What a briefing says of the supervision loop: each department's review state, 更正说明, 督办落实情况.

Read from the warehouse's `supervision` schema (planwatch/supervision); a warehouse that has never
had a decision, a correction or an issued briefing simply has nothing to say here.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from planwatch.briefing import marts
from planwatch.briefing.context import CorrectionLine, FollowUp, FollowUpLine, TargetLine
from planwatch.supervision import corrections, follow_up
from planwatch.supervision.states import submission_states
from planwatch.template_format import MEASURE_LABELS


def _has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    return marts.table_exists(con, "supervision.follow_up_items")


def review_states(con: duckdb.DuckDBPyConnection, department_ids: list[str], period: dt.date) -> dict[str, str]:
    """department name → its report's state for the month (已报送（待审核）, 已审核, 已退回, 已锁定 …)."""
    if not _has_ledger(con):
        return {}
    states = submission_states(con, department_ids, f"{period:%Y-%m}")
    return {state.department_name: state.label for state in states}


def correction_lines(
    con: duckdb.DuckDBPyConnection, plan_id: str, lines: list[TargetLine], period: dt.date
) -> tuple[CorrectionLine, ...]:
    """Corrections to the figures of the briefing's targets in earlier months, not yet in an issued briefing."""
    if not _has_ledger(con):
        return ()
    indicator_codes = marts.reported_indicators_of(con, [line.target_id for line in lines])
    region_codes = sorted({line.region_code for line in lines})
    found = corrections.unreported(con, plan_id, indicator_codes, region_codes, f"{period:%Y-%m}")
    names = dict(con.execute("select indicator_code, indicator_name from raw.ref_indicators").fetchall())
    names |= dict(con.execute("select region_code, region_name from raw.ref_regions").fetchall())
    return tuple(
        CorrectionLine(
            indicator_name=names.get(row["indicator_code"], row["indicator_code"]),
            region_name=names.get(row["region_code"], row["region_code"]),
            period=dt.date(int(row["period"][:4]), int(row["period"][5:7]), 1),
            measure_label=MEASURE_LABELS.get(row["measure"], row["measure"]),
            old_value=row["old_value"],
            new_value=row["new_value"],
            unit=row["unit"],
            reason=row["reason"],
            corrected_on=row["corrected_on"],
        )
        for row in found
    )


def follow_up_status(
    con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date, issue_date: dt.date, region_code: str | None
) -> FollowUp | None:
    """督办落实情况 as of the briefing's issue date; None when no earlier briefing opened an item."""
    if not _has_ledger(con):
        return None
    items = follow_up.item_lines(
        con, plan_id, f"{period:%Y-%m}", issue_date, None if region_code is None else [region_code]
    )
    if not items:
        return None
    return FollowUp(
        items=tuple(FollowUpLine(**{key: item[key] for key in FollowUpLine.model_fields}) for item in items)
    )
