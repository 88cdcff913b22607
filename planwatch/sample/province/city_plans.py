"""A city's plan: city totals of two themes broken down by county, city-wide targets, and two projects."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from planwatch.sample.province.drafts import (
    PLAN_END,
    PlanDraft,
    closing,
    floor_to,
    number,
    opening,
    ordinal,
    project_paragraphs,
    rounded,
)
from planwatch.sample.province.geography import City, Province


@dataclass(frozen=True)
class Theme:
    """A per-county statistic a city plan breaks down: 肉牛存栏达到 5.3 万头以上."""

    indicator_code: str
    phrase: str
    unit: str
    low: float
    high: float
    decimals: int = 1
    kind: str = "level"
    tail: str = "以上"


THEMES = (
    Theme("beef_cattle_inventory", "肉牛存栏达到", "万头", 1.5, 8.0),
    Theme("dairy_cow_inventory", "奶牛存栏达到", "万头", 0.8, 5.0),
    Theme("apple_output", "苹果产量达到", "万吨", 5.0, 50.0),
    Theme("vegetable_output", "蔬菜产量达到", "万吨", 5.0, 35.0),
    Theme("potato_planting_area", "马铃薯种植面积达到", "万亩", 4.0, 30.0),
    Theme("chinese_herbal_medicine_planting_area", "中药材种植面积达到", "万亩", 0.5, 6.0, 2),
    Theme("silage_corn_area", "青贮玉米种植面积达到", "万亩", 2.0, 12.0),
    Theme("high_standard_farmland_built", "新建高标准农田", "万亩", 2.0, 10.0, kind="new_additions", tail=""),
    Theme("beef_cattle_slaughter", "肉牛出栏达到", "万头", 0.8, 4.5),
    Theme("quality_forage_base_area", "优质饲草料基地面积达到", "万亩", 1.0, 8.0),
)


def city_plan(province: Province, city: City, rng: random.Random) -> PlanDraft:
    place = city.place
    start = dt.date(2021, rng.choice((1, 4, 7)), 1)
    agriculture = province.department(place, "agriculture_rural_bureau").name
    draft = PlanDraft(
        plan_id=f"{place.slug}_characteristic_agri_{start.year}",
        prefix=place.slug,
        title=f"{place.name}特色农业产业高质量发展实施方案（{start.year}—2025年）",
        issuer=f"{place.name}人民政府",
        document_number=f"{place.name[0]}政办发〔{start.year}〕{rng.randint(5, 60)}号",
        issue_date=start + dt.timedelta(days=rng.randint(5, 25)),
        period_start=start,
        period_end=PLAN_END,
        region=place.code,
        reporting_unit=agriculture,
        statistics_unit=province.department(place, "statistics_bureau").name,
    )
    opening(draft, f"{place.name}人民政府办公室", "各县区人民政府，市直有关部门：", "推动全市特色农业产业高质量发展")
    themes = rng.sample(THEMES, 2)
    county_values = {
        county.code: [
            rounded(rng.uniform(theme.low, theme.high) * (0.5 if county.code.endswith("02") else 1.0), theme.decimals)
            for theme in themes
        ]
        for county in city.counties
    }
    totals = [
        floor_to(sum(values[i] for values in county_values.values()), theme.decimals) for i, theme in enumerate(themes)
    ]
    output = rounded(rng.uniform(180, 520), 1)
    municipal = float(rng.randint(40, 120))
    revenue_growth = float(rng.randint(8, 12))
    green_growth = float(rng.randint(30, 60))
    goals = "一、总体要求（二）主要目标"
    theme_quotes = [
        f"全市{theme.phrase}{number(total, theme.decimals)}{theme.unit}{theme.tail}"
        for theme, total in zip(themes, totals, strict=True)
    ]
    quotes = {
        "output": f"全市农林牧渔业总产值达到{number(output, 1)}亿元",
        "revenue": f"农产品加工业营业收入年均增长{number(revenue_growth, 0)}%以上",
        "green": f"绿色食品认证产品数量比2020年增长{number(green_growth, 0)}%",
    }
    first = themes[0]
    midterm = None
    if first.kind == "level":
        midterm = rounded(totals[0] * 0.88, first.decimals)
        quotes["mid"] = f"到2023年，全市{first.phrase}{number(midterm, first.decimals)}{first.unit}"
    draft.say(
        f"（二）主要目标。{quotes['mid'] + '。' if midterm is not None else ''}到2025年，"
        f"{'，'.join(theme_quotes)}，{quotes['output']}，{quotes['revenue']}，{quotes['green']}，"
        "特色产业成为县域经济的主导产业。"
    )
    code = place.code
    for theme, total, quote in zip(themes, totals, theme_quotes, strict=True):
        draft.target(theme.indicator_code, code, 2025, total, theme.unit, quote, goals, kind=theme.kind)
    if midterm is not None:
        draft.target(first.indicator_code, code, 2023, midterm, first.unit, quotes["mid"], goals)
    draft.target("agri_total_output_value", code, 2025, output, "亿元", quotes["output"], goals)
    draft.target(
        "agri_processing_revenue",
        code,
        2025,
        revenue_growth,
        "%",
        quotes["revenue"],
        goals,
        kind="average_annual_growth",
        base_year=2020,
    )
    draft.target(
        "green_food_certified_products",
        code,
        2025,
        green_growth,
        "%",
        quotes["green"],
        goals,
        kind="growth_over_base",
        base_year=2020,
    )
    draft.say("二、县区目标任务")
    lead_text = "（牵头单位：市农业农村局；配合单位：市发展改革委，各县区人民政府）"
    for number_of, county in enumerate(city.counties, start=1):
        clauses = [
            f"{theme.phrase}{number(value, theme.decimals)}{theme.unit}{theme.tail}"
            for theme, value in zip(themes, county_values[county.code], strict=True)
        ]
        quote = f"{county.name}{'、'.join(clauses)}"
        draft.say(f"（{ordinal(number_of)}）{county.name}。到2025年，{quote}。{lead_text}")
        section = f"二、县区目标任务（{ordinal(number_of)}）{county.name}"
        for theme, value in zip(themes, county_values[county.code], strict=True):
            draft.target(
                theme.indicator_code,
                county.code,
                2025,
                value,
                theme.unit,
                quote,
                section,
                kind=theme.kind,
                lead=("市农业农村局", lead_text),
                responsible=("市发展改革委",),
            )
    draft.say("三、重点任务")
    leading_quote = f"到2025年，市级农业产业化重点龙头企业达到{number(municipal, 0)}家"
    leading_lead = "（牵头单位：市农业农村局；配合单位：市发展改革委）"
    draft.say(f"（一）壮大经营主体。实施龙头企业倍增计划，{leading_quote}。{leading_lead}")
    draft.target(
        "leading_enterprises_municipal",
        code,
        2025,
        municipal,
        "家",
        leading_quote,
        "三、重点任务（一）壮大经营主体",
        lead=("市农业农村局", leading_lead),
        responsible=("市发展改革委",),
    )
    park = rng.choice(city.counties)
    projects = (
        (
            "industrial_park",
            f"{park.name}现代农业产业园",
            "建成并通过省级认定",
            dt.date(rng.choice((2023, 2024)), rng.choice((6, 12)), 1),
            park.code,
            "市农业农村局",
            ("市发展改革委",),
        ),
        (
            "cold_chain_center",
            f"{place.name}农产品冷链物流集配中心",
            "建成投入使用",
            dt.date(2024, 12, 31),
            code,
            "市发展改革委",
            ("市农业农村局",),
        ),
    )
    project_paragraphs(draft, projects, lambda project: f"建设{project}")
    closing(draft, "四", "市农业农村局会同市统计局")
    return draft
