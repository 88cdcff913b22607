"""Targets a sentence gives several of: X、Y分别达到a、b; a total with its per-region breakdown in brackets;
a group the plan defines (重点帮扶县（庄浪县、静宁县，以下简称…）) and what binds each of its members (每县…);
and the figures of one-cell-per-line tables.
"""

from __future__ import annotations

import re
from dataclasses import replace

from planwatch.onboarding.outline import Paragraph, Span
from planwatch.onboarding.proposals import Extraction, LeftOut, Proposal, kind_of
from planwatch.onboarding.quantities import Quantity, quantities
from planwatch.onboarding.subjects import without_function_words
from planwatch.onboarding.tables import table_figures
from planwatch.onboarding.years import BASE_YEAR, TARGET_YEAR, YEAR

_RESPECTIVELY = re.compile(
    r"([^，,；;。]*?)分别(?:达到|为|增长|提高到|提升到|突破|发展到|稳定在|控制在)?([^，,；;。]+)"
)
_MEASURES = (
    "种植面积",
    "饲养量",
    "出栏量",
    "存栏量",
    "存栏",
    "出栏",
    "产量",
    "产值",
    "营业收入",
    "收入",
    "面积",
    "数量",
    "规模",
)


def respectively(
    sentence: Span,
    paragraph: Paragraph,
    context_year: int | None,
    horizon_end: int | None,
    pattern: re.Pattern[str],
    regions: list[str],
    lead: str | None,
    responsible: list[str],
    context_region: str | None,
) -> list[tuple[Span, Proposal]]:
    """X、Y分别达到a、b: one target per subject, paired in order (only when the counts agree)."""
    found = []
    for match in _RESPECTIVELY.finditer(sentence.text):
        head, tail = match.group(1), match.group(2)
        earlier = YEAR.findall(BASE_YEAR.sub("", sentence.text[: match.start()]))
        year_match = YEAR.search(head)
        context_year = int(earlier[-1]) if earlier else context_year
        year = int(year_match.group(1)) if year_match else context_year
        head = TARGET_YEAR.sub("", head).strip("，, ")
        region = next((name for name in regions if head.startswith(name)), None)
        if region:
            head = head[len(region) :]
        region = region or context_region
        context_region = region  # 庄浪县肉牛…分别…，苹果、蔬菜产量分别…: the place carries on
        subjects = [without_function_words(part) for part in re.split(r"[、和及与]", head) if part]
        measure = next((m for m in _MEASURES if subjects and subjects[0].endswith(m)), None)
        if measure and len(subjects[0]) > len(measure):  # 肉牛饲养量、出栏量: the second is 肉牛出栏量
            stem = subjects[0][: -len(measure)]
            subjects = [subjects[0]] + [stem + s if s in _MEASURES else s for s in subjects[1:]]
        amounts = quantities(tail, pattern)
        if len(subjects) < 2 or len(subjects) != len(amounts) or (year is None and horizon_end is None):
            continue
        suffix = next((m for m in _MEASURES if subjects[-1].endswith(m)), "")
        quote = Span(sentence.start + match.start(), match.group(0))
        for subject, amount in zip(subjects, amounts, strict=True):
            if suffix and not any(subject.endswith(m) for m in _MEASURES):
                subject += suffix
            kind, base_year = kind_of(tail, sentence.text, amount)
            proposal = Proposal(
                quote.text, quote.start, paragraph.section, subject, region, year or horizon_end or 0,
                None if year_match else "年份取自同一句或上文", amount.value, amount.unit, amount.comparator, kind,
                base_year, lead, responsible, 0.7,
            )  # fmt: skip
            found.append((quote, proposal))
    return found


def table_targets(text: str, regions: list[str], result: Extraction) -> None:
    """The figures of one-cell-per-line tables (tables.py): targets under a 目标 year, baselines left out."""
    for figure in table_figures(text, set(regions)):
        if not figure.is_target:
            result.left_out.append(
                LeftOut(figure.quote, figure.section, f"{figure.year}年基数（{figure.label}），不是目标")
            )
            continue
        region = figure.region_label if figure.region_label in regions else None
        result.targets.append(
            Proposal(
                figure.quote,
                0,
                figure.section,
                figure.label,
                region,
                figure.year,
                None,
                figure.value,
                figure.unit,
                ">=",
                "level",
                None,
                None,
                [],
                0.7,
            )
        )


