"""How each milestone's project progresses month by month in a sample: on time, late, or overdue.

The seed decides per milestone whether the project finishes by its deadline, finishes some months
late, or is still unfinished when the plan ends (overdue: it stalls short of 100%). The monthly
report (state, percent complete, remark) follows from that course.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from planwatch.forms.template import MilestoneReport
from planwatch.registry.schema import Milestone, Plan
from planwatch.template_format import MilestoneState


class Course(StrEnum):
    on_time = "on_time"
    late = "late"
    overdue = "overdue"  # never completed within the sample


def _month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True)
class MilestoneCourse:
    milestone_id: str
    course: Course
    start: int  # month number (year * 12 + month - 1) work starts
    finish: int | None  # month number it is completed; None when overdue
    deadline: int
    stall_percent: int  # where an overdue project gets stuck

    def report(self, period_start: dt.date) -> MilestoneReport:
        month = _month_number(period_start)
        if month < self.start:
            return MilestoneReport(MilestoneState.not_started, 0, "前期手续办理中，尚未开工")
        if self.finish is not None and month >= self.finish:
            return MilestoneReport(MilestoneState.completed, 100, "已完成")
        end = self.finish if self.finish is not None else self.deadline
        share = (month - self.start + 1) / max(end - self.start + 1, 1)
        if self.finish is None:
            percent = min(round(self.stall_percent * min(share, 1.0)), self.stall_percent)
            if month > self.deadline:
                return MilestoneReport(
                    MilestoneState.stalled, percent, "受资金、用地等因素影响，项目停滞，已超过计划完成时限"
                )
        else:
            percent = min(round(95 * share), 95)
        remark = "按计划推进" if month <= self.deadline else "进度滞后，正在加快推进"
        return MilestoneReport(MilestoneState.in_progress, percent, remark)


def milestone_course(seed: int, plan: Plan, milestone: Milestone) -> MilestoneCourse:
    rng = random.Random(f"{seed}:milestone:{milestone.milestone_id}")
    deadline = _month_number(milestone.deadline)
    plan_start = _month_number(plan.period_start)
    course = rng.choices(list(Course), weights=(5, 3, 2))[0]
    start = min(plan_start + rng.randint(0, 6), max(deadline - 2, plan_start))
    if course is Course.on_time:
        finish: int | None = max(deadline - rng.randint(0, 4), start + 1)
    elif course is Course.late:
        finish = deadline + rng.randint(1, 8)
    else:
        finish = None
    return MilestoneCourse(milestone.milestone_id, course, start, finish, deadline, rng.randint(35, 90))
