"""What a figure counts: the words around it that name the statistic, and the place the clause names.

The subject is the clause without its figure, years and verbs (力争, 达到, 培育…); the wording keeps the
verbs that some statistics are named by (新增, 引进, 续建, 启动). A subject that says only "营业收入" takes
its section's topic ((三)水稻加工产业 → 水稻加工营业收入); a figure with no words of its own (2021年达到
70万亩) takes those of the nearest figure in the same unit after it, or of the clause before it when that
clause names a measure (逐年提高…比例，确保2025年底达到50%).
"""

from __future__ import annotations

import re

from planwatch.onboarding.figures import region_named
from planwatch.onboarding.quantities import Quantity, quantities
from planwatch.onboarding.years import FIVE_YEAR_PLAN, TARGET_YEAR

_VERBS = (
    "力争", "达到", "建成", "建设", "培育", "打造", "新建", "新增", "认定", "发展到", "发展", "实现", "完成", "保持",
    "稳定在", "稳定", "提高到", "提升到", "提高", "提升", "突破", "超过", "增加", "扩大", "推广", "创建", "引进",
    "制定", "修订", "举办", "开展", "全市", "全县", "全区", "我市", "我县", "我区", "累计", "每年", "年均", "力争",
    "争取", "至少", "年达", "可达", "每县", "每个县", "各县区", "各县", "确保", "控制在", "不超过", "不低于",
)  # fmt: skip
# words of the sentence's mood, not of the statistic, that a clause leaves at its subject's end once the verb
# is gone (…收入将超过, …面积要稳定在, …产量力争达到): never part of a name
_TRAILING_FUNCTION_WORD = re.compile(r"(?:将要|将会|将|要|力争|争取|确保|努力|预计|有望|可望|仍|也)$")
_ENDS_IN_A_WORD = re.compile(r"(?:主要|重要|需要|必要|纲要|摘要|提要)$")  # 要 that closes a word of its own
_SAYS_NOTHING = ("力争", "争取", "确保", "达到", "全市", "全县", "全区", "全旗", "我市", "我县", "我区", "至少", "可达")
GENERIC_MEASURE = re.compile(
    r"(实现)?(营业收入|销售收入|主营业务收入|总产值|产值|产量|收入|加工量|规模)"
    r"|(规模以上的?|规上|生产|加工型?)*企业"
)
BARE_GROWTH = re.compile(r"(比|较)?(上年|同期)?(年均)?(增长|提高|增加)?(率)?")
_MEASURE = re.compile(r"(比例|比重|占比|率|面积|产量|产值|收入|规模|数量|总量|人数)$")
_HEADING_NUMBER = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\s?\d+[.．]")


def topic(section: str) -> str | None:
    """The innermost heading that names a subject: （三）水稻加工产业 → 水稻加工 (1.发展目标 says nothing)."""
    for heading in reversed([part.strip() for part in _HEADING_NUMBER.split(section) if part.strip()]):
        if re.search(r"目标|任务|要求|措施|布局|方向|重点|思路|原则", heading):
            continue
        return re.sub(r"(产业|行业)$", "", heading) or None
    return None


def without_function_words(name: str) -> str:
    """The name without the mood words at its end: …加工产值将 → …加工产值."""
    while not _ENDS_IN_A_WORD.search(name) and (found := _TRAILING_FUNCTION_WORD.search(name)):
        name = name[: found.start()]
    return name


def names_something(subject: str) -> bool:
    """Whether a subject has words of its own (two characters, not just 增长 or 比上年增长)."""
    return bool(re.search(r"[\u4e00-\u9fff]{2}", subject)) and not BARE_GROWTH.fullmatch(subject)


def subject(clause: str, quantity: Quantity, regions: list[str]) -> tuple[str, str | None, str, bool]:
    """The words that name what is counted, the region the clause names before its figure (if one), the
    clause's wording with its verbs, and whether the region opens the clause (and so carries on to the next)."""
    after = re.sub(r"^\s*(及以上|以上|以内|以下|左右)", "", clause[quantity.end :])
    text = TARGET_YEAR.sub("", clause[: quantity.start] + " " + after)
    text = re.sub(r"(到|至)?" + FIVE_YEAR_PLAN.pattern, "", text)  # 到“十四五”末: a year, not a subject
    # the place the clause opens with, past a count of places (2个重点帮扶县…), a 力争 and a 其中
    text = re.sub(r"^[\s，,]*(力争|争取)?\s*[\d一二两三四五六七八九十]+\s*个(?=\S)", "", text)
    text = re.sub(r"^[\s，,]*其中", "", text)
    region = next((name for name in regions if text.lstrip().startswith(name)), None)
    opens = region is not None
    if region is None:
        region = region_named(TARGET_YEAR.sub("", clause[: quantity.start]), regions)
    if region is not None:
        text = re.sub(r"^\s*在?\s*", "", text.replace(region, " ", 1))
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text.strip())
    wording = text
    for word in _SAYS_NOTHING:
        wording = wording.replace(word, " ")
    for word in sorted(_VERBS, key=len, reverse=True):
        text = text.replace(word, " ")
    named = without_function_words(re.sub(r"\s+", "", text))
    return named, region, without_function_words(re.sub(r"\s+", "", wording)), opens


def named_after(unit: str, later: list[str], pattern: re.Pattern[str], regions: list[str]) -> str | None:
    """The subject of the nearest later clause with a figure in the same unit (2021年达到70万亩，到2023年，
    建成100万亩优质马铃薯种植优势区: the same statistic, named once)."""
    for clause in later:
        for quantity in quantities(clause, pattern):
            if quantity.unit == unit:
                named = subject(clause, quantity, regions)[0]
                if names_something(named):
                    return named
    return None


def named_before(previous_clause: str | None, regions: list[str]) -> str | None:
    """The subject of the clause before, when it names a measure (逐年提高…比例，确保…达到50%)."""
    if previous_clause is None:
        return None
    named = subject(previous_clause, Quantity(0, "", len(previous_clause), len(previous_clause), ">="), regions)[0]
    return named if _MEASURE.search(named) else None