_GROUP = re.compile(r"[（(]([^（）()]*?)[，,]\s*以下简称\s*[“\"]?([^）)”\"]+)[”\"]?[）)]")


def groups_of(text: str, regions: list[str]) -> dict[str, list[str]]:
    """Groups a plan defines: 重点帮扶县（庄浪县、静宁县，以下简称重点帮扶县） → {重点帮扶县: [庄浪县, 静宁县]}."""
    found = {}
    for match in _GROUP.finditer(text):
        members = [part.strip() for part in re.split(r"[、，,和及]", match.group(1)) if part.strip() in regions]
        if len(members) >= 2:
            found[match.group(2).strip()] = members
    return found


_EACH_COUNTY = re.compile(r"每县|每个县|各县|每个旗县|各旗县")


def each_member(
    clause: str,
    sentence: str,
    paragraph: str,
    quantity: Quantity,
    region: str | None,
    groups: dict[str, list[str]],
    counties: list[str],
) -> list[str]:
    """The regions a target binds one by one: 每县… (the members of the group in sight, else the plan's
    counties), 每个重点帮扶县…, or a rate of a group (重点帮扶县…占比33%; in a paragraph about the group, a
    rate with no place of its own)."""
    before = sentence[: sentence.find(clause) + 1 if clause in sentence else 0]
    for alias, members in groups.items():
        named = alias in clause or alias in before
        if (_EACH_COUNTY.search(clause) and (named or alias in paragraph or len(groups) == 1)) or (
            named and re.search(f"每个{alias}|各{alias}", clause)
        ):
            return members
        if (named or region == alias) and quantity.unit == "%":
            return members
        if region is None and quantity.unit == "%" and alias in paragraph:
            return members
    if _EACH_COUNTY.search(clause) and region is None:
        return list(counties)
    return []


def inside_enumeration(clause: str, quantity: Quantity) -> bool:
    """A quantity inside the clause's trailing brackets (土左旗40万亩，…) belongs to a region's breakdown."""
    depth = 0
    for character in clause[: quantity.start]:
        depth += character in "（("
        depth -= character in "）)"
    return depth > 0


def enumerated(clause: Span, total: Proposal, pattern: re.Pattern[str], regions: list[str]) -> list[Proposal]:
    """The per-region figures of a bracketed breakdown: 青贮玉米100万亩（土左旗40万亩，和林县25万亩，…）."""
    found = []
    for bracket in re.finditer(r"[（(]([^（）()]+)[）)]", clause.text):
        for part in re.split(r"[，,、；;]", bracket.group(1)):
            part = part.strip().removeprefix("其中")
            region = next((name for name in regions if part.startswith(name)), None)
            if region is None:
                continue
            amounts = quantities(part, pattern)
            if len(amounts) > 1:  # 甲县443个34.25亿元: the figure in the total's unit
                amounts = [amount for amount in amounts if amount.unit == total.unit]
            if len(amounts) != 1:
                continue
            found.append(
                Proposal(
                    **{**total.__dict__, "region_spelling": region, "value": amounts[0].value, "unit": amounts[0].unit}
                )
            )
    return found


