"""`planwatch status`: what the warehouse holds, what is checked, issued and published."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.config import settings
from planwatch.periods import CHINA_STANDARD_TIME
from planwatch.status import WarehouseStatus, warehouse_status

console = Console(soft_wrap=True, highlight=False)


def status(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
) -> None:
    """Show the plans, the months loaded, the last ingest, the quality gate and what is published."""
    for line in status_lines(warehouse_status(settings(), warehouse)):
        console.print(line, markup=False)


def _when(value: object) -> str:
    """A moment the warehouse stores as naive UTC, shown in China's time (what the office's other
    messages use), with its zone said."""
    if not isinstance(value, dt.datetime):
        return "never" if value is None else str(value)
    return f"{value.replace(tzinfo=dt.UTC).astimezone(CHINA_STANDARD_TIME):%Y-%m-%d %H:%M} (UTC+8)"


def status_lines(state: WarehouseStatus) -> list[str]:
    if not state.warehouse.exists():
        return [f"warehouse: none at {state.warehouse} (run `make demo`, or `planwatch plans load` and `ingest`)"]
    lines = [f"warehouse: {state.warehouse}", f"plans: {len(state.plans)}"]
    lines += [f"  {plan_id}  {title}" for plan_id, title in state.plans]
    months = f"{state.months[0]} to {state.months[-1]} ({len(state.months)} months)" if state.months else "none"
    lines.append(f"months loaded: {months}")
    lines.append(
        f"files: {state.files_loaded} loaded, {state.files_rejected} not loaded; last ingest {_when(state.last_ingest)}"
    )
    if state.marts_built:
        lines.append(f"marts: built, latest period {state.marts_latest_period}")
    else:
        lines.append("marts: not built (planwatch transform)")
    if state.gate is None:
        lines.append("quality gate: no month checked yet (planwatch check)")
    else:
        gate = state.gate
        verdict = "open" if gate.publishable else "CLOSED"
        if gate.overridden and gate.publishable:
            verdict += " (its critical failures released by an override)"
        elif gate.overridden:
            verdict += " (an override released it, but no longer holds)"
        if gate.stale:
            verdict += f" (the month's data changed since its check: planwatch check --period {gate.period})"
        elif gate.marts_behind:
            verdict += " (the marts do not show the office's latest decisions: planwatch transform, then check)"
        lines.append(
            f"quality gate: {gate.period} {verdict}, {gate.critical_failures} critical, {gate.warnings} warnings; "
            f"checked {_when(gate.checked_at)}"
        )
    if state.issued:
        newest = state.issued[0][1]
        plans = sorted(plan for plan, period, _ in state.issued if period == newest)
        listed = ", ".join(plans)
        lines.append(f"issued: {newest} for {len(plans)} plan(s) ({listed}); {len(state.issued)} issues in all")
    else:
        lines.append("issued: nothing yet (planwatch issue)")
    if state.published_snapshot:
        lines.append(
            f"published: snapshot {state.published_snapshot} (latest period {state.published_latest_period}, "
            f"built {state.published_at})"
        )
        if state.published_behind:
            lines.append("  BEHIND the warehouse (BI readers do not see it yet): " + "; ".join(state.published_behind))
        else:
            lines.append("  as the warehouse's marts (months and row counts), nothing loaded or decided since")
    else:
        lines.append("published: nothing yet (planwatch publish)")
    lines.append(f"PostgreSQL: {state.postgres + ' (publish target)' if state.postgres else 'not configured'}")
    return lines
