{#- One row per target: the baseline its path starts from, in its measure space, and where it came
    from. The registry's baseline wins; else the value at the end of the base year in the data
    (reported, or from the next year's 上年同期 column); else, for targets that are not defined
    relative to the base year, the first value observed after it, which moves the path's start. -#}
with

targets as (

    select * from {{ ref('int_targets_resolved_to_measures') }}

),

series as (

    select * from {{ ref('int_indicator_values_with_derived_ratios') }}

),

at_base as (

    select
        targets.target_id,
        series.value,
        series.value_source
    from targets
    inner join series
        on
            targets.indicator_code = series.indicator_code
            and targets.region_code = series.region_code
            and targets.base_month_index = series.month_index

),

-- the first value after the base month (for a year total: the first December)
first_after_base as (

    select
        targets.target_id,
        series.month_index,
        series.value,
        row_number() over (partition by targets.target_id order by series.month_index) as position_in_series
    from targets
    inner join series
        on
            targets.indicator_code = series.indicator_code
            and targets.region_code = series.region_code
            and series.month_index > targets.base_month_index
            and series.month_index < targets.target_month_index
    where targets.measure_space <> 'year_total' or series.month_index % 12 = 11

),

chosen as (

    select
        targets.target_id,
        case
            when targets.measure_space = 'sum_since_plan_start' then 0
            when targets.measure_space = 'change_since_plan_start' then 0
            when targets.registry_baseline_value is not null then targets.registry_baseline_value
            when at_base.value is not null then at_base.value
            when targets.path_shape = 'linear' then first_after_base.value
        end as baseline_value,
        -- the level a count of new additions is measured from
        case
            when targets.measure_space = 'change_since_plan_start'
                then coalesce(at_base.value, first_after_base.value)
        end as baseline_level,
        case
            when targets.measure_space = 'sum_since_plan_start' then 'plan_start'
            when targets.measure_space = 'change_since_plan_start' and at_base.value is not null then at_base.value_source
            when targets.measure_space = 'change_since_plan_start' and first_after_base.value is not null
                then 'first_observation'
            when targets.measure_space = 'change_since_plan_start' then null
            when targets.registry_baseline_value is not null then 'registry'
            when at_base.value is not null then at_base.value_source
            when targets.path_shape = 'linear' and first_after_base.value is not null then 'first_observation'
        end as baseline_source,
        case
            when
                targets.measure_space in ('sum_since_plan_start')
                or targets.registry_baseline_value is not null
                or at_base.value is not null
                then targets.base_month_index
            when first_after_base.month_index is not null and targets.path_shape = 'linear'
                then first_after_base.month_index
            else targets.base_month_index
        end as baseline_month_index
    from targets
    left join at_base on targets.target_id = at_base.target_id
    left join first_after_base
        on
            targets.target_id = first_after_base.target_id
            and first_after_base.position_in_series = 1

),

with_target_level as (

    select
        chosen.*,
        case
            -- a growth of things counted one by one asks for whole ones: 增长8% on 7个 is at least 8个, not 7.56个
            when targets.is_counted_one_by_one and grown.level is not null and targets.comparator = '>='
                then ceil(grown.level - 1e-9)
            when targets.is_counted_one_by_one and grown.level is not null and targets.comparator = '<='
                then floor(grown.level + 1e-9)
            when grown.level is not null then grown.level
            -- a growth with no base value to grow from has no level to reach (the % is not one): no data
            when targets.target_kind in ('growth_over_base', 'average_annual_growth') then null
            else targets.target_value
        end as target_level
    from chosen
    inner join targets on chosen.target_id = targets.target_id
    cross join lateral (
        select case
            when targets.target_kind = 'growth_over_base'
                then chosen.baseline_value * (1 + targets.target_value / 100)
            when targets.target_kind = 'average_annual_growth'
                then
                    chosen.baseline_value
                    * power(1 + targets.target_value / 100, targets.target_year - {{ year_of_index('targets.base_month_index') }})
        end as level
    ) as grown

),

final as (

    select * from with_target_level

)

select * from final
