"""The province's own plan: provincial totals, a target paragraph per city, and provincial projects."""

from __future__ import annotations

import datetime as dt
import math
import random

from planwatch.sample.province.drafts import (
    PLAN_END,
    PlanDraft,
    closing,
    number,
    opening,
    ordinal,
    project_paragraphs,
    rounded,
)
from planwatch.sample.province.geography import Province


def province_plan(province: Province, rng: random.Random) -> PlanDraft:
    place = province.place
    agriculture = province.department(place, "agriculture_rural_department").name
    draft = PlanDraft(
        plan_id=f"{place.slug}_agri_processing_2021",
        prefix=place.slug,
        title=f"{place.name}农产品加工业提升行动实施方案（2021—2025年）",
        issuer=f"{place.name}人民政府",
        document_number=f"样政办发〔2021〕{rng.randint(8, 30)}号",
        issue_date=dt.date(2021, 3, rng.randint(1, 28)),
        period_start=dt.date(2021, 1, 1),
        period_end=PLAN_END,
        region=place.code,
        reporting_unit=agriculture,
        statistics_unit=province.department(place, "statistics_bureau").name,
    )
    opening(
        draft, f"{place.name}人民政府办公厅", "各市人民政府，省政府各部门，各直属机构：", "加快全省农产品加工业提质增效"
    )
    allocations = []
    for city in province.cities:
        output = rounded(rng.uniform(150, 650), 1)
        allocations.append((city, output, float(int(output * rng.uniform(0.18, 0.30))), float(rng.randint(12, 40))))
    total_output = float(math.floor(sum(a[1] for a in allocations) / 100) * 100)
    total_enterprises = float(math.floor(sum(a[2] for a in allocations) / 50) * 50)
    midterm_output = float(round(total_output * 0.85, -2))
    ratio = rng.choice((2.3, 2.4, 2.5, 2.6))
    rate = float(rng.randint(72, 78))
    national = float(rng.randint(30, 60))
    growth = float(rng.randint(7, 10))
    goals = "一、总体要求（二）主要目标"
    quotes = {
        "mid": f"到2023年，全省农产品加工业产值达到{number(midterm_output, 0)}亿元",
        "output": f"到2025年，全省农产品加工业产值达到{number(total_output, 0)}亿元以上",
        "ratio": f"农产品加工业产值与农业总产值之比达到{ratio}:1",
        "rate": f"农产品加工转化率达到{number(rate, 0)}%",
        "enterprises": f"规模以上农产品加工企业达到{number(total_enterprises, 0)}家",
        "growth": f"农产品加工业营业收入年均增长{number(growth, 0)}%以上",
    }
    draft.say(
        f"（二）主要目标。{quotes['mid']}，农产品加工转化率达到{number(rate - 3, 0)}%。{quotes['output']}，"
        f"{quotes['ratio']}，{quotes['rate']}，{quotes['enterprises']}，{quotes['growth']}，"
        "农产品加工业成为全省乡村振兴的支柱产业。"
    )
    code = place.code
    draft.target("agri_processing_output_value", code, 2023, midterm_output, "亿元", quotes["mid"], goals)
    draft.target("agri_processing_output_value", code, 2025, total_output, "亿元", quotes["output"], goals)
    draft.target("processing_to_agri_output_ratio", code, 2025, ratio, ":1", quotes["ratio"], goals, kind="ratio")
    midterm_rate_quote = f"农产品加工转化率达到{number(rate - 3, 0)}%"
    draft.target("agri_processing_conversion_rate", code, 2023, rate - 3, "%", midterm_rate_quote, goals, kind="rate")
    draft.target("agri_processing_conversion_rate", code, 2025, rate, "%", quotes["rate"], goals, kind="rate")
    draft.target(
        "above_scale_agri_processing_enterprises", code, 2025, total_enterprises, "家", quotes["enterprises"], goals
    )
    draft.target(
        "agri_processing_revenue",
        code,
        2025,
        growth,
        "%",
        quotes["growth"],
        goals,
        kind="average_annual_growth",
        base_year=2020,
    )
    draft.say("二、各市目标任务")
    for number_of, (city, output, enterprises, provincial) in enumerate(allocations, start=1):
        name = city.place.name
        quote = (
            f"{name}农产品加工业产值达到{number(output, 1)}亿元、规模以上农产品加工企业达到{number(enterprises, 0)}家、"
            f"省级农业产业化重点龙头企业达到{number(provincial, 0)}家"
        )
        lead_text = f"（{name}人民政府负责，{name}农业农村局牵头）"
        draft.say(f"（{ordinal(number_of)}）{name}。到2025年，{quote}。{lead_text}")
        section = f"二、各市目标任务（{ordinal(number_of)}）{name}"
        lead = (f"{name}农业农村局", lead_text)
        draft.target("agri_processing_output_value", city.place.code, 2025, output, "亿元", quote, section)
        for indicator, value in (
            ("above_scale_agri_processing_enterprises", enterprises),
            ("leading_enterprises_provincial", provincial),
        ):
            draft.target(indicator, city.place.code, 2025, value, "家", quote, section, lead=lead)
    draft.say("三、重点任务")
    national_quote = f"到2025年，农业产业化国家重点龙头企业达到{number(national, 0)}家"
    national_lead = "（牵头单位：省农业农村厅；配合单位：省发展改革委、省工业和信息化厅）"
    draft.say(
        f"（一）培育壮大龙头企业。实施龙头企业培育工程，支持企业兼并重组、做大做强，{national_quote}。{national_lead}"
    )
    draft.target(
        "leading_enterprises_national",
        code,
        2025,
        national,
        "家",
        national_quote,
        "三、重点任务（一）培育壮大龙头企业",
        lead=("省农业农村厅", national_lead),
        responsible=("省发展改革委", "省工业和信息化厅"),
    )
    park_city = rng.choice(province.cities).place
    projects = (
        (
            "demo_park",
            f"{park_city.name}省级农产品加工产业示范园区",
            "建成并投入运营",
            dt.date(2023, 12, 31),
            park_city.code,
            "省农业农村厅",
            ("省发展改革委",),
        ),
        (
            "traceability_platform",
            "全省农产品质量安全追溯平台",
            "上线运行",
            dt.date(2022, 6, 30),
            code,
            "省农业农村厅",
            ("省工业和信息化厅",),
        ),
        (
            "cold_chain_backbone",
            "省级农产品冷链物流骨干网",
            "建成",
            dt.date(2024, 12, 31),
            code,
            "省发展改革委",
            ("省商务厅",),
        ),
        (
            "innovation_center",
            "农产品精深加工技术创新中心",
            "投入使用",
            dt.date(2025, 6, 30),
            code,
            "省工业和信息化厅",
            ("省农业农村厅",),
        ),
        (
            "marketing_platform",
            "全省农产品产销对接服务平台",
            "建成运行",
            dt.date(2022, 12, 31),
            code,
            "省商务厅",
            ("省农业农村厅",),
        ),
    )
    project_paragraphs(draft, projects, lambda project: f"推进{project}建设", lead_in="加大投入，倒排工期，")
    closing(draft, "四", "省农业农村厅会同省统计局")
    return draft
