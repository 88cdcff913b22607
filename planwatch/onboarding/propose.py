"""`planwatch plans propose FILE`: a registry draft for a plan the registry has never seen.

The text's metadata (title, issuer, 文号, date, horizon, region) and every proposed target and
milestone, matched against the reference lists: regions by name and alias (GB/T 2260 codes), units
by spelling, departments by alias, indicators by the words that name them (character bigrams) within
the unit's dimension. What matches nothing is proposed as new and flagged for the reference lists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from planwatch.onboarding.breakdowns import places_to_add
from planwatch.onboarding.extract import Extraction, extract
from planwatch.onboarding.plan_text import PlanText
from planwatch.onboarding.quantities import unit_pattern
from planwatch.registry.reference import ReferenceData, UnknownUnitError

_NOTICE_TITLE = re.compile(r"关于印发\s*《?([^《》\n]{6,80}?)》?\s*的通知")
_TITLE = re.compile(r"《([^《》\n]{6,80}?(?:方案|计划|规划|意见|纲要))》")
_TITLE_LINE = re.compile(
    r"^[#\s]*([^\n。，：:《》]{6,100}?(?:实施方案|行动方案|行动计划|实施意见|规划|方案|计划|意见)(?:[（(]20\d{2}\s*[—–\-－~至到]+\s*20\d{2}\s*年?[）)])?)\s*$",
    re.MULTILINE,
)
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]20\d{2}[〕\]］)）]\s*\d{1,4}\s*号")
_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISSUER = re.compile(r"([\u4e00-\u9fff]{2,20}?(?:人民政府办公室|人民政府办公厅|人民政府|委员会|办公室))")
_HORIZON = re.compile(r"[（(](20\d{2})\s*[—–\-－~至到]+\s*(20\d{2})\s*年?[）)]")
_YEARS_TO_COME = re.compile(r"(?:力争)?用\s*([一二三四五六七八九十\d]+)\s*年(?:左右)?(?:的)?时间")
_BY_YEAR = re.compile(r"到\s*(20\d{2})\s*年")
MIN_SIMILARITY = 0.34


@dataclass
class PlanMetadata:
    title: str | None
    issuer: str | None
    document_number: str | None
    issue_date: dt.date | None
    period_start: int | None
    period_end: int | None
    horizon_note: str
    region_code: str | None


@dataclass
class Draft:
    metadata: PlanMetadata
    extraction: Extraction
    indicator_matches: list[tuple[str | None, float]] = field(default_factory=list)  # per target: code, score
    region_codes: list[str | None] = field(default_factory=list)  # None: a place the reference lacks (new_regions)
    new_indicators: list[str] = field(default_factory=list)
    new_regions: dict[str, str] = field(default_factory=dict)  # a place the reference lacks → its first target's quote


_SAME_WORDS = (("新增", "增加"), ("增量", "增加量"))  # spelled apart, counted alike


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)
    for spelling, word in _SAME_WORDS:
        text = text.replace(spelling, word)
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str, weight: dict[str, float] | None = None) -> float:
    """How well the words of `a` (a clause's subject) name `b` (a catalogue name): the Dice coefficient
    of character bigrams, or, when higher, the share of `b`'s bigrams `a` holds (a subject that says
    more than the name, 全市新培育的国家级龙头企业, still names it), less for a name that leaves out
    words of the subject the catalogue knows (启动…新建大型奶牛牧场的选址 is not 大型奶牛牧场数 when
    the catalogue names 选址 elsewhere). With `weight`, a bigram counts by how rare it is in the catalogue
    (续建, 选址 tell more than 奶牛, 牧场)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0

    def total(bigrams: set[str]) -> float:
        return sum(weight.get(bigram, 1.0) for bigram in bigrams) if weight else float(len(bigrams))

    shared = total(x & y)
    known = {bigram for bigram in x if bigram in weight} if weight else x
    covered = shared / total(known) if known else 0.0
    return max(2 * shared / (total(x) + total(y)), 0.9 * shared / total(y) * (0.6 + 0.4 * min(covered, 1.0)))