def trailing_breakdown(
    bracket: Span, earlier: list[Proposal], pattern: re.Pattern[str], regions: list[str]
) -> list[Proposal]:
    """A breakdown in a sentence of its own (…基地3个。（甲县1个，乙县1个，丙县1个）): the figures of the
    earlier target of the paragraph in the same unit whose value they add up to."""
    parts = []
    for part in re.split(r"[，,、；;]", bracket.text.strip("（()） ")):
        part = part.strip().removeprefix("其中")
        region = next((name for name in regions if part.startswith(name)), None)
        amounts = quantities(part, pattern)
        if region is None or len(amounts) != 1:
            return []
        parts.append((region, amounts[0]))
    units = {amount.unit for _, amount in parts}
    if len(parts) < 2 or len(units) != 1:
        return []
    total = sum(amount.value for _, amount in parts)
    unit = units.pop()
    whole = next(
        (t for t in reversed(earlier) if t.unit == unit and abs(t.value - total) < 1e-9 and t.region_spelling is None),
        None,
    )
    if whole is None:
        return []
    return [
        replace(whole, quote=bracket.text, start=bracket.start, region_spelling=region, value=amount.value)
        for region, amount in parts
    ]


# a place as a breakdown names it: a name closed by an administrative suffix (甲市, 乙县, 丙旗, 丁镇)
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:自治县|自治旗|自治州|县|市|区|旗|盟|镇|乡)")
# names so closed that are no place of their own: 全市, 各县, 市区, 乡镇, 示范区, 园区, 灌区, 市级 …
_NOT_A_PLACE = re.compile(
    r"^(?:全|各|每|本|我|该|其他|其余|周边|重点|相关|有关|所有|所在|沿|多|若干|[一二两三四五六七八九十])"
    r"|级|城区|市区|县区|县市|市县|旗县|乡镇|城镇|村镇|集镇|示范|园|基地|开发|产业|核心|功能|片区|集聚|试验|先行"
    r"|保护|景区|灌区|垦区|牧区|山区|社区|街区|小区|城市|都市|超市|地区|农区|新区|专区|辖区|库区|矿区|林区|湖区|港区|厂区"
)
_PART = re.compile(r"^(?:其中)?[，,]?\s*([\u4e00-\u9fff]{2,12}?)\s*(?:约|达到|达|为)?\s*\d")


def _names_a_place(name: str) -> bool:
    """Whether a name is a place's: closed by an administrative suffix, no generic word (示范区, 乡镇), and a
    district, town or township named by more than its direction (东区 is a part of anything)."""
    if not _PLACE.fullmatch(name) or _NOT_A_PLACE.search(name):
        return False
    return len(name) >= 3 or name.endswith(("县", "市", "旗"))


def _breakdown_places(parts: list[str], pattern: re.Pattern[str], known: set[str]) -> list[str] | None:
    """The place each part of a breakdown opens with (甲县40万亩 → 甲县), or None when a part is not a place
    and its figure."""
    places, units = [], set()
    for part in parts:
        found = _PART.match(part.strip())
        amounts = quantities(part, pattern)
        if found is None or not amounts:
            return None
        name = found.group(1)
        if name not in known and not _names_a_place(name):
            return None
        places.append(name)
        units.add(amounts[0].unit)
    return places if len(units) == 1 else None


def places_to_add(text: str, pattern: re.Pattern[str], known: list[str]) -> list[str]:
    """The places a plan breaks a figure down by that the reference does not know: every part of a bracket
    a place and its figure in one unit (…50万亩（甲市20万亩，乙市20万亩，丙县10万亩）), at least two; or the
    leading parts of a 其中 run that are (…，其中甲市10万亩，乙市5万亩，…), one will do. Their figures are
    proposed like a known place's, the place flagged for the reference."""
    spelled = set(known)
    runs = []
    for bracket in re.finditer(r"[（(]([^（）()]+)[）)]", text):
        parts = [part for part in re.split(r"[，,、；;]", bracket.group(1)) if part.strip()]
        places = _breakdown_places(parts, pattern, spelled)
        if places is not None and len(places) >= 2:
            runs.append(places)
    for run in re.finditer(r"其中[，,]?([^。；;（）()\n]+)", text):
        parts = [part for part in re.split(r"[，,、]", run.group(1)) if part.strip()]
        leading = (_breakdown_places(parts[:length], pattern, spelled) for length in range(len(parts), 0, -1))
        runs.append(next((places for places in leading if places), []))
    new: list[str] = []
    for places in runs:
        new += [place for place in places if place not in spelled and place not in new]
    return new
