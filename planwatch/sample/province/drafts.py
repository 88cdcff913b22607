"""A plan being written: its text paragraph by paragraph, and each target and milestone with the quote
it comes from, so that every quote is verbatim in the text by construction; and the genre's opening
(通知, 指导思想) and closing (保障措施) paragraphs every synthetic plan shares."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

SYNTHETIC_NOTE = (
    "说明：本文件为 planwatch 合成样例（planwatch sample --scale province 生成），其中的省、市、县、单位名称和"
    "全部数字均为虚构，不代表任何真实地区和真实规划。"
)
PLAN_END = dt.date(2025, 12, 31)


def number(value: float, decimals: int) -> str:
    """A figure as a plan text writes it: 326.5, 85 (never 85.0)."""
    return f"{value:.{decimals}f}" if decimals else str(round(value))


def rounded(value: float, decimals: int) -> float:
    return float(round(value, decimals)) if decimals else float(round(value))


def deadline_phrase(deadline: dt.date) -> str:
    """2023-12-31 → 2023年底前; 2024-06-30 → 2024年6月底前."""
    if deadline.month == 12:
        return f"{deadline.year}年底前"
    return f"{deadline.year}年{deadline.month}月底前"


@dataclass
class PlanDraft:
    plan_id: str
    prefix: str  # of its target and milestone ids
    title: str
    issuer: str
    document_number: str
    issue_date: dt.date
    period_start: dt.date
    period_end: dt.date
    region: str
    reporting_unit: str
    statistics_unit: str
    paragraphs: list[str] = field(default_factory=list)
    targets: list[dict[str, object]] = field(default_factory=list)
    milestones: list[dict[str, object]] = field(default_factory=list)

    def say(self, *paragraphs: str) -> None:
        self.paragraphs.extend(paragraphs)

    def target(
        self,
        indicator_code: str,
        region: str,
        year: int,
        value: float,
        unit: str,
        quote: str,
        section: str,
        kind: str = "level",
        base_year: int | None = None,
        lead: tuple[str, str] | None = None,
        responsible: tuple[str, ...] = (),
        suffix: str = "",
    ) -> None:
        """`lead`: (lead unit as written, the text that names it as 牵头 unit)."""
        target_id = f"{self.prefix}.{indicator_code}.{region}.{year}{suffix}"
        entry: dict[str, object] = {
            "target_id": target_id,
            "indicator_code": indicator_code,
            "region": region,
            "target_year": year,
            "target_value": value,
            "unit": unit,
            "comparator": ">=",
            "kind": kind,
            "base_year": base_year,
            "baseline_value": None,
            "lead_unit": lead[0] if lead else None,
        }
        if lead:
            entry["lead_unit_quote"] = lead[1]
        entry |= {"responsible_units": list(responsible), "section": section, "source_quote": quote}
        self.targets.append(entry)

    def milestone(
        self,
        slug: str,
        project: str,
        description: str,
        deadline: dt.date,
        region: str,
        quote: str,
        section: str,
        lead: tuple[str, str] | None,
        responsible: tuple[str, ...] = (),
    ) -> None:
        entry: dict[str, object] = {
            "milestone_id": f"{self.prefix}.ms.{slug}",
            "project": project,
            "description": description,
            "deadline": deadline,
            "region": region,
            "lead_unit": lead[0] if lead else None,
        }
        if lead:
            entry["lead_unit_quote"] = lead[1]
        entry |= {"responsible_units": list(responsible), "section": section, "source_quote": quote}
        self.milestones.append(entry)

    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"

    def as_document(self) -> dict[str, object]:
        return {
            "plan_id": self.plan_id,
            "title": self.title,
            "issuer": self.issuer,
            "document_number": self.document_number,
            "issue_date": self.issue_date,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "region": self.region,
            "source_text": f"source/{self.plan_id}.txt",
            "reporting_unit": self.reporting_unit,
            "statistics_unit": self.statistics_unit,
            "targets": self.targets,
            "milestones": self.milestones,
        }


def floor_to(value: float, decimals: int) -> float:
    step = 10**decimals
    return math.floor(value * step) / step


def month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


_ORDINALS = "一二三四五六七八九十"


def ordinal(number_of: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十."""
    tens, units = divmod(number_of, 10)
    prefix = "" if tens == 0 else ("十" if tens == 1 else _ORDINALS[tens - 1] + "十")
    return prefix + (_ORDINALS[units - 1] if units else "")


def project_paragraphs(
    draft: PlanDraft, projects: tuple[tuple, ...], heading: Callable[[str], str], lead_in: str = ""
) -> None:
    """三、重点任务 from (二) on: a paragraph per project, (slug, project, description, deadline, region,
    lead unit, partner units), quoting its deadline and units, and its milestone."""
    for number_of, (slug, project, description, deadline, region, lead, responsible) in enumerate(projects, start=2):
        deadline = month_end(deadline)
        quote = f"{deadline_phrase(deadline)}，{project}{description}"
        lead_text = f"（牵头单位：{lead}；配合单位：{'、'.join(responsible)}）"
        title = f"（{ordinal(number_of)}）{heading(project)}"
        draft.say(f"{title}。{lead_in}{quote}。{lead_text}")
        draft.milestone(
            slug, project, description, deadline, region, quote, f"三、重点任务{title}", (lead, lead_text), responsible
        )


def opening(draft: PlanDraft, office: str, addressees: str, purpose: str) -> None:
    draft.say(
        f"{office}文件",
        draft.document_number,
        f"{office}关于印发{draft.title}的通知",
        addressees,
        f"《{draft.title}》已经{draft.issuer}同意，现印发给你们，请结合实际认真贯彻落实。",
        office,
        f"{draft.issue_date.year}年{draft.issue_date.month}月{draft.issue_date.day}日",
        SYNTHETIC_NOTE,
        draft.title,
        f"为深入贯彻落实乡村振兴战略，{purpose}，结合实际，制定本方案。",
        "一、总体要求",
        "（一）指导思想。坚持农业农村优先发展，以推进农业供给侧结构性改革为主线，以延链补链强链为重点，"
        "推动农产品加工业和特色产业集群发展，促进一二三产业融合，带动农民持续增收。",
    )


def closing(draft: PlanDraft, number_label: str, office_units: str) -> None:
    draft.say(
        f"{number_label}、保障措施",
        "（一）加强组织领导。各地各有关部门要把目标任务纳入重要议事日程，明确责任分工，细化工作措施，"
        "确保各项任务按期完成。",
        "（二）强化要素保障。统筹用好各级财政衔接资金和产业发展资金，落实用地、用电、金融等支持政策。",
        f"（三）严格督查考核。各责任单位每月10日前报送上月目标任务进展情况，{office_units}按月调度、按季通报，"
        "对进度滞后的目标任务实行督办。",
    )
