"""Proposing targets, milestones and what is left out, from a plan's text, by the genre's rules.

A target is a quantity in a clause that commits to a year (its own 到2025年, its sentence's, 今年, or the
plan's horizon, said so) outside the sections that describe the present (发展基础, 现状). Left out,
with the reason, are baselines and achievements (已…, a year before the plan), expectations (预计),
subsidy and reward standards and fund allocation rules (policy parameters), a single project's size,
eligibility thresholds (…以上的企业) and changes in percentage points. Which figures of a clause count
is figures.py's; what each counts, subjects.py's; breakdowns by region and group, breakdowns.py's. A
milestone is a dated action (2021年底前完成…, 到2023年建成) in a paragraph (milestones.py); its lead unit
comes from the paragraph's 牵头单位 bracket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from planwatch.onboarding.breakdowns import (
    each_member,
    enumerated,
    groups_of,
    inside_enumeration,
    respectively,
    table_targets,
    trailing_breakdown,
)
from planwatch.onboarding.figures import Committed, committed, counts_its_list, region_named, target_clauses
from planwatch.onboarding.milestones import paragraph_milestones
from planwatch.onboarding.outline import Paragraph, Span, describes_present, paragraphs, sentences
from planwatch.onboarding.proposals import Extraction, LeftOut, Proposal, kind_of
from planwatch.onboarding.quantities import quantities
from planwatch.onboarding.subjects import (
    BARE_GROWTH,
    GENERIC_MEASURE,
    named_after,
    named_before,
    names_something,
    subject,
    topic,
)
from planwatch.onboarding.years import THIS_YEAR, WHOLE_YEAR, clause_years

__all__ = ["Extraction", "extract"]

_ACHIEVED = ("已", "现有", "目前", "截至", "截止", "建成了", "实现了", "完成了")
_POLICY = ("补贴", "奖补", "奖励", "补助", "资助", "贴息", "给予", "扶持资金", "一次性")
_LEAD = re.compile(r"[（(]\s*牵头单位[:：]\s*([^；;）)]+)(?:[；;]\s*(?:责任|配合)单位[:：]\s*([^）)]+))?[）)]")
_LEAD_ALT = re.compile(r"[（(〔]([^（）()〔〕]{2,40}?)牵头[，,、]?([^（）()〔〕]*?)(?:配合|参与|负责)?[）)〕]")
_PROJECT_SIZE = re.compile(
    r"(年产|日产|年加工能力|年处理|年屠宰|存栏)\s*[\d.]+[^，,；;。]{0,12}?(项目|工厂|生产线|工程|养殖场)"
)
# a programme of projects (864个…项目, 项目50个, with its 总投资): a count to reach, not one project's size
_PROGRAMME = re.compile(r"\d\s*[个项][^，,；;。]*?项目|项目\s*\d+\s*[个项]")
# 资金的50%以上用于…: how funds are to be split, a policy parameter (用于…的比例达到50% is a target)
_ALLOCATION = re.compile(r"\d\s*[%％]\s*(?:及以上|以上)?\s*(?:的资金)?\s*用于")
_OPENING_YEAR = ("到", "至", "力争")
_FORECAST = "预计数（预计…），是预测，不是目标"


@dataclass(frozen=True)
class _Plan:
    """What every paragraph is read against."""

    horizon: tuple[int | None, int | None]
    issued: int | None
    pattern: re.Pattern[str]
    regions: list[str]
    groups: dict[str, list[str]]
    counties: list[str]

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(self.regions) + tuple(self.groups)


def _units(paragraph: str) -> tuple[str | None, list[str]]:
    found = _LEAD.search(paragraph)
    if found:
        others = re.split(r"[、，,]", found.group(2) or "")
        return found.group(1).strip(), [unit.strip() for unit in others if unit.strip()]
    found = _LEAD_ALT.search(paragraph)
    if found:
        return found.group(1).strip("，、 "), []
    return None, []


def _forecast(clause: Span, sentence: Span) -> bool:
    """预计 says what is expected, not what is committed to: its clause and those after it in the sentence
    (预计到2026年，…产值将达到10亿元) are forecasts."""
    return "预计" in sentence.text[: clause.end - sentence.start]


def _left_out_reason(
    clause: str, sentence: str, section: str, year: int | None, issued: int | None, expected: bool
) -> str | None:
    if describes_present(section):
        return "描述现状的章节（发展基础、现状），是基数或已有成绩，不是目标"
    if expected:
        return _FORECAST
    if (any(word in sentence for word in _POLICY) or "标准" in clause) and re.search(r"\d\s*(万元|元|亿元)", clause):
        return "补贴、奖励标准（政策参数），不是目标"
    if _ALLOCATION.search(clause):
        return "资金安排比例（…%以上用于…），是政策参数，不是目标"
    project = re.search(r"\d\s*[^\d，,；;。]{0,10}?(项目|生产线|工厂)", clause) and not _PROGRAMME.search(clause)
    if _PROJECT_SIZE.search(clause) or project:
        return "重点项目的建设规模（年产…的项目），列为项目，不作目标"
    if re.search(r"公司|集团|有限责任", clause):
        return "企业项目的内容（…公司…），列为项目进展，不作目标"
    if "个百分点" in clause:
        return "百分点变化，作背景说明，不作目标"
    if any(clause.startswith(word) or f"，{word}" in clause for word in _ACHIEVED) or "已" in clause[:6]:
        return "已有成绩或基数（已…），不是目标"
    if year is not None and issued is not None and year < issued:
        return f"{year}年的数字早于规划印发，是基数，不是目标"
    return None


def extract(
    text: str,
    horizon: tuple[int | None, int | None],
    issued_year: int | None,
    units_pattern: re.Pattern[str],
    regions: list[str],
    counties: list[str] | None = None,
) -> Extraction:
    """Everything the text proposes; `regions` are the place names the plan may name (longest first),
    `counties` the county-level places under the plan's region (what 每县 binds when no group is named)."""
    result = Extraction()
    plan = _Plan(horizon, issued_year, units_pattern, regions, groups_of(text, regions), counties or [])
    table_targets(text, regions, result)
    for paragraph in paragraphs(text):
        lead, responsible = _units(paragraph.text)
        _paragraph_targets(paragraph, plan, lead, responsible, result)
        paragraph_milestones(paragraph, lead, responsible, result)
    return result


