"""A county's plan: county targets reported by its own bureaus, and two projects (one without a lead unit)."""

from __future__ import annotations

import datetime as dt
import random

from planwatch.sample.province.drafts import PLAN_END, PlanDraft, closing, number, opening, rounded
from planwatch.sample.province.geography import COUNTY_DEPARTMENTS, Place, Province


def county_plan(province: Province, county: Place, rng: random.Random) -> PlanDraft:
    province.add_departments(county, COUNTY_DEPARTMENTS)
    draft = PlanDraft(
        plan_id=f"{county.slug}_modern_agri_park_2022",
        prefix=county.slug,
        title=f"{county.name}现代农业产业园建设实施方案（2022—2025年）",
        issuer=f"{county.name}人民政府",
        document_number=f"{county.name[:2]}政办发〔2022〕{rng.randint(3, 40)}号",
        issue_date=dt.date(2022, 2, rng.randint(1, 28)),
        period_start=dt.date(2022, 1, 1),
        period_end=PLAN_END,
        region=county.code,
        reporting_unit=province.department(county, "agriculture_rural_bureau").name,
        statistics_unit=province.department(county, "statistics_bureau").name,
    )
    opening(draft, f"{county.name}人民政府办公室", "各乡镇人民政府，县直有关部门：", "高标准建设现代农业产业园")
    revenue = rounded(rng.uniform(8, 40), 1)
    enterprises = float(rng.randint(20, 60))
    towns = float(rng.randint(2, 4))
    products_growth = float(rng.randint(20, 40))
    events = float(rng.randint(6, 12))
    goals = "一、总体要求（二）主要目标"
    quotes = {
        "revenue": f"全县农产品加工业营业收入达到{number(revenue, 1)}亿元",
        "towns": f"农业产业强镇达到{number(towns, 0)}个",
        "products": f"绿色食品、有机农产品和地理标志农产品数量比2021年增长{number(products_growth, 0)}%以上",
        "events": f"每年举办公益直播带货活动{number(events, 0)}场以上",
    }
    draft.say(
        f"（二）主要目标。到2025年，{quotes['revenue']}，{quotes['towns']}，{quotes['products']}；"
        f"2022年起{quotes['events']}，产业园成为全县农业现代化的示范区。"
    )
    code = county.code
    draft.target("agri_processing_revenue", code, 2025, revenue, "亿元", quotes["revenue"], goals)
    draft.target("agri_industry_strong_towns", code, 2025, towns, "个", quotes["towns"], goals)
    draft.target(
        "green_organic_gi_agri_products",
        code,
        2025,
        products_growth,
        "%",
        quotes["products"],
        goals,
        kind="growth_over_base",
        base_year=2021,
    )
    for year in range(2022, 2026):
        draft.target("public_welfare_livestream_sales_events", code, year, events, "场", quotes["events"], goals)
    draft.say("二、重点任务")
    leading_quote = f"到2025年，全县各级农业产业化龙头企业达到{number(enterprises, 0)}家"
    leading_lead = "（县农业农村局牵头，县统计局配合）"
    draft.say(f"（一）培育龙头企业。{leading_quote}。{leading_lead}")
    draft.target(
        "leading_enterprises_all_levels",
        code,
        2025,
        enterprises,
        "家",
        leading_quote,
        "二、重点任务（一）培育龙头企业",
        lead=("县农业农村局", leading_lead),
        responsible=("县统计局",),
    )
    park_quote = f"2023年底前，{county.name}农产品加工产业园（一期）建成投产"
    park_lead = "（牵头单位：县农业农村局）"
    draft.say(f"（二）建设加工园区。{park_quote}。{park_lead}")
    draft.milestone(
        "processing_park_phase1",
        f"{county.name}农产品加工产业园（一期）",
        "建成投产",
        dt.date(2023, 12, 31),
        code,
        park_quote,
        "二、重点任务（二）建设加工园区",
        ("县农业农村局", park_lead),
    )
    # a milestone whose paragraph names no lead unit: its progress is due from the plan's reporting unit
    lab_quote = f"2022年底前，{county.name}农产品质量安全检测中心建成投入使用"
    draft.say(f"（三）完善检测体系。{lab_quote}。")
    draft.milestone(
        "quality_testing_center",
        f"{county.name}农产品质量安全检测中心",
        "建成投入使用",
        dt.date(2022, 12, 31),
        code,
        lab_quote,
        "二、重点任务（三）完善检测体系",
        None,
    )
    closing(draft, "三", "县农业农村局会同县统计局")
    return draft
