"""Whether the marts show the office's decisions yet: a correction recorded, a month returned.

`planwatch correct` and `planwatch return` change what is current in the raw tables and the ledger at
once, but the marts (and every briefing drawn from them) only at the next `planwatch transform`. Until
then a briefing would print the old figure as current, so the publication gate asks for the rebuild.
"""

from __future__ import annotations

import duckdb

_TABLES = ("supervision.corrections", "supervision.submission_reviews", "marts.fct_observation")


def marts_behind_decisions(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Why the marts do not show the office's decisions yet (empty when they do): a correction not in
    them, or figures of a returned submission still in them."""
    present = {
        f"{schema}.{table}"
        for schema, table in connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('supervision', 'marts')"
        ).fetchall()
    }
    if not set(_TABLES) <= present:
        return []
    problems = []
    missing = connection.execute(
        """
        select count(*) from supervision.corrections as corrections
        where not exists (select 1 from marts.fct_observation as used where used.load_id = corrections.load_id)
          -- a figure corrected twice shows the second correction only
          and not exists (
              select 1 from supervision.corrections as later
              where later.indicator_code = corrections.indicator_code and later.region_code = corrections.region_code
                and later.period = corrections.period and later.measure = corrections.measure
                and later.load_id > corrections.load_id
          )
        """
    ).fetchone()[0]
    if missing:
        problems.append(f"{missing} correction(s) not yet in the marts")
    returned = connection.execute(
        """
        select count(*) from marts.fct_observation as used
        where exists (
            select 1 from supervision.submission_reviews as returns
            where returns.decision = 'returned' and returns.department_id = used.department_id
              and returns.period = strftime(used.period, '%Y-%m') and used.load_id <= returns.up_to_load_id
              and not exists (
                  select 1 from supervision.submission_reviews as later
                  where later.decision = 'approved' and later.department_id = returns.department_id
                    and later.period = returns.period and later.decided_at > returns.decided_at
                    and later.up_to_load_id >= used.load_id
              )
        )
        """
    ).fetchone()[0]
    if returned:
        problems.append(f"{returned} figure(s) of returned submissions still in the marts")
    return problems


def month_files_not_in_marts(connection: duckdb.DuckDBPyConnection, period: str) -> int:
    """Files loaded for `period` (YYYY-MM) by departments that owe it, that the month's submission mart
    does not count yet: ingested after the last `planwatch transform`. Chasing departments on those marts
    would tell one that reported that it has not."""
    from planwatch.periods import Period

    month_end = Period.parse(period).month_end
    loaded = connection.execute(
        """
        select count(*) from raw.file_loads as loads
        where loads.status = 'loaded' and coalesce(loads.layout, '') not in ('correction', 'follow_up_reply')
          and ',' || replace(loads.periods, ' ', '') || ',' like '%,' || ? || ',%'
          and loads.department_id in (
              select department_id from marts.mart_submission_completeness where period = ?
          )
        """,
        [period, month_end],
    ).fetchone()[0]
    counted = connection.execute(
        "select coalesce(sum(files_received + files_taken_nothing), 0) from marts.mart_submission_completeness "
        "where period = ?",
        [month_end],
    ).fetchone()[0]
    return max(int(loaded) - int(counted), 0)
