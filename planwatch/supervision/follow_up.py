"""督办: what an issued briefing asks of the units that lag, and whether they answered.

Issuing a plan's briefing opens one 督办事项 for every 严重滞后 or 未完成 target (and, with
`follow_up_lagging`, every 滞后 one) and every overdue milestone, addressed to its lead unit, with a
reply deadline in working days after the issue date. A subject already open is not opened twice: the
open item is followed on. Departments answer with the 整改反馈 form (forms in follow_up_form.py,
ingested like any submission into `supervision.follow_up_replies`). An item is closed (销号) when the
next issued briefing finds its target back on track or its milestone done, or when the office closes
it with a reason. Each briefing reports 督办落实情况 as of its own issue date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.periods import CHINA_STANDARD_TIME, Period, china_day
from planwatch.supervision.ledger import audit, now, rows
from planwatch.supervision.workdays import is_working_day

SEVERE_STATUSES = frozenset({"severely_lagging", "missed"})
RECOVERED_STATUSES = frozenset({"achieved", "ahead", "on_track"})
ITEM_STATES = {"open": "办理中", "replied": "已反馈", "overdue": "逾期未反馈", "closed": "已销号"}
LATE_REPLY = "逾期反馈"  # replied, after the deadline


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (public holidays and 调休 counted)."""
    current, found = day, 0
    while found < count:
        current += dt.timedelta(days=1)
        found += is_working_day(current)
    return current


@dataclass(frozen=True)
class Subject:
    """Something an issued briefing found lagging: a target or a milestone, with its lead unit."""

    kind: str  # target | milestone
    subject_id: str
    subject: str
    region_code: str | None
    lead_unit: str | None
    ask: str