def _rarity(reference: ReferenceData) -> dict[str, float]:
    """Each bigram's inverse document frequency over the catalogue's names (1 + log N/df)."""
    import math

    names = [_bigrams(indicator.name) for indicator in reference.indicators.values()]
    counts: dict[str, int] = {}
    for bigrams in names:
        for bigram in bigrams:
            counts[bigram] = counts.get(bigram, 0) + 1
    return {bigram: 1 + math.log(len(names) / count) for bigram, count in counts.items()}


def metadata(text: str, reference: ReferenceData) -> PlanMetadata:
    head = text[:4000]
    candidates = [m.group(1) for m in _NOTICE_TITLE.finditer(head)] + [m.group(1) for m in _TITLE_LINE.finditer(head)]
    candidates += [m.group(1) for m in _TITLE.finditer(head)]
    titles = [re.sub(r"\s+", "", candidate) for candidate in candidates]
    # the plan's own title: the notice that issues it, else its heading; a cited document (《黑龙江省…》) comes last
    title = next(iter(titles), None)
    number = _DOCUMENT_NUMBER.search(head)
    dates = [dt.date(*(int(part) for part in found.groups())) for found in _DATE.finditer(head)]
    dates = dates or [dt.date(*(int(part) for part in found.groups())) for found in _DATE.finditer(text[-3000:])]
    issuer = _ISSUER.search(head)
    start = end = None
    note = ""
    horizon = _HORIZON.search(title or "") or _HORIZON.search(head)
    issue_date = dates[0] if dates else None
    if horizon:
        start, end, note = int(horizon.group(1)), int(horizon.group(2)), f"规划期{horizon.group(0)}（标题）"
    elif (years := _YEARS_TO_COME.search(text)) and issue_date:
        import cn2an

        count = int(cn2an.cn2an(years.group(1), "smart"))
        start, end = issue_date.year, issue_date.year + count - 1
        note = f"“{years.group(0)}”自印发年起算"
    else:
        targets = [int(y) for y in _BY_YEAR.findall(text)]
        if targets:
            start, end = (issue_date.year if issue_date else min(targets)), max(targets)
            note = "规划期末取文中“到20XX年”的最晚年份"
    region = None
    for code, found in reference.regions.items():
        names = [found.name, *found.aliases]
        opens_title = bool(title) and any(name and title.startswith(name) for name in names)
        if opens_title and (region is None or len(found.name) > len(reference.regions[region].name)):
            region = code
    return PlanMetadata(
        title,
        issuer.group(1) if issuer else None,
        number.group(0) if number else None,
        issue_date,
        start,
        end,
        note,
        region,
    )


def _region_names(reference: ReferenceData, plan_region: str | None) -> dict[str, str]:
    """Every spelling (name, alias) of the plan's region, those under it and its neighbours (the other
    regions of its parent, for whom a plan may set figures too: 周边盟市…（甲市2个，乙市5个）) → code, longest
    first."""
    if plan_region is None:
        return {}
    region = reference.regions[plan_region]
    neighbours = [
        code
        for code, other in reference.regions.items()
        if region.parent_code and other.parent_code == region.parent_code and other.level == region.level
    ]
    names = {}
    for code in [*neighbours, *reference.descendants_and_self(plan_region)]:
        for spelling in (reference.regions[code].name, *reference.regions[code].aliases):
            if spelling:
                names[spelling] = code
    return dict(sorted(names.items(), key=lambda item: -len(item[0])))


def _counties(reference: ReferenceData, plan_region: str | None, to_add: list[str]) -> list[str]:
    """The names of the county-level regions under the plan's (what 每县 binds when no group is named): its
    counties, a county-level city the reference records as a city under it (a 县级市), and, in a
    city's plan, the counties it names that the reference lacks."""
    if plan_region is None:
        return []
    under = reference.descendants_and_self(plan_region) - {plan_region}
    county_level = {reference.regions[code].name for code in under if reference.regions[code].level == "county"}
    if reference.regions[plan_region].level == "city":
        county_level |= {
            reference.regions[code].name
            for code in under
            if reference.regions[code].level == "city" and reference.regions[code].parent_code == plan_region
        }
        county_level |= {name for name in to_add if name.endswith(("县", "市", "区", "旗"))}
    return sorted(county_level)


