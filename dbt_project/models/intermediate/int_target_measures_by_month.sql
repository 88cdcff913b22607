{#- One row per target and month with a value from the base month to the end of the target year: the
    actual in the target's measure space, and the annual-equivalent value the projection runs on.
    year_total: the year-to-date, and the trailing twelve months' total (this year-to-date + last
    year's total − last year's same-period year-to-date), which has no seasonality;
    sum_since_plan_start: the December totals of the earlier years since its start (the plan's first year, or
    the year after the registry's base_year) + this year-to-date;
    change_since_plan_start: the level minus the level before the plan; level: the value itself. -#}
with

targets as (

    select * from {{ ref('int_targets_resolved_to_measures') }}

),

baselines as (

    select * from {{ ref('int_target_baselines') }}

),

series as (

    select * from {{ ref('int_indicator_values_with_derived_ratios') }}

),

points as (

    select
        targets.target_id,
        targets.measure_space,
        targets.sum_start_year,
        series.month_index,
        {{ year_of_index('series.month_index') }} as as_of_year,
        series.value,
        series.value_source,
        series.file_name,
        series.sheet,
        series.cell
    from targets
    inner join baselines on targets.target_id = baselines.target_id
    inner join series
        on
            targets.indicator_code = series.indicator_code
            and targets.region_code = series.region_code
            and series.month_index >= targets.base_month_index
            and series.month_index <= targets.target_month_index

),

year_ends as (

    select
        indicator_code,
        region_code,
        {{ year_of_index('month_index') }} as year,
        value as year_end_value
    from series
    where month_index % 12 = 11

),

-- the plan's earlier years' totals, for counts summed from the plan start
earlier_years as (

    select
        points.target_id,
        points.month_index,
        -- an exact decimal sum: the same total whatever order the threads add the years in
        cast(sum(cast(year_ends.year_end_value as decimal(38, 9))) as {{ double() }}) as earlier_total,
        count(year_ends.year_end_value) as earlier_years_present
    from points
    inner join targets on points.target_id = targets.target_id
    left join year_ends
        on
            targets.indicator_code = year_ends.indicator_code
            and targets.region_code = year_ends.region_code
            and year_ends.year >= targets.sum_start_year
            and year_ends.year < points.as_of_year
    where points.measure_space = 'sum_since_plan_start'
    group by points.target_id, points.month_index

),

measured as (

    select
        points.target_id,
        points.month_index as as_of_month_index,
        points.value as reported_value,
        points.value_source,
        points.file_name,
        points.sheet,
        points.cell,
        case
            when points.measure_space = 'change_since_plan_start' then points.value - baselines.baseline_level
            when points.measure_space = 'sum_since_plan_start'
                then case
                    when
                        earlier_years.earlier_years_present
                        = points.as_of_year - points.sum_start_year
                        then coalesce(earlier_years.earlier_total, 0) + points.value
                end
            else points.value
        end as measure_value,
        case
            when points.measure_space = 'year_total' and points.month_index % 12 = 11 then points.value
            when points.measure_space = 'year_total'
                then points.value + last_year_end.year_end_value - same_month_last_year.value
        end as trailing_year_total
    from points
    inner join targets on points.target_id = targets.target_id
    inner join baselines on points.target_id = baselines.target_id
    left join earlier_years
        on points.target_id = earlier_years.target_id and points.month_index = earlier_years.month_index
    left join year_ends as last_year_end
        on
            targets.indicator_code = last_year_end.indicator_code
            and targets.region_code = last_year_end.region_code
            and last_year_end.year = points.as_of_year - 1
    left join series as same_month_last_year
        on
            targets.indicator_code = same_month_last_year.indicator_code
            and targets.region_code = same_month_last_year.region_code
            and same_month_last_year.month_index = points.month_index - 12

),

final as (

    select * from measured

)

select * from final
