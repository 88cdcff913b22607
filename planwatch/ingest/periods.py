"""A submission's periods, checked before anything of the file is stored: each must be a real month
(YYYY-MM) that has begun, within the span of the plans the sender reports for. A period no month can
be (a hidden sheet edited to 2025年11月) or one still to come (2030-01) would otherwise load under a
key the marts cannot use, and stop the month's transform for every department; one outside every plan
(1999-03) would load figures no briefing reads. The file is rejected instead, with the period named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from planwatch.periods import Granularity, Period, PeriodError, china_today


class PlanSpan(NamedTuple):
    """The months a sender's plans cover: from January of the year before the first (or of the earliest
    base year, whichever comes first: 同比 needs it) to the last month of the last."""

    first: str  # YYYY-MM
    last: str

    def describe(self) -> str:
        return f"{Period.parse(self.first).label}至{Period.parse(self.last).label}"


def unusable_period(periods: Iterable[str], today: dt.date | None = None, span: PlanSpan | None = None) -> str | None:
    """The Chinese reason a file's periods cannot be loaded, naming the first bad one; None when all can."""
    today = today or china_today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    for period in sorted(periods):
        if not _is_month(period):
            return (
                f"报送期“{period}”不是有效的年月（应为“2024-03”这样的格式），无法确定数据所属月份，"
                "请使用平台下发的原模板重新填报，不要修改模板中的报送期"
            )
        if period > this_month:
            return (
                f"报送期“{period}”尚未到来（今天是{today.year}年{today.month}月{today.day}日），不能报送该月数据，"
                "请核实报送期后重新报送"
            )
        if span is not None and not span.first <= period <= span.last:
            return (
                f"报送期“{period}”不在规划期内（本单位涉及的规划覆盖{span.describe()}，含基期），"
                "平台不接收该月数据，请核实报送期后重新报送"
            )
    return None


@lru_cache(maxsize=1024)
def _is_month(period: str) -> bool:
    """Whether a period is a real month (YYYY-MM): every file of a month asks of the same few."""
    try:
        Period.parse(period, Granularity.month)
    except PeriodError:
        return False
    return True