def _department_ids(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found = connection.execute("select department_name, department_id from raw.ref_departments").fetchall()
    return dict(found)


def reporting_unit(connection: duckdb.DuckDBPyConnection, plan_id: str) -> str | None:
    """The unit that reports on the plan (its 牵头报送单位): a target without a named lead unit goes to it."""
    found = connection.execute("select reporting_unit from raw.registry_plans where plan_id = ?", [plan_id]).fetchone()
    return found[0] if found else None


def new_items(
    connection: duckdb.DuckDBPyConnection,
    plan_id: str,
    period: str,
    issue_number: int,
    issue_date: dt.date,
    subjects: list[Subject],
    reply_working_days: int,
) -> list[dict]:
    """The items issuing would open: one per subject not already open (nothing is written)."""
    reply_due = add_working_days(issue_date, reply_working_days)
    already = {
        row[0]
        for row in connection.execute(
            "select subject_id from supervision.follow_up_items where plan_id = ? and state = 'open'", [plan_id]
        ).fetchall()
    }
    departments = _department_ids(connection)
    fallback = reporting_unit(connection, plan_id)
    items = []
    for number, subject in enumerate((s for s in subjects if s.subject_id not in already), start=1):
        lead_unit = subject.lead_unit or fallback
        items.append(
            {
                "item_id": f"DB{period.replace('-', '')}-{plan_id}-{number:03d}",
                "plan_id": plan_id,
                "opened_period": period,
                "issue_number": issue_number,
                "kind": subject.kind,
                "subject_id": subject.subject_id,
                "subject": subject.subject,
                "region_code": subject.region_code,
                "department_id": departments.get(lead_unit or ""),
                "department_name": lead_unit or "牵头单位未明确（由督查室指定）",
                "ask": f"{subject.ask}请于{reply_due.year}年{reply_due.month}月{reply_due.day}日前报送整改反馈"
                "（原因分析、整改措施、预计完成时间）。",
                "reply_due": reply_due,
                "opened_at": None,
                "state": "open",
                "closed_at": None,
                "closed_by": None,
                "close_reason": None,
            }
        )
    return items


def open_items(connection: duckdb.DuckDBPyConnection, items: list[dict], actor: str) -> None:
    """Record the items (from `new_items`), each with its audit row; call inside the issuing transaction."""
    at = now()
    for item in items:
        item = item | {"opened_at": at}
        connection.execute(
            f"insert into supervision.follow_up_items values ({', '.join('?' * len(item))})", list(item.values())
        )
        audit(
            connection,
            actor,
            "open_item",
            plan_id=item["plan_id"],
            period=item["opened_period"],
            subject=item["item_id"],
            detail=item,
            at=at,
        )


def open_items_of(connection: duckdb.DuckDBPyConnection, plan_id: str) -> list[dict]:
    return rows(
        connection,
        "select * from supervision.follow_up_items where plan_id = ? and state = 'open' order by item_id",
        [plan_id],
    )


def close_item(
    connection: duckdb.DuckDBPyConnection, item_id: str, actor: str, reason: str, on: dt.date | None = None
) -> None:
    """销号: the office closes an item with a reason (call inside a transaction). `on`: the day (China time)
    the office decided it, when recorded later; a briefing issued after that day shows the item closed."""
    if not reason or not reason.strip():
        raise ValueError(f"督办事项 {item_id} 销号须写明理由（如：已整改到位、目标已完成），理由不能为空")
    found = connection.execute(
        "select state, plan_id, opened_period, opened_at from supervision.follow_up_items where item_id = ?",
        [item_id],
    )
    row = found.fetchone()
    if row is None:
        raise ValueError(f"督办编号 {item_id} 不存在")
    if row[0] == "closed":
        raise ValueError(f"督办事项 {item_id} 已销号")
    recorded = at = now()
    if on is not None:
        today = china_day(at)
        # the day the item was opened (its briefing signed), in China; never before its month's end
        opened = max(Period.parse(row[2]).month_end, china_day(row[3]))
        if on > today:
            raise ValueError(f"销号日期 {on} 晚于今天（{today}），不能预先销号")
        if on < opened:
            raise ValueError(
                f"销号日期 {on} 早于该事项的交办日期（{opened}，{row[2]}通报签发之日），不能在交办之前销号"
            )
        # noon in China on that day, stored as naive UTC like every timestamp of the warehouse; on the day the
        # item was opened, never before the moment it was (a briefing signed in the afternoon)
        noon = dt.datetime.combine(on, dt.time(12), tzinfo=CHINA_STANDARD_TIME)
        at = max(noon.astimezone(dt.UTC).replace(tzinfo=None), row[3])
    reason = reason.strip()
    connection.execute(
        "update supervision.follow_up_items set state = 'closed', closed_at = ?, closed_by = ?, close_reason = ? "
        "where item_id = ?",
        [at, actor, reason, item_id],
    )
    detail = {"reason": reason} | ({"decided_on": on.isoformat()} if on is not None else {})
    audit(connection, actor, "close_item", plan_id=row[1], subject=item_id, detail=detail, at=recorded)


def still_lagging(connection: duckdb.DuckDBPyConnection, item_id: str) -> str | None:
    """What the newest marts say of an item's subject when it still lags (a target 滞后/严重滞后/未完成, a
    milestone still overdue): closing it then is the office's call, but it should know. None otherwise."""
    from planwatch.briefing.context import STATUS_LABELS
    from planwatch.briefing.marts import table_exists

    row = connection.execute(
        "select kind, subject_id from supervision.follow_up_items where item_id = ?", [item_id]
    ).fetchone()
    if row is None:
        return None
    kind, subject_id = row
    if kind == "target" and table_exists(connection, "marts.fct_target_progress"):
        latest = connection.execute(
            "select strftime(period, '%Y-%m'), status from marts.fct_target_progress where target_id = ? "
            "order by period desc limit 1",
            [subject_id],
        ).fetchone()
        if latest and latest[1] in {"lagging", "severely_lagging", "missed"}:
            return f"按最新数据（{latest[0]}），该目标仍为{STATUS_LABELS[latest[1]]}"
    if kind == "milestone" and table_exists(connection, "marts.fct_milestone_status"):
        latest = connection.execute(
            "select strftime(period, '%Y-%m'), is_overdue from marts.fct_milestone_status where milestone_id = ? "
            "order by period desc limit 1",
            [subject_id],
        ).fetchone()
        if latest and latest[1]:
            return f"按最新数据（{latest[0]}），该项目节点仍逾期"
    return None


def recovered_items(
    connection: duckdb.DuckDBPyConnection,
    plan_id: str,
    period: str,
    target_statuses: dict[str, str],
    completed_milestones: set[str],
) -> dict[str, str]:
    """item → 销号 reason, for the open items whose target the briefing of `period` finds back on track or
    whose milestone it finds done (nothing is written)."""
    recovered = {}
    for item in open_items_of(connection, plan_id):
        if item["opened_period"] >= period:
            continue
        back_on_track = item["kind"] == "target" and target_statuses.get(item["subject_id"]) in RECOVERED_STATUSES
        done = item["kind"] == "milestone" and item["subject_id"] in completed_milestones
        if back_on_track or done:
            what = "目标进度已恢复正常" if back_on_track else "项目已完成"
            recovered[item["item_id"]] = f"{what}（{period}通报核实），予以销号"
    return recovered


ITEMS_SQL = """
select
    items.item_id, items.subject, items.department_name, items.reply_due, items.opened_period,
    items.state, items.close_reason, items.closed_at, min(replies.received_at) as first_reply_at
from supervision.follow_up_items as items
left join (
    select replies.item_id, coalesce(loads.submitted_at, loads.loaded_at) as received_at
    from raw.follow_up_replies as replies
    inner join raw.file_loads as loads on replies.load_id = loads.load_id
    where loads.status = 'loaded'
) as replies on items.item_id = replies.item_id
where items.plan_id = $plan_id and items.opened_period < $period
  and (items.region_code is null or items.region_code in (select unnest($region_codes)) or $all_regions)
group by all
order by items.item_id
"""


def item_lines(
    connection: duckdb.DuckDBPyConnection,
    plan_id: str,
    period: str,
    as_of: dt.date,
    region_codes: list[str] | None = None,
) -> list[dict]:
    """The plan's items opened by briefings before `period`, as they stood on `as_of` (the briefing's
    issue date; a reply or 销号 after it does not count yet): closed (销号), replied (on time or not: the
    reply's arrival against its deadline), overdue (no reply, deadline before `as_of`) or open (no reply,
    not yet due)."""
    found = rows(
        connection,
        ITEMS_SQL,
        {
            "plan_id": plan_id,
            "period": period,
            "region_codes": region_codes or [],
            "all_regions": region_codes is None,
        },
    )
    for item in found:
        # as the day stood, in China time (the warehouse stores UTC): a reply or 销号 after it had not happened
        closed_on, replied_on = china_day(item["closed_at"]), china_day(item["first_reply_at"])
        closed = item["state"] == "closed" and (closed_on is None or closed_on <= as_of)
        if replied_on is not None and replied_on > as_of:
            replied_on = item["first_reply_at"] = None
        item["replied_on_time"] = replied_on is not None and replied_on <= item["reply_due"]
        if closed:
            item["status"] = "closed"
        elif replied_on is not None:
            item["status"] = "replied"
        elif as_of > item["reply_due"]:
            item["status"] = "overdue"
        else:
            item["status"] = "open"
        late = item["status"] == "replied" and not item["replied_on_time"]
        item["status_label"] = LATE_REPLY if late else ITEM_STATES[item["status"]]
    return found


def write_reply_forms(connection: duckdb.DuckDBPyConnection, period: str, out_dir: Path, office: str) -> list[Path]:
    """One 整改反馈 form per department with open items (opened up to `period`'s briefing)."""
    from planwatch.forms.reply_form import reply_form_filename, write_reply_form

    found = rows(
        connection,
        """
        select item_id, subject, reply_due, ask, department_id, department_name
        from supervision.follow_up_items
        where state = 'open' and opened_period <= ?
        order by department_name, item_id
        """,
        [period],
    )
    by_department: dict[tuple[str | None, str], list[dict]] = {}
    for item in found:
        by_department.setdefault((item["department_id"], item["department_name"]), []).append(item)
    return [
        write_reply_form(out_dir / reply_form_filename(name, period), department_id or "", name, period, items, office)
        for (department_id, name), items in by_department.items()
    ]
