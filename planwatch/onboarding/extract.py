"""Proposing targets, milestones and what is left out, from a plan's text, by the genre's rules.

A target is a quantity in a clause that commits to a year (its own 到2025年, its sentence's, or the
plan's horizon, said so) outside the sections that describe the present (发展基础, 现状). Left out,
with the reason, are baselines and achievements (已…, a year before the plan), expectations (预计),
subsidy and reward standards (policy parameters), eligibility thresholds (…以上的企业) and changes
in percentage points. A milestone is a dated action (2021年底前完成…, 到2023年建成) in a paragraph;
its lead unit comes from the paragraph's 牵头单位 bracket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from planwatch.onboarding.outline import Paragraph, Span, clauses, paragraphs, sentences
from planwatch.onboarding.quantities import Quantity, quantities
from planwatch.onboarding.tables import table_figures

_YEAR = re.compile(r"(?<![\d—-])(20\d{2})\s*年(?![\d—-])")
_TARGET_YEAR = re.compile(r"(?:到|至|力争到|力争|到了)?\s*(20\d{2})\s*年(?:底|末)?")
_BASE_YEAR = re.compile(r"[比较]\s*(20\d{2})\s*年")
_RANGE = re.compile(r"(20\d{2})\s*[—–\-－~至到]+\s*(20\d{2})年")
# a heading about the present (一、发展基础; （一）发展现状): its figures are baselines and achievements
_PRESENT_SECTION = re.compile(
    r"(?:^|[、）)．.])\s*(?:发展基础|工作基础|产业基础|基础条件|发展现状|现状|基本情况|主要成效|取得的?成效|发展形势|面临的?形势|背景)"
)
_ACHIEVED = ("已", "现有", "目前", "截至", "截止", "建成了", "实现了", "完成了")
_POLICY = ("补贴", "奖补", "奖励", "补助", "资助", "贴息", "给予", "扶持资金", "一次性")
_VERBS = (
    "力争", "达到", "建成", "建设", "培育", "打造", "新建", "新增", "认定", "发展到", "发展", "实现", "完成", "保持",
    "稳定在", "稳定", "提高到", "提升到", "提高", "提升", "突破", "超过", "增加", "扩大", "推广", "创建", "引进",
    "制定", "修订", "举办", "开展", "全市", "全县", "全区", "我市", "我县", "我区", "累计", "每年", "年均", "力争",
    "争取", "至少", "年达", "可达",
)  # fmt: skip
_LEAD = re.compile(r"[（(]\s*牵头单位[:：]\s*([^；;）)]+)(?:[；;]\s*(?:责任|配合)单位[:：]\s*([^）)]+))?[）)]")
_LEAD_ALT = re.compile(r"[（(〔]([^（）()〔〕]{2,40}?)牵头[，,、]?([^（）()〔〕]*?)(?:配合|参与|负责)?[）)〕]")
_PROJECT_SIZE = re.compile(
    r"(年产|日产|年加工能力|年处理|年屠宰|存栏)\s*[\d.]+[^，,；;。]{0,12}?(项目|工厂|生产线|工程|养殖场)"
)
_GENERIC_MEASURE = re.compile(r"(实现)?(营业收入|销售收入|主营业务收入|总产值|产值|产量|收入|加工量|规模)")


_HEADING_NUMBER = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\s?\d+[.．]")


def _topic(section: str) -> str | None:
    """The innermost heading that names a subject: （三）水稻加工产业 → 水稻加工 (1.发展目标 says nothing)."""
    for heading in reversed([part.strip() for part in _HEADING_NUMBER.split(section) if part.strip()]):
        if re.search(r"目标|任务|要求|措施|布局|方向|重点|思路|原则", heading):
            continue
        return re.sub(r"(产业|行业)$", "", heading) or None
    return None


_BARE_GROWTH = re.compile(r"(比|较)?(上年|同期)?(年均)?(增长|提高|增加)?(率)?")
_MILESTONE_VERBS = (
    "建成", "完成", "投产", "竣工", "投入使用", "开工", "启动", "上市", "完工", "运营", "达产", "落地", "全覆盖",
    "实现县", "率先实现", "发展成为", "建立健全", "形成",
)  # fmt: skip
_DEADLINE = re.compile(r"(?:到|至|于)?\s*(20\d{2})\s*年(?:\s*(\d{1,2})\s*月)?(?:底|末)?(?:前|以前)?")


@dataclass
class Proposal:
    """A target as proposed: what the text says, before matching to the reference lists."""

    quote: str
    start: int
    section: str
    subject: str
    region_spelling: str | None
    year: int
    year_inherited: str | None  # why the year is not the clause's own: its sentence's or the plan's horizon
    value: float
    unit: str
    comparator: str
    kind: str
    base_year: int | None
    lead_unit: str | None
    responsible_units: list[str]
    confidence: float


@dataclass
class LeftOut:
    quote: str
    section: str
    reason: str


@dataclass
class MilestoneProposal:
    quote: str
    start: int
    section: str
    project: str
    deadline_year: int
    deadline_month: int
    lead_unit: str | None
    responsible_units: list[str]
    confidence: float


@dataclass
class Extraction:
    targets: list[Proposal] = field(default_factory=list)
    milestones: list[MilestoneProposal] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def _kind(clause: str, sentence: str, quantity: Quantity) -> tuple[str, int | None]:
    base = _BASE_YEAR.search(clause) or _BASE_YEAR.search(sentence)
    if "年均" in clause and quantity.unit == "%":
        return "average_annual_growth", int(base.group(1)) if base else None
    if quantity.unit == "%" and re.search(r"增长|提高|增加", clause) and not re.search(r"率|比重|占比", clause):
        return "growth_over_base", int(base.group(1)) if base else None
    if quantity.unit == ":1":
        return "ratio", None
    if quantity.unit == "%":
        return "rate", None
    if "累计" in clause:
        return "cumulative", None
    if any(word in clause for word in ("新增", "新建", "新培育", "新认定", "新发展", "新改扩建", "每年新增")):
        return "new_additions", None
    return "level", None


def _units(paragraph: str) -> tuple[str | None, list[str]]:
    found = _LEAD.search(paragraph)
    if found:
        others = re.split(r"[、，,]", found.group(2) or "")
        return found.group(1).strip(), [unit.strip() for unit in others if unit.strip()]
    found = _LEAD_ALT.search(paragraph)
    if found:
        return found.group(1).strip("，、 "), []
    return None, []


def _subject(clause: str, quantity: Quantity, regions: list[str]) -> tuple[str, str | None]:
    """The words that name what is counted, and the region the clause opens with (if any)."""
    after = re.sub(r"^\s*(及以上|以上|以内|以下|左右)", "", clause[quantity.end :])
    text = clause[: quantity.start] + " " + after
    text = _TARGET_YEAR.sub("", text)
    # the place the clause opens with, past a count of places (2个重点帮扶县…), a 力争 and a 其中
    text = re.sub(r"^[\s，,]*(力争|争取)?\s*[\d一二两三四五六七八九十]+\s*个(?=\S)", "", text)
    text = re.sub(r"^[\s，,]*其中", "", text)
    region = next((name for name in regions if text.lstrip().startswith(name)), None)
    for word in sorted(_VERBS, key=len, reverse=True):
        text = text.replace(word, " ")
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text.strip())
    return re.sub(r"\s+", "", text), region


def _left_out_reason(clause: str, sentence: str, section: str, year: int | None, issued: int | None) -> str | None:
    if _PRESENT_SECTION.search(section):
        return "描述现状的章节（发展基础、现状），是基数或已有成绩，不是目标"
    if "预计" in clause:
        return "预计数（预计），不是目标"
    if (any(word in sentence for word in _POLICY) or "标准" in clause) and re.search(r"\d\s*(万元|元|亿元)", clause):
        return "补贴、奖励标准（政策参数），不是目标"
    if _PROJECT_SIZE.search(clause) or re.search(r"\d\s*[^\d，,；;。]{0,10}?(项目|生产线|工厂)", clause):
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
) -> Extraction:
    """Everything the text proposes; `regions` are the place names the plan may name (longest first)."""
    result = Extraction()
    groups = groups_of(text, regions)
    _table_targets(text, regions, result)
    for paragraph in paragraphs(text):
        lead, responsible = _units(paragraph.text)
        _paragraph_targets(paragraph, horizon, issued_year, units_pattern, regions, groups, lead, responsible, result)
        _paragraph_milestones(paragraph, lead, responsible, result)
    return result


def _paragraph_targets(
    paragraph: Paragraph,
    horizon: tuple[int | None, int | None],
    issued_year: int | None,
    pattern: re.Pattern[str],
    regions: list[str],
    groups: dict[str, list[str]],
    lead: str | None,
    responsible: list[str],
    result: Extraction,
) -> None:
    plan_start, horizon_end = horizon
    context_year: int | None = None
    context_region: str | None = None
    for sentence in sentences(paragraph):
        before = paragraph.text[: sentence.start - paragraph.start].rstrip()
        if not before.endswith(("；", ";")):
            context_region = None  # a place named in one sentence does not carry past its full stop
        respective = _respectively(
            sentence, paragraph, context_year, horizon_end, pattern, regions, lead, responsible, context_region
        )
        if respective and respective[0][1].region_spelling:
            context_region = respective[0][1].region_spelling
        covered = [(span.start, span.end) for span, _ in respective]
        result.targets += [proposal for _, proposal in respective]
        last_clause: str | None = None
        for clause in clauses(sentence):
            if any(begin <= clause.start < end for begin, end in covered):
                own = [int(y) for y in _YEAR.findall(clause.text)]
                context_year = own[0] if own else context_year
                continue
            own = [int(y) for y in _YEAR.findall(_RANGE.sub("", _BASE_YEAR.sub("", clause.text)))]
            if own:
                context_year = own[-1] if clause.text.startswith(("到", "至", "力争")) else own[0]
            found = [q for q in quantities(clause.text, pattern) if not _inside_enumeration(clause.text, q)]
            previous_clause, last_clause = last_clause, clause.text
            if found:
                last_clause = previous_clause
            if not found:
                if re.search(r"\d\s*\S{0,3}(以上|以下)的", clause.text):
                    result.left_out.append(LeftOut(clause.text, paragraph.section, "条件或门槛（…以上的），不是目标"))
                continue
            year = own[0] if own else context_year
            reason = _left_out_reason(clause.text, sentence.text, paragraph.section, year, issued_year)
            if reason:
                result.left_out.append(LeftOut(clause.text, paragraph.section, reason))
                continue
            inherited = None
            if not own and context_year is not None:
                inherited = "年份取自同一句或上文（如“到2025年，…”）"
            if year is None:
                if horizon_end is None:
                    result.left_out.append(LeftOut(clause.text, paragraph.section, "没有目标年份"))
                    continue
                year, inherited = horizon_end, f"年份取自规划期末（{horizon_end}年）"
            # a count of places (2个重点帮扶县…) says where, not how much
            places = tuple(regions) + tuple(groups)
            found = [q for q in found if not clause.text[q.end :].lstrip().startswith(places)] or found
            # the figure a clause commits to closes it (…示范基地6个); an earlier one qualifies (200亩以上设施…)
            last = found[-1]
            tail = re.sub(r"[（(][^（）()]*[）)]?\s*$", "", clause.text[last.end :])  # a closing breakdown aside
            closes = re.fullmatch(r"\s*(及以上|以上|以内|以下|左右)?\s*", tail)
            quantity = last if closes else found[0]
            subject, region = _subject(clause.text, quantity, regions)
            if region is not None:
                subject = subject[len(region) :] if subject.startswith(region) else subject
                context_region = region
            elif clause.text.startswith(("全市", "全县", "全区", "全旗", "全省", "我市", "我县")):
                context_region = None  # back to the plan's own region
            region = region or context_region
            previous = result.targets[-1] if result.targets and result.targets[-1].start >= sentence.start else None
            if not re.search(r"[\u4e00-\u9fff]{2}", subject.replace("确保", "")) and last_clause is not None:
                # 逐年提高…比例，确保2025年底达到50%: the clause before names the statistic
                subject = _subject(last_clause, Quantity(0, "", len(last_clause), len(last_clause), ">="), regions)[0]
            if not subject and region is not None and previous is not None:
                # 全省…达到50万亩，其中张掖市10万亩，平凉市5万亩: the same statistic, for a place within
                subject = previous.subject
            if _BARE_GROWTH.fullmatch(subject) and previous is not None:
                subject, region = (
                    previous.subject,
                    previous.region_spelling,
                )  # 营业收入达到…，增长10%: the same statistic
            if _GENERIC_MEASURE.fullmatch(subject) and (topic := _topic(paragraph.section)):
                subject = topic + subject  # （三）水稻加工产业 … 实现营业收入57.15亿元: the section says whose
            if not re.search(r"[\u4e00-\u9fff]{2}", subject) or _BARE_GROWTH.fullmatch(subject):
                result.left_out.append(LeftOut(clause.text, paragraph.section, "看不出统计的是什么（缺少指标名称）"))
                continue
            kind, base_year = _kind(clause.text, sentence.text, quantity)
            confidence = 0.9 if not inherited else 0.7
            if quantity.unit in ("吨", "万吨") and re.search(r"日(产|处理|加工|屠宰)", clause.text):
                quantity = replace(quantity, unit=f"{quantity.unit}/日")  # 日处理鲜奶5300吨: a daily capacity
            proposal = Proposal(
                clause.text, clause.start, paragraph.section, subject, region, year, inherited, quantity.value,
                quantity.unit, quantity.comparator, kind, base_year, lead, responsible, confidence,
            )  # fmt: skip
            # 每年 binds its clause and those after it in the sentence, unless one names its own subject (每县…)
            every_year = re.search(r"每年|常年", clause.text) or (
                re.search(r"每年|常年", sentence.text[: clause.start - sentence.start])
                and not re.search(r"每县|每个", clause.text)
            )
            years = [year]
            if every_year and plan_start is not None and horizon_end is not None and not own:
                years = list(range(plan_start, horizon_end + 1))  # 每年…: the same figure for every year of the plan
            members = _each_member(clause.text, sentence.text, quantity, region, groups)
            for each_region in members or [region]:
                for each_year in years:
                    changes: dict = {"region_spelling": each_region, "year": each_year}
                    if len(years) > 1:
                        changes["year_inherited"] = "“每年”：规划期内逐年"
                    result.targets.append(replace(proposal, **changes))
            if not members and len(years) == 1:
                result.targets += _enumerated(clause, proposal, pattern, regions)


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


def _respectively(
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
        earlier = _YEAR.findall(_BASE_YEAR.sub("", sentence.text[: match.start()]))
        year_match = _YEAR.search(head)
        context_year = int(earlier[-1]) if earlier else context_year
        year = int(year_match.group(1)) if year_match else context_year
        head = _TARGET_YEAR.sub("", head).strip("，, ")
        region = next((name for name in regions if head.startswith(name)), None)
        if region:
            head = head[len(region) :]
        region = region or context_region
        context_region = region  # 庄浪县肉牛…分别…，苹果、蔬菜产量分别…: the place carries on
        subjects = [part for part in re.split(r"[、和及与]", head) if part]
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
            kind, base_year = _kind(tail, sentence.text, amount)
            proposal = Proposal(
                quote.text, quote.start, paragraph.section, subject, region, year or horizon_end or 0,
                None if year_match else "年份取自同一句或上文", amount.value, amount.unit, amount.comparator, kind,
                base_year, lead, responsible, 0.7,
            )  # fmt: skip
            found.append((quote, proposal))
    return found


def _table_targets(text: str, regions: list[str], result: Extraction) -> None:
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


def _each_member(
    clause: str, sentence: str, quantity: Quantity, region: str | None, groups: dict[str, list[str]]
) -> list[str]:
    """The regions a target binds one by one: 每县…, 每个重点帮扶县…, or a rate of a group (重点帮扶县…占比33%)."""
    for alias, members in groups.items():
        named = alias in clause or alias in sentence[: sentence.find(clause) + 1 if clause in sentence else 0]
        if re.search(r"每县|每个县|各县", clause) or (named and re.search(f"每个{alias}|各{alias}", clause)):
            return members
        if (named or region == alias) and quantity.unit == "%":
            return members
    return []


def _inside_enumeration(clause: str, quantity: Quantity) -> bool:
    """A quantity inside the clause's trailing brackets (土左旗40万亩，…) belongs to a region's breakdown."""
    depth = 0
    for character in clause[: quantity.start]:
        depth += character in "（("
        depth -= character in "）)"
    return depth > 0


def _enumerated(clause: Span, total: Proposal, pattern: re.Pattern[str], regions: list[str]) -> list[Proposal]:
    """The per-region figures of a bracketed breakdown: 青贮玉米100万亩（土左旗40万亩，和林县25万亩，…）."""
    found = []
    for bracket in re.finditer(r"[（(]([^（）()]+)[）)]", clause.text):
        for part in re.split(r"[，,、；;]", bracket.group(1)):
            part = part.strip().removeprefix("其中")
            region = next((name for name in regions if part.startswith(name)), None)
            if region is None:
                continue
            amounts = quantities(part, pattern)
            if len(amounts) != 1:
                continue
            found.append(
                Proposal(
                    **{**total.__dict__, "region_spelling": region, "value": amounts[0].value, "unit": amounts[0].unit}
                )
            )
    return found


def _paragraph_milestones(paragraph: Paragraph, lead: str | None, responsible: list[str], result: Extraction) -> None:
    if _PRESENT_SECTION.search(paragraph.section):
        return
    for sentence in sentences(paragraph):
        sentence_deadline = None
        for clause in clauses(sentence):
            deadline = _DEADLINE.search(_BASE_YEAR.sub("", clause.text)) or sentence_deadline
            sentence_deadline = deadline  # 到2025年，…实现…: the year heads the sentence
            verb = next((v for v in _MILESTONE_VERBS if v in clause.text), None)
            if deadline is None or verb is None or "预计" in clause.text:
                continue
            project = clause.text[deadline.end() :].strip("，、 ") if deadline.string == clause.text else clause.text
            project = project or clause.text
            month = int(deadline.group(2)) if deadline.group(2) else 12
            result.milestones.append(
                MilestoneProposal(
                    sentence.text,
                    sentence.start,
                    paragraph.section,
                    project,
                    int(deadline.group(1)),
                    month,
                    lead,
                    responsible,
                    0.8 if lead else 0.6,
                )
            )
