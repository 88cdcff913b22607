"""Numbers with units in a clause: 70亿元, 36万头, 76%, 2.3:1, 五个; and what bounds them (达到, 以上, 控制在…以内).

Chinese numerals are read by cn2an (a maintained library), not by hand. A number that is a year, a
date, an ordinal, part of a name (850农场, 6大产业) or a unit the catalogue and the classifiers do not
know is no quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

# classifiers a count is written with, beyond the units of the reference catalogue
CLASSIFIERS = (
    "个", "家", "项", "处", "座", "条", "名", "人", "户", "村", "场", "次", "款", "件", "所", "批", "支", "套",
    "台", "辆", "只", "头", "匹", "栋", "间", "张", "份", "种", "类", "部", "次", "镇", "乡", "县",
    "园", "区", "基地", "企业", "品牌", "万支", "万个", "万家", "万套", "万台",
)  # fmt: skip
_NUMBER = r"(?P<number>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+(?:点[零一二三四五六七八九]+)?)"
_RATIO = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*[:：∶]\s*1(?!\d)")
_AT_LEAST_BEFORE = (
    "不低于",
    "不少于",
    "超过",
    "突破",
    "达到",
    "达",
    "提高到",
    "提升到",
    "增加到",
    "增至",
    "发展到",
    "扩大到",
)
_AT_MOST_BEFORE = ("控制在", "不超过", "不高于", "低于", "少于", "压减到", "降至", "降低到")
_AT_MOST_AFTER = ("以内", "以下", "之内")


_COMMITTED = r"达到|新增|新建|建成|培育|打造|引进|发展|认定|创建|实现|完成|建设"
_TIME_UNITS = ("年", "月", "日", "天", "周", "小时")
_PLACES = ("乡镇", "乡", "镇", "县", "区", "村", "市", "旗", "省")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int  # offsets in the clause
    end: int
    comparator: str  # >= | <= | =

    def text(self, clause: str) -> str:
        return clause[self.start : self.end]


def _value(number: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        return float(number)
    try:
        return float(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError):
        return None


def unit_pattern(units: list[str]) -> re.Pattern[str]:
    """Numbers followed by any known unit (longest first, so 万亩 wins over 亩) or %."""
    spellings = sorted({*units, *CLASSIFIERS, "%", "％", "个百分点"}, key=len, reverse=True)
    alternatives = "|".join(re.escape(unit) for unit in spellings if unit and unit != ":1")
    return re.compile(_NUMBER + r"\s*(?P<unit>" + alternatives + ")")


def _comparator(clause: str, start: int, end: int) -> str:
    before, after = clause[max(0, start - 6) : start], clause[end : end + 4]
    before = re.sub(r"不(低于|少于|小于)", "", before)  # 不低于: a floor, whatever 低于 says alone
    if any(after.startswith(word) for word in _AT_MOST_AFTER) or any(word in before for word in _AT_MOST_BEFORE):
        return "<="
    if after.startswith("左右") or before.rstrip().endswith(("约", "大约")):
        return "="  # 左右, 约250万吨: about, neither floor nor ceiling
    return ">="


def quantities(clause: str, pattern: re.Pattern[str]) -> list[Quantity]:
    """Every quantity of the clause, in order."""
    found = []
    for match in _RATIO.finditer(clause):
        found.append(
            Quantity(
                float(match.group("number")),
                ":1",
                match.start(),
                match.end(),
                _comparator(clause, match.start(), match.end()),
            )
        )
    for match in pattern.finditer(clause):
        if any(q.start <= match.start() < q.end for q in found):
            continue
        number, unit = match.group("number"), match.group("unit")
        following = clause[match.end() : match.end() + 1]
        preceding = clause[max(0, match.start() - 1) : match.start()]
        if preceding in ("第", "前", "近", ".", "约") and preceding != "约":
            continue
        large = clause[match.end() : match.end() + 2] in ("大型", "大中")  # 1家大型企业: a size, not 6大产业
        if preceding.isdigit() or (following in ("年", "月", "日", "大", "号", "期") and not large):
            continue
        if unit in _TIME_UNITS or (unit.startswith(_TIME_UNITS) and len(number) == 4):
            continue  # 2021年, 3年, 5个月: when, not how much
        if unit in ("县", "镇", "乡", "区", "村", "园") and not number.isdigit():
            continue  # 三区: places, not amounts
        place = clause[match.end() : match.end() + 2]
        if place.startswith(_PLACES) and not place.endswith("级"):
            continue  # 七个乡镇为核心区域: which places, not how many (2家省级以上企业: a level, not a place)
        value = _value(number)
        if value is None or (not number[0].isdigit() and value > 1000):
            continue
        if "会议" in clause[match.end() : match.end() + 6]:
            continue  # 七届25次常务会议: which meeting, not an amount
        if unit in ("批", "支", "些") and not number[0].isdigit():
            continue  # 一批, 一支队伍: no amount to measure
        if not number[0].isdigit() and not re.search(_COMMITTED, clause[max(0, match.start() - 4) : match.start()]):
            continue  # 五项任务, 四个体系: how a text counts its own parts, not a target
        qualifier = re.match(r"(以上|及以上|以下|以内)?的(?!目标|任务|水平|规模)", clause[match.end() :])
        if qualifier and not qualifier.group(1) and re.search(r"总(投资|规模|面积)$", clause[: match.start()].rstrip()):
            qualifier = None  # 总投资80.49亿元的…项目: what the projects add up to, not a threshold
        if qualifier or clause[: match.start()].rstrip().endswith("超"):
            continue  # 超1亿元的企业, 100亩以上的基地: a qualifier of what is counted
        if unit == "％":
            unit = "%"
        found.append(Quantity(value, unit, match.start(), match.end(), _comparator(clause, match.start(), match.end())))
    return sorted(found, key=lambda q: q.start)
