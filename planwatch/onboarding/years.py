"""The years a plan's clause speaks of: its target year (到2025年, 到“十四五”末), a base year (比2020年),
a range (2021—2023年), and the years of a cited document's title (《…（2022年—2025年）》), which are not
the clause's.

Shared by the targets, the breakdowns and the milestones, so that each reads a year the same way.
"""

from __future__ import annotations

import re

import cn2an

YEAR = re.compile(r"(?<![\d—-])(20\d{2})\s*年(?![\d—-])")
TARGET_YEAR = re.compile(r"(?:到|至|力争到|力争|到了)?\s*(20\d{2})\s*年(?:底|末)?")
BASE_YEAR = re.compile(r"[比较]\s*(20\d{2})\s*年")
RANGE = re.compile(r"(20\d{2})\s*年?\s*[—–\-－~至到]+\s*(20\d{2})\s*年")
# the five-year plans: “十四五”末, 十四五期末, “十四五”期间 (the 11th ran 2006—2010, each five years on)
FIVE_YEAR_PLAN = re.compile(r"[“\"]?(十[一二三四五六七八九])五[”\"]?\s*(?:时期|期间)?\s*(?:末|期末|期间|时期)")
_CITED = re.compile(r"《[^《》]*》")
# this year, said without a number: 今年; 全年 too, when nothing before says which year (当年 is a policy's
# "the same year", not the plan's)
THIS_YEAR, WHOLE_YEAR = re.compile(r"今年"), re.compile(r"全年")


def five_year_plan_end(text: str) -> int | None:
    """The last year of the five-year plan a clause names: 到“十四五”末 → 2025."""
    found = FIVE_YEAR_PLAN.search(text)
    if found is None:
        return None
    return 2010 + 5 * (int(cn2an.cn2an(found.group(1), "smart")) - 11)


def clause_years(text: str) -> list[int]:
    """The years a clause commits to, in order: not a base year (比2020年), a range (2021—2023年) or a cited
    document's title (《…实施方案（2022年—2025年）》); a five-year plan's end (“十四五”末) counts."""
    bare = RANGE.sub("", BASE_YEAR.sub("", _CITED.sub("", text)))
    years = [int(year) for year in YEAR.findall(bare)]
    end = five_year_plan_end(bare)
    return [*years, end] if end is not None else years
