"""Where each department's report for a month stands: 未报送 → 已报送 → 已审核 or 已退回 → 已锁定.

Modelled on DHIS2's data approval: a department's files covering a month are its submission; the
office approves it (a county's department first at county level, then the city) or returns it with
a reason; issuing the month's briefing locks it. A file that arrives after a decision reopens the
submission (已报送 again), because what was decided on is no longer what is current. Read straight
from `raw.file_loads` and the `supervision` tables, so a decision shows at once, without a transform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from planwatch.periods import Period
from planwatch.supervision.ledger import rows

STATE_LABELS: dict[str, str] = {
    "not_submitted": "未报送",
    "submitted": "已报送",
    "county_approved": "县级已审核",
    "approved": "已审核",
    "returned": "已退回",
    "locked": "已锁定",
}
# where a decision still has to come from: a submission that waits on the office
AWAITING_REVIEW = frozenset({"submitted", "county_approved"})

STATES_SQL = """
with departments as (
    select departments.department_id, departments.department_name,
           coalesce(regions.level = 'county', false) as two_levels
    from raw.ref_departments as departments
    left join raw.ref_regions as regions on departments.region_code = regions.region_code
    where departments.department_id in (select unnest($department_ids))
),
covering as (
    select department_id, load_id, rows_loaded > 0 as anything_taken
    from raw.file_loads
    where status = 'loaded' and department_id is not null
      and list_contains(string_split(replace(coalesce(periods, ''), ' ', ''), ','), $period)
      and coalesce(layout, '') not in ('correction', 'follow_up_reply')
),
-- a file from which nothing was taken (its receipt says 未接收任何数据) is no submission
loads as (
    select department_id, max(load_id) filter (where anything_taken) as last_load_id,
           count(*) filter (where anything_taken) as files,
           count(*) filter (where not anything_taken) as files_taken_nothing
    from covering
    group by department_id
),
decisions as (
    select *, row_number() over (partition by department_id, level order by decided_at desc) as latest
    from supervision.submission_reviews
    where period = $period
),
city as (select * from decisions where latest = 1 and level = 'city'),
county as (select * from decisions where latest = 1 and level = 'county'),
returns as (
    select department_id, max(up_to_load_id) as returned_up_to
    from supervision.submission_reviews
    where period = $period and decision = 'returned'
    group by department_id
),
locked as (select distinct department_id from supervision.locked_months where period = $period)
select
    departments.department_id,
    departments.department_name,
    departments.two_levels,
    coalesce(loads.files, 0) as files,
    coalesce(loads.files_taken_nothing, 0) as files_taken_nothing,
    case
        when locked.department_id is not null then 'locked'
        when loads.last_load_id is null then 'not_submitted'
        when city.decision = 'returned' and city.up_to_load_id >= loads.last_load_id then 'returned'
        when county.decision = 'returned' and county.up_to_load_id >= loads.last_load_id then 'returned'
        when city.decision = 'approved' and city.up_to_load_id >= loads.last_load_id then 'approved'
        when departments.two_levels and county.decision = 'approved' and county.up_to_load_id >= loads.last_load_id
            then 'county_approved'
        else 'submitted'
    end as state,
    case
        when city.decision = 'returned' and city.up_to_load_id >= loads.last_load_id then city.reason
        when county.decision = 'returned' and county.up_to_load_id >= loads.last_load_id then county.reason
    end as return_reason,
    case
        when city.decision = 'returned' and city.up_to_load_id >= loads.last_load_id then city.decided_at
        when county.decision = 'returned' and county.up_to_load_id >= loads.last_load_id then county.decided_at
    end as returned_at,
    coalesce(loads.last_load_id > returns.returned_up_to, false) as resubmitted,
    loads.last_load_id
from departments
left join loads on departments.department_id = loads.department_id
left join city on departments.department_id = city.department_id
left join county on departments.department_id = county.department_id
left join returns on departments.department_id = returns.department_id
left join locked on departments.department_id = locked.department_id
order by departments.department_id
"""


@dataclass(frozen=True)
class SubmissionState:
    department_id: str
    department_name: str
    two_levels: bool  # a county's department: approved by the county, then the city
    files: int
    files_taken_nothing: int  # files covering the month of which nothing was taken: no submission
    state: str
    return_reason: str | None
    returned_at: dt.datetime | None  # when the return in force was decided (naive UTC)
    resubmitted: bool  # returned earlier, sent again since
    last_load_id: int | None

    @property
    def label(self) -> str:
        label = STATE_LABELS[self.state]
        if self.state == "not_submitted" and self.files_taken_nothing:
            return f"{label}（所报{self.files_taken_nothing}个文件均未接收任何数据，见回执）"
        if self.state == "submitted" and self.resubmitted:
            return "已重报（待审核）"
        if self.state == "submitted":
            return "已报送（待审核）"
        if self.state == "county_approved":
            return "县级已审核（待市级审核）"
        return label


def submission_states(
    connection: duckdb.DuckDBPyConnection, department_ids: list[str], period: str
) -> list[SubmissionState]:
    """The state of each department's report for `period` (YYYY-MM), in department order."""
    if not department_ids:
        return []
    found = rows(connection, STATES_SQL, {"department_ids": sorted(department_ids), "period": period})
    return [SubmissionState(**row) for row in found]


# (department, period) → the issued briefings (plan, 期号) that locked it
Locks = dict[tuple[str, str], list[tuple[str, int]]]


def locked_departments(connection: duckdb.DuckDBPyConnection) -> Locks:
    """(department, period) → the issued briefings (plan, 期号) that locked it: what ingest refuses."""
    found = connection.execute(
        """
        select locked.department_id, locked.period, locked.plan_id, issued.issue_number
        from supervision.locked_months as locked
        inner join supervision.issued_briefings as issued
            on locked.plan_id = issued.plan_id and locked.period = issued.period
        order by 1, 2, 3
        """
    ).fetchall()
    locks: Locks = {}
    for department_id, period, plan_id, issue_number in found:
        locks.setdefault((department_id, period), []).append((plan_id, issue_number))
    return locks


def locked_refusal(
    department_id: str | None,
    periods: list[str],
    locks: Locks,
    plan_titles: dict[str, str],
) -> str | None:
    """The Chinese reason a file for a locked month is refused (None when no month it covers is locked)."""
    if department_id is None:
        return None
    locked = [(period, locks[(department_id, period)]) for period in periods if (department_id, period) in locks]
    if not locked:
        return None
    months = "、".join(Period.parse(period).label for period, _ in locked)
    issues = "、".join(
        sorted(
            {
                f"《{plan_titles.get(plan_id, plan_id)}》督查通报第{number}期"
                for _, found in locked
                for plan_id, number in found
            }
        )
    )
    return (
        f"{months}的数据已随{issues}签发并锁定，本文件未接收。如数据确需更正，请向督查室书面提出更正申请，"
        "写明指标、地区、月份、原数值、新数值和更正理由，经审核后由督查室登记更正（更正情况将在下期通报中说明）。"
    )