@dataclass(frozen=True)
class _Clause:
    """A clause with figures, and what its sentence and paragraph say around it."""

    span: Span
    sentence: Span
    paragraph: Paragraph
    own_years: list[int]  # the clause's own (2021年…), none when it inherits one
    said_year: int | None  # its own, else its sentence's (今年) or the paragraph's so far (到2025年，…)
    year_note: str | None  # for the reviewer: where a year not the clause's own comes from
    previous_clause: str | None  # the last clause before it in the sentence with no figure
    later_in_sentence: list[str]
    later_in_paragraph: list[str]
    units: tuple[str | None, list[str]]  # the paragraph's lead unit and responsible units
    first: int  # where the paragraph's targets begin in the extraction's


def _paragraph_targets(
    paragraph: Paragraph, plan: _Plan, lead: str | None, responsible: list[str], result: Extraction
) -> None:
    context_year: int | None = None
    context_region: str | None = None
    first = len(result.targets)
    cut = [(sentence, target_clauses(sentence, plan.pattern)) for sentence in sentences(paragraph)]
    for index, (sentence, clauses) in enumerate(cut):
        if re.fullmatch(r"[（(][^（）()]*[）)]", sentence.text):  # （甲县1个，乙县2个）: the breakdown of one before
            result.targets += trailing_breakdown(sentence, result.targets[first:], plan.pattern, plan.regions)
            continue
        before = paragraph.text[: sentence.start - paragraph.start].rstrip()
        if not before.endswith(("；", ";")):
            context_region = None  # a place named in one sentence does not carry past its full stop
        # 今年 in a sentence with no year of its own: the year the plan is issued; 全年, unless a year is in sight
        this_year, whole_year = None, None
        if not clause_years(sentence.text):
            this_year = plan.issued if THIS_YEAR.search(sentence.text) else None
            whole_year = plan.issued if WHOLE_YEAR.search(sentence.text) else None
        respective = respectively(
            sentence, paragraph, context_year, plan.horizon[1], plan.pattern, plan.regions, lead, responsible,
            context_region,
        )  # fmt: skip
        if respective and respective[0][1].region_spelling:
            context_region = respective[0][1].region_spelling
        covered = [(span.start, span.end) for span, _ in respective]
        for span, proposal in respective:
            if _forecast(span, sentence):
                result.left_out.append(LeftOut(span.text, paragraph.section, _FORECAST))
            else:
                result.targets.append(proposal)
        previous_clause: str | None = None
        for position, clause in enumerate(clauses):
            own = clause_years(clause.text)
            if own:
                context_year = own[-1] if clause.text.startswith(_OPENING_YEAR) else own[0]
            if any(begin <= clause.start < end for begin, end in covered):
                continue
            found = [q for q in quantities(clause.text, plan.pattern) if not inside_enumeration(clause.text, q)]
            if any(counts_its_list(clause.text, q) for q in found):
                result.left_out.append(LeftOut(clause.text, paragraph.section, "列举项的个数（甲、乙等2个），不是目标"))
                found = [q for q in found if not counts_its_list(clause.text, q)]
            if not found:
                if re.search(r"\d\s*\S{0,3}(以上|以下)的", clause.text):
                    result.left_out.append(LeftOut(clause.text, paragraph.section, "条件或门槛（…以上的），不是目标"))
                elif (place := region_named(clause.text, plan.regions)) is not None:
                    context_region = place  # 打造甲示范带，发展企业1个…: the figures after it are the place's
                previous_clause = clause.text
                continue
            said_year = own[0] if own else (this_year or context_year or whole_year)
            year_note = None
            if not own and said_year is not None:
                year_note = "年份取自同一句或上文（如“到2025年，…”）"
                if said_year == (this_year or (None if context_year else whole_year)):
                    year_note = "“今年”“全年”：规划印发之年"
            expected = _forecast(clause, sentence)
            reason = _left_out_reason(clause.text, sentence.text, paragraph.section, said_year, plan.issued, expected)
            if reason:
                result.left_out.append(LeftOut(clause.text, paragraph.section, reason))
                continue
            at = _Clause(
                clause, sentence, paragraph, own, said_year, year_note, previous_clause,
                [c.text for c in clauses[position + 1 :]], [c.text for _, rest in cut[index + 1 :] for c in rest],
                (lead, responsible), first,
            )  # fmt: skip
            for item in committed(clause.text, found, plan.places):
                context_region = _propose(item, at, plan, context_region, result)