def _dimension(reference: ReferenceData, unit: str) -> str | None:
    try:
        return reference.unit_table.lookup(unit).dimension
    except UnknownUnitError:
        return None


_LEVEL_WORDS = (("国家",), ("省级", "自治区级", "省（自治区）", "自治区"), ("市级",), ("县级",))


def _level_agreement(subject: str, name: str) -> float:
    """国家级, 省级, 市级, 县级 tell apart indicators whose names are otherwise alike: agree +0.2, differ -0.2."""
    said = [index for index, words in enumerate(_LEVEL_WORDS) if any(word in subject for word in words)]
    floor = re.search(r"([市省县]级|国家级|自治区级)以上", subject)
    if floor:  # 市级以上: the names that say the same floor
        return 0.3 if floor.group(0) in name else -0.1
    if not said:
        return 0.0
    named = [index for index, words in enumerate(_LEVEL_WORDS) if any(word in name for word in words)]
    if "合计" in name or len(named) > 1:
        return -0.1  # a total over every level
    if set(said) & set(named):
        return 0.3
    return -0.2 if named else 0.0


def match_indicator(
    reference: ReferenceData, subject: str, unit: str, kind: str = "level", wording: str = ""
) -> tuple[str | None, float]:
    """The catalogue indicator whose name best matches the subject, within the unit's dimension (a growth
    rate, in %, is of any indicator: 营业收入比2022年增长50% is the revenue's). The clause's wording, verbs
    kept, is tried too: some statistics are named by what is done (引进的…企业数, 完成续建的牧场数)."""
    dimension = None if kind in ("growth_over_base", "average_annual_growth") else _dimension(reference, unit)
    weight = reference.__dict__.setdefault("_bigram_rarity", _rarity(reference))
    best, score = None, 0.0
    for code, indicator in reference.indicators.items():
        if dimension is not None and _dimension(reference, indicator.canonical_unit) not in (dimension, None):
            continue
        name = re.sub(r"[（(][^）)]*[）)]", "", indicator.name).removesuffix("数")
        value = max(
            similarity(said, spelled, weight)
            for said in (subject, wording)
            if said
            for spelled in (indicator.name, name)
        )
        value += _level_agreement(subject, indicator.name)
        if value > score:
            best, score = code, value
    return (best, score) if score >= MIN_SIMILARITY else (None, score)


def propose(plan_text: PlanText, reference: ReferenceData) -> Draft:
    meta = metadata(plan_text.text, reference)
    names = _region_names(reference, meta.region_code)
    units = [spelling for unit in reference.unit_table.units.values() for spelling in (unit.unit, *unit.aliases)]
    pattern = unit_pattern(units)
    # places a breakdown names that the reference lacks: bound like the others, flagged to add (under the
    # plan's region; a plan whose own region is unknown waits for it and its places to be added first)
    to_add = places_to_add(plan_text.text, pattern, list(names)) if meta.region_code else []
    extraction = extract(
        plan_text.text,
        (meta.issue_date.year if meta.issue_date else meta.period_start, meta.period_end),
        meta.issue_date.year if meta.issue_date else meta.period_start,
        pattern,
        sorted([*names, *to_add], key=len, reverse=True),
        _counties(reference, meta.region_code, to_add),
    )
    draft = Draft(meta, extraction)
    for target in extraction.targets:
        code, score = match_indicator(reference, target.subject, target.unit, target.kind, target.wording)
        draft.indicator_matches.append((code, score))
        if target.region_spelling in to_add:
            draft.region_codes.append(None)
            draft.new_regions.setdefault(target.region_spelling, target.quote)
        else:
            draft.region_codes.append(names.get(target.region_spelling or "", meta.region_code))
        if code is None and target.subject not in draft.new_indicators:
            draft.new_indicators.append(target.subject)
    return draft
