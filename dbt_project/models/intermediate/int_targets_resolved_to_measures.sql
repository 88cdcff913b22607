{#- Every target with what its progress is measured on (see docs/method.md, "What is measured"):
    the target value in the indicator's canonical unit, the measure space, the path's shape, and the
    months its path runs between. Month indexes are year * 12 + month - 1. -#}
with

targets as (

    select * from {{ ref('stg_registry__targets') }}

),

plans as (

    select * from {{ ref('stg_registry__plans') }}

),

indicators as (

    select * from {{ ref('int_indicators_classified') }}

),

units as (

    select * from {{ ref('stg_reference__units') }}

),

converted as (

    select
        targets.*,
        plans.start_month_index as plan_start_month_index,
        plans.end_month_index as plan_end_month_index,
        indicators.aggregation,
        indicators.nature,
        indicators.frequency,
        indicators.plausible_min,
        indicators.plausible_max,
        -- things counted one by one in their unit (个, 家, 头): a level of them is a whole number
        coalesce(canonical_units.dimension in ('count', 'head') and canonical_units.factor = 1, false)
            as is_counted_one_by_one,
        case
            when targets.target_kind in ('rate', 'growth_over_base', 'average_annual_growth') then '%'
            else coalesce(targets.canonical_unit, indicators.canonical_unit, targets.unit_as_written)
        end as unit,
        -- the registry loader converts when it can; otherwise convert with the unit table here
        coalesce(
            targets.target_value_canonical,
            case
                when targets.target_kind in ('rate', 'growth_over_base', 'average_annual_growth')
                    then targets.target_value_as_written
                when written_units.factor is not null and canonical_units.factor is not null
                    then targets.target_value_as_written * written_units.factor / canonical_units.factor
                else targets.target_value_as_written
            end
        ) as target_value,
        coalesce(
            targets.baseline_value_canonical,
            case
                when targets.target_kind in ('rate', 'growth_over_base', 'average_annual_growth')
                    then targets.baseline_value_as_written
                when written_units.factor is not null and canonical_units.factor is not null
                    then targets.baseline_value_as_written * written_units.factor / canonical_units.factor
                else targets.baseline_value_as_written
            end
        ) as registry_baseline_value
    from targets
    inner join plans on targets.plan_id = plans.plan_id
    left join indicators on targets.indicator_code = indicators.indicator_code
    left join units as written_units on targets.unit_as_written = written_units.unit
    left join units as canonical_units on indicators.canonical_unit = canonical_units.unit

),

resolved as (

    select
        *,
        case
            when target_kind = 'rate' then 'level'
            when target_kind = 'ratio' then 'level'
            when target_kind in ('cumulative', 'new_additions') and aggregation = 'additive_flow'
                then 'sum_since_plan_start'
            when target_kind = 'new_additions' and aggregation = 'stock' then 'change_since_plan_start'
            when aggregation = 'additive_flow' then 'year_total'
            else 'level'
        end as measure_space,
        case
            when target_kind in ('growth_over_base', 'average_annual_growth') then 'compound'
            else 'linear'
        end as path_shape,
        -- the path starts at the end of the base year: the year before the plan unless the registry names one
        case
            when base_year is not null then base_year * 12 + 11
            else plan_start_month_index - 1
        end as base_month_index,
        target_year * 12 + 11 as target_month_index,
        -- a count or amount summed since the plan start (累计, 新增) starts the year after the registry's
        -- base_year when it names one (projects of a county plan for 2022—2025 inside a 2023 plan), else in
        -- the plan's first year
        coalesce(base_year + 1, {{ year_of_index('plan_start_month_index') }}) as sum_start_year
    from converted

),

final as (

    select * from resolved

)

select * from final