def _subject_of(item: Committed, at: _Clause, plan: _Plan, region: str | None, result: Extraction) -> tuple:
    """What the figure counts (subject, wording) and where (region), from its clause or its neighbours."""
    quantity = item.as_quantity()
    named, own_region, wording, _ = subject(item.frame, quantity, plan.regions)
    region = own_region or region
    earlier = [t for t in result.targets[at.first :] if t.start < at.span.start]
    previous = earlier[-1] if earlier and earlier[-1].start >= at.sentence.start else None
    if not names_something(named.replace("确保", "")):
        # 2021年达到70万亩，到2023年，建成100万亩优质马铃薯种植优势区: the same statistic, named after it
        named = (
            named_after(quantity.unit, at.later_in_sentence, plan.pattern, plan.regions)
            or named_before(at.previous_clause, plan.regions)
            or named_after(quantity.unit, at.later_in_paragraph, plan.pattern, plan.regions)
            or named
        )
    if not named and region is not None and previous is not None:
        named = previous.subject  # 全省…达到50万亩，其中张掖市10万亩: the same statistic, for a place within
    if BARE_GROWTH.fullmatch(named) and earlier:
        # 营业收入达到0.5亿元。比2022年增长50%: the same statistic, even past a full stop
        named, region = earlier[-1].subject, earlier[-1].region_spelling
    if GENERIC_MEASURE.fullmatch(named) and (heading := topic(at.paragraph.section)):
        named, wording = heading + named, heading + wording  # （三）水稻加工产业 … 实现营业收入57.15亿元: whose
    return named, wording, region


def _propose(item: Committed, at: _Clause, plan: _Plan, context_region: str | None, result: Extraction) -> str | None:
    """The proposal for one committed figure (and its copies per region and year); returns the place that
    carries on to the next clause."""
    clause, sentence, section = at.span, at.sentence, at.paragraph.section
    plan_start, horizon_end = plan.horizon
    year = at.said_year
    inherited = at.year_note
    if year is None:
        if horizon_end is None:
            result.left_out.append(LeftOut(clause.text, section, "没有目标年份"))
            return context_region
        year, inherited = horizon_end, f"年份取自规划期末（{horizon_end}年）"
    quantity = item.as_quantity()
    _, own_region, _, opens = subject(item.frame, quantity, plan.regions)
    if opens:
        context_region = own_region  # 甲县…，…: the place carries on (推进甲县…: only this clause's)
    elif clause.text.startswith(("全市", "全县", "全区", "全旗", "全省", "我市", "我县")):
        context_region = None  # back to the plan's own region
    named, wording, region = _subject_of(item, at, plan, context_region, result)
    if not names_something(named):
        result.left_out.append(LeftOut(clause.text, section, "看不出统计的是什么（缺少指标名称）"))
        return context_region
    kind, base_year = kind_of(clause.text, sentence.text, quantity)
    if quantity.unit in ("吨", "万吨") and re.search(r"日(产|处理|加工|屠宰)", clause.text):
        quantity = replace(quantity, unit=f"{quantity.unit}/日")  # 日处理鲜奶5300吨: a daily capacity
    lead, responsible = at.units
    proposal = Proposal(
        clause.text, clause.start, section, named, region, year, inherited, quantity.value, quantity.unit,
        quantity.comparator, kind, base_year, lead, responsible, 0.9 if not inherited else 0.7, wording,
    )  # fmt: skip
    # 每年 binds its clause and those after it in the sentence, unless one names its own subject (每县…)
    every_year = re.search(r"每年|常年", clause.text) or (
        re.search(r"每年|常年", sentence.text[: clause.start - sentence.start])
        and not re.search(r"每县|每个|各县", clause.text)
    )
    years = [year]
    if every_year and plan_start is not None and horizon_end is not None and not at.own_years:
        years = list(range(plan_start, horizon_end + 1))  # 每年…: the same figure for every year of the plan
    members = each_member(clause.text, sentence.text, at.paragraph.text, quantity, region, plan.groups, plan.counties)
    for each_region in members or [region]:
        for each_year in years:
            changes: dict = {"region_spelling": each_region, "year": each_year}
            if len(years) > 1:
                changes["year_inherited"] = "“每年”：规划期内逐年"
            result.targets.append(replace(proposal, **changes))
    if not members and len(years) == 1:
        result.targets += enumerated(clause, proposal, plan.pattern, plan.regions)
    return context_region
