"""The synthetic province's plans: a provincial 实施方案 with per-city targets, city plans with per-county
targets, and a few county plans, each written as the text its quotes come from.

The figures are drawn from the seed; totals are the sums of their parts (a city's target is what its
counties' add up to, the province's what its cities' do), as the plans of one government's hierarchy are
written. Targets name only indicators of the launch catalogue (`INDICATORS_USED`).
"""

from __future__ import annotations

import random

from planwatch.sample.province.city_plans import THEMES, city_plan
from planwatch.sample.province.county_plans import county_plan
from planwatch.sample.province.drafts import PlanDraft
from planwatch.sample.province.geography import Province
from planwatch.sample.province.province_plan import province_plan

CITY_PLANS = 8
COUNTY_PLANS = 3
INDICATORS_USED = (
    "agri_processing_output_value",
    "agri_processing_revenue",
    "agri_total_output_value",
    "processing_to_agri_output_ratio",
    "agri_processing_conversion_rate",
    "leading_enterprises_national",
    "leading_enterprises_provincial",
    "leading_enterprises_municipal",
    "above_scale_agri_processing_enterprises",
    "green_food_certified_products",
    "leading_enterprises_all_levels",
    "green_organic_gi_agri_products",
    "public_welfare_livestream_sales_events",
    "agri_industry_strong_towns",
    *(theme.indicator_code for theme in THEMES),
)


def build_plans(province: Province, rng: random.Random) -> list[PlanDraft]:
    """The province's plan, CITY_PLANS city plans and COUNTY_PLANS county plans (counties of cities without one)."""
    drafts = [province_plan(province, rng)]
    with_plans = sorted(rng.sample(range(len(province.cities)), CITY_PLANS))
    drafts += [city_plan(province, province.cities[index], rng) for index in with_plans]
    others = [city for index, city in enumerate(province.cities) if index not in with_plans]
    for city in rng.sample(others, COUNTY_PLANS):
        drafts.append(county_plan(province, rng.choice(city.counties[1:]), rng))
    return drafts
