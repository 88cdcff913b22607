"""Corrections to a locked month: the only way a figure of an issued month changes.

A department asks the office; the office records who, why, the old and the new value
(`planwatch correct`). The corrected figure is written as its own load (layout `correction`, a
`raw.file_loads` row named 更正登记第N号) so it is history like any other figure, and it outranks
every source for its key in `stg_ingest__observations`. The next briefing of each plan whose targets
read that figure says so under 更正说明, once; issuing that briefing marks the correction reported.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from planwatch.periods import Period
from planwatch.supervision.ledger import audit, now, rows, transaction

if TYPE_CHECKING:
    from planwatch.registry.reference import ReferenceData


class CorrectionError(ValueError):
    pass


@dataclass(frozen=True)
class Correction:
    correction_id: int
    indicator_code: str
    region_code: str
    period: str
    measure: str
    old_value: float | None
    new_value: float
    unit: str
    load_id: int


def current_figures(
    connection: duckdb.DuckDBPyConnection, indicator_code: str, region_code: str, period: str
) -> list[dict]:
    """The figures in use for the key, one per measure (marts.fct_observation: what the briefings read)."""
    return rows(
        connection,
        """
        select measure, value, unit, department_id, period_label
        from marts.fct_observation
        where indicator_code = ? and region_code = ? and period = ?
        order by measure
        """,
        [indicator_code, region_code, Period.parse(period).month_end],
    )


def implausible(reference: ReferenceData, indicator_code: str, value: float) -> str | None:
    """Why a corrected value cannot stand (in Chinese), or None: the rules ingest applies to every report."""
    from planwatch.plausibility.expectations import counts_one_by_one

    indicator = reference.indicators.get(indicator_code)
    if indicator is None:
        return None
    if not math.isfinite(value):
        return "不是有效数字"
    if value < 0 and (indicator.plausible_min is None or indicator.plausible_min >= 0):
        return "为负数，该指标不应为负"
    if counts_one_by_one(reference, indicator) and value != round(value):
        return f"不是整数，该指标按{indicator.canonical_unit}逐一计数"
    if indicator.plausible_min is not None and value < indicator.plausible_min:
        return f"低于该指标的合理下限{indicator.plausible_min:g}"
    if indicator.plausible_max is not None and value > indicator.plausible_max:
        return f"高于该指标的合理上限{indicator.plausible_max:g}"
    return None


def _last_correction(
    connection: duckdb.DuckDBPyConnection, indicator_code: str, region_code: str, period: str, measure: str
) -> dict:
    """{'value': the last corrected value} of the key when it was corrected before; else {}."""
    found = connection.execute(
        "select new_value from supervision.corrections where indicator_code = ? and region_code = ? and period = ? "
        "and measure = ? order by correction_id desc limit 1",
        [indicator_code, region_code, period, measure],
    ).fetchone()
    return {"value": found[0]} if found else {}


def correct(
    connection: duckdb.DuckDBPyConnection,
    indicator_code: str,
    region_code: str,
    period: str,
    new_value: float,
    reason: str,
    actor: str,
    measure: str | None = None,
    reference: ReferenceData | None = None,
) -> Correction:
    """Record a correction of a locked month's figure and load the new value; run `transform` after.

    With the registry's `reference`, a value no report could carry either is refused as ingest refuses it:
    a negative figure where none can be, a fraction of things counted one by one, one outside the
    catalogue's declared range."""
    if not reason.strip():
        raise CorrectionError("更正须写明理由（--reason）")
    locked = connection.execute("select count(*) from supervision.locked_months where period = ?", [period]).fetchone()
    if not locked or not locked[0]:
        raise CorrectionError(
            f"{period} 尚未签发锁定：未锁定月份的数据由报送单位重新报送（或由督查室退回后重报），不需要更正登记"
        )
    if reference is not None and (refusal := implausible(reference, indicator_code, new_value)):
        raise CorrectionError(
            f"{indicator_code} {region_code} {period}：更正值{new_value:g}{refusal}，请核实后重新登记"
        )
    figures = current_figures(connection, indicator_code, region_code, period)
    if measure is not None:
        figures = [figure for figure in figures if figure["measure"] == measure]
    if not figures:
        raise CorrectionError(
            f"{indicator_code} {region_code} {period}{' ' + measure if measure else ''}：marts.fct_observation "
            "中没有可更正的数据（请核对指标和地区编码；该月数据入库后须先运行 planwatch transform）"
        )
    if len(figures) > 1:
        measures = ", ".join(figure["measure"] for figure in figures)
        raise CorrectionError(
            f"{indicator_code} {region_code} {period} 有多个口径（{measures}），请用 --measure 指明更正哪一个"
        )
    # the figure in use: the last correction of the key when there is one (it is current, though the
    # marts may not show it until the next transform), else the marts' figure
    figure = figures[0] | _last_correction(connection, indicator_code, region_code, period, figures[0]["measure"])
    # the figure's own sender must be locked: another department's issued briefing locks only its reports
    sender = figure["department_id"]
    if (
        sender is not None
        and not connection.execute(
            "select count(*) from supervision.locked_months where period = ? and department_id = ?", [period, sender]
        ).fetchone()[0]
    ):
        raise CorrectionError(
            f"{indicator_code} {region_code} {period}：报送单位（{sender}）该月的数据尚未随通报签发锁定，"
            "应由报送单位重新报送（或由督查室退回后重报），不需要更正登记"
        )
    if figure["value"] is not None and abs(figure["value"] - new_value) <= 1e-9 * max(abs(new_value), 1):
        raise CorrectionError(
            f"{indicator_code} {region_code} {period} {figure['measure']}：现用数值已是{new_value:g}，"
            "更正值与其相同，无需更正（未登记）"
        )
    at = now()
    with transaction(connection):
        (correction_id,) = connection.execute(
            "select coalesce(max(correction_id), 0) + 1 from supervision.corrections"
        ).fetchone()
        (load_id,) = connection.execute("select nextval('raw.load_id_sequence')").fetchone()
        name = f"更正登记第{correction_id}号"
        digest = hashlib.sha256(
            json.dumps([correction_id, indicator_code, region_code, period, new_value, str(at)]).encode()
        ).hexdigest()
        connection.execute(
            """
            insert into raw.file_loads (load_id, file_name, file_path, sha256, file_size, layout, department_id,
                periods, status, rows_read, rows_loaded, rows_quarantined, rows_ignored, observations,
                milestone_reports, revisions, submitted_at, loaded_at, cells_read, cells_loaded,
                cells_quarantined, cells_ignored)
            values (?, ?, ?, ?, 0, 'correction', ?, ?, 'loaded', 1, 1, 0, 0, 1, 0, 1, ?, ?, 1, 1, 0, 0)
            """,
            [
                load_id,
                name,
                f"supervision:corrections/{correction_id}",
                digest,
                figure["department_id"],
                period,
                at,
                at,
            ],
        )
        connection.execute(
            """
            insert into raw.observations (load_id, file_sha256, file_name, sheet, cell, row_number, department_id,
                layout, indicator_code, region_code, period, measure, value, unit, original_value, original_unit,
                loaded_at, period_label)
            values (?, ?, ?, '更正登记', '-', ?, ?, 'correction', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                load_id,
                digest,
                name,
                correction_id,
                figure["department_id"],
                indicator_code,
                region_code,
                period,
                figure["measure"],
                new_value,
                figure["unit"],
                repr(new_value),
                figure["unit"],
                at,
                figure["period_label"],
            ],
        )
        connection.execute(
            "insert into supervision.corrections values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                correction_id,
                indicator_code,
                region_code,
                period,
                figure["measure"],
                figure["value"],
                new_value,
                figure["unit"],
                figure["department_id"],
                reason,
                actor,
                at,
                load_id,
            ],
        )
        audit(
            connection,
            actor,
            "correct",
            period=period,
            department_id=figure["department_id"],
            subject=f"{indicator_code}|{region_code}|{figure['measure']}",
            detail={"old": figure["value"], "new": new_value, "unit": figure["unit"], "reason": reason},
            at=at,
        )
    return Correction(
        correction_id,
        indicator_code,
        region_code,
        period,
        figure["measure"],
        figure["value"],
        new_value,
        figure["unit"],
        load_id,
    )


UNREPORTED_SQL = """
select
    corrections.correction_id, corrections.indicator_code, corrections.region_code, corrections.period,
    corrections.measure, corrections.old_value, corrections.new_value, corrections.unit, corrections.reason,
    corrections.actor, cast(corrections.corrected_at as date) as corrected_on
from supervision.corrections as corrections
where not exists (
        select 1 from supervision.correction_reports as reports
        where reports.correction_id = corrections.correction_id and reports.plan_id = $plan_id
    )
  and corrections.indicator_code in (select unnest($indicator_codes))
  and corrections.region_code in (select unnest($region_codes))
  and corrections.period < $period
order by corrections.correction_id
"""


def unreported(
    connection: duckdb.DuckDBPyConnection,
    plan_id: str,
    indicator_codes: list[str],
    region_codes: list[str],
    period: str,
) -> list[dict]:
    """Corrections of months before `period` to the plan's figures that no issued briefing of the plan reported."""
    if not indicator_codes or not region_codes:
        return []
    return rows(
        connection,
        UNREPORTED_SQL,
        {"plan_id": plan_id, "indicator_codes": indicator_codes, "region_codes": region_codes, "period": period},
    )
