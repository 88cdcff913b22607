"""A submission's periods, checked before anything of the file is stored: each must be a real month
(YYYY-MM) that has begun, within the span of the plans the sender reports for. A period no month can
be (a hidden sheet edited to 2025年11月) or one still to come (2030-01) would otherwise load under a
key the marts cannot use, and stop the month's transform for every department; one outside every plan
(1999-03) would load figures no briefing reads. The file is rejected instead, with the period named."""

from __future__ import annotations

import datetime as dt
import re
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
        if not is_month(period):
            return (
                f"报送期“{period}”不是有效的年月（应为“2024-03”这样的格式），无法确定数据所属月份，"
                "请使用平台下发的原模板重新填报，不要修改模板中的报送期"
            )
        if period > this_month:
            return (
                f"报送期“{period}”尚未到来（今天是{today.year}年{today.month}月{today.day}日），不能报送该月数据，"
                "请核实报送期后重新报送"
            )
        if period == this_month:  # a month's figures (its month-end stock, its flow) exist once it has ended
            return (
                f"报送期“{period}”尚未结束（今天是{today.year}年{today.month}月{today.day}日），该月数据须在月末之后报送，"
                "请核实报送期后重新报送"
            )
        if span is not None and not span.first <= period <= span.last:
            return (
                f"报送期“{period}”不在规划期内（本单位涉及的规划覆盖{span.describe()}，含基期），"
                "平台不接收该月数据，请核实报送期后重新报送"
            )
    return None


@lru_cache(maxsize=1024)
def is_month(period: str) -> bool:
    """Whether a period is a real month (YYYY-MM): every file of a month asks of the same few."""
    try:
        Period.parse(period, Granularity.month)
    except PeriodError:
        return False
    return True


# a year or month written in Chinese numerals, as a clerk types a title (二〇二五年六月, 2025年十二月份, 一至六月);
# quarters (一季度, 前三季度) are read as written by the period forms, and other numerals (十四五) are no dates
_DIGIT_OF = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_YEAR_IN_NUMERALS = re.compile(r"(?<![〇零一二三四五六七八九十])[〇零一二三四五六七八九]{4}(?=\s*年)")
_MONTH_NUMERAL = "十[一二]?|[一二三四五六七八九]"
_MONTH_IN_NUMERALS = re.compile(
    rf"(?<![〇零一二两三四五六七八九十百第前])(?:{_MONTH_NUMERAL})(?=\s*(?:月|[至到~—–-]\s*(?:{_MONTH_NUMERAL})\s*月))"
)
_MONTH_OF = {"十": "10", "十一": "11", "十二": "12"}
_ANY_NUMERAL = re.compile("[〇零一二三四五六七八九十]")


def chinese_dates_as_digits(text: str) -> str:
    """The text with years and months written in Chinese numerals in digits (二〇二五年六月 → 2025年6月, 一至六月 →
    1至6月), for reading which period a title names; everything else is left as it is."""
    if not _ANY_NUMERAL.search(text):
        return text  # the common case: one search, no substitution
    text = _YEAR_IN_NUMERALS.sub(lambda match: "".join(_DIGIT_OF[numeral] for numeral in match[0]), text)
    return _MONTH_IN_NUMERALS.sub(lambda match: _MONTH_OF.get(match[0]) or _DIGIT_OF[match[0]], text)


# A month a file's name states: 2022-07 or 2022年7月, not part of a date (2022-07-05, 2022年7月5日)
_MONTH_IN_NAME = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2})(?![-./]?\d)|年(\d{1,2})月(?!\d{1,2}日))")


def months_named_in(file_name: str) -> set[str]:
    """The months (YYYY-MM) a file's name states (二〇二五年六月 too)."""
    return {
        f"{year}-{int(month):02d}"
        for year, dashed, written in _MONTH_IN_NAME.findall(chinese_dates_as_digits(file_name))
        if 1 <= int(month := dashed or written) <= 12
    }


def name_disagrees(file_name: str, period: str, recorded_in: str = "模板隐藏表") -> str | None:
    """The Chinese reason a template's file name and its hidden sheet name different months (last month's
    template filled again and saved under this month's name: its figures would overwrite last month's),
    None when the name states no month, several, or the template's. Whose month the figures are is not
    guessed: the file is refused. `recorded_in` says where the template's month was read (its hidden
    sheet, or the 报送期 in its sheets' titles when the hidden sheet was lost)."""
    named = months_named_in(file_name)
    if len(named) != 1 or period in named:
        return None
    [month] = named
    return (
        f"文件名“{file_name}”写明的报送期是{Period.parse(month).label}，但这是{Period.parse(period).label}的填报模板"
        f"（{recorded_in}记录的报送期为{period}），可能沿用了其他月份的模板；数据属于哪个月无法确定，未入库，"
        f"以免覆盖{Period.parse(period).label}已报送的数据。请使用{Period.parse(month).label}的模板重新填报，"
        "或将文件名改为模板的报送期后重新报送"
    )
