{#- One row per indicator, region and month with a value: the figure against the same period a year
    earlier (同比) and, for monthly indicators, against the month before (环比). The year-earlier
    figure is whatever int_indicator_values_monthly holds for that month: a direct report first, else
    the 上年同期 column of this year's report. Flows compare like with like: a year-to-date with last
    year's year-to-date of the same months; 环比 of an additive flow compares the month's own amount
    (this year-to-date minus last month's; January's is its year-to-date) with the month before's.
    Percentages change in percentage points (百分点), everything else in per cent. Each comparison keeps
    the cells of the figures it compares against (its base), so that a base the plausibility review doubts
    can be marked where the comparison is shown (fct_target_progress.is_yoy_base_doubted). -#}
with

series as (

    select * from {{ ref('int_indicator_values_with_derived_ratios') }}

),

indicators as (

    select * from {{ ref('int_indicators_classified') }}

),

with_neighbours as (

    select
        series.indicator_code,
        series.region_code,
        series.month_index,
        series.value,
        indicators.aggregation,
        indicators.frequency,
        indicators.unit_dimension = 'percent' as is_percentage,
        a_year_earlier.value as value_a_year_earlier,
        a_month_earlier.value as value_a_month_earlier,
        two_months_earlier.value as value_two_months_earlier,
        a_year_earlier.file_name as year_earlier_file_name,
        a_year_earlier.sheet as year_earlier_sheet,
        a_year_earlier.cell as year_earlier_cell,
        a_month_earlier.file_name as month_earlier_file_name,
        a_month_earlier.sheet as month_earlier_sheet,
        a_month_earlier.cell as month_earlier_cell,
        two_months_earlier.file_name as two_months_earlier_file_name,
        two_months_earlier.sheet as two_months_earlier_sheet,
        two_months_earlier.cell as two_months_earlier_cell
    from series
    inner join indicators on series.indicator_code = indicators.indicator_code
    left join series as a_year_earlier
        on
            series.indicator_code = a_year_earlier.indicator_code
            and series.region_code = a_year_earlier.region_code
            and a_year_earlier.month_index = series.month_index - 12
    left join series as a_month_earlier
        on
            series.indicator_code = a_month_earlier.indicator_code
            and series.region_code = a_month_earlier.region_code
            and a_month_earlier.month_index = series.month_index - 1
    left join series as two_months_earlier
        on
            series.indicator_code = two_months_earlier.indicator_code
            and series.region_code = two_months_earlier.region_code
            and two_months_earlier.month_index = series.month_index - 2

),

-- what 环比 compares: a level (stock, averaged flow) or an additive flow's amount of the month
month_amounts as (

    select
        *,
        case
            when frequency <> 'monthly' then null
            when aggregation <> 'additive_flow' then value
            when month_index % 12 = 0 then value
            else value - value_a_month_earlier
        end as month_amount,
        case
            when frequency <> 'monthly' then null
            when aggregation <> 'additive_flow' then value_a_month_earlier
            when (month_index - 1) % 12 = 0 then value_a_month_earlier
            else value_a_month_earlier - value_two_months_earlier
        end as previous_month_amount,
        -- whether the month before's amount subtracts the figure of two months earlier (as above)
        frequency = 'monthly'
        and aggregation = 'additive_flow'
        and (month_index - 1) % 12 <> 0 as previous_month_uses_two_months_earlier
    from with_neighbours

),

final as (

    select
        indicator_code,
        region_code,
        month_index,
        value,
        value_a_year_earlier,
        case
            when not is_percentage and value_a_year_earlier > 0
                then 100.0 * (value / value_a_year_earlier - 1)
        end as yoy_growth_pct,
        case when is_percentage then value - value_a_year_earlier end as yoy_change_pp,
        month_amount,
        previous_month_amount,
        case
            when not is_percentage and previous_month_amount > 0
                then 100.0 * (month_amount / previous_month_amount - 1)
        end as mom_growth_pct,
        case when is_percentage then month_amount - previous_month_amount end as mom_change_pp,
        year_earlier_file_name,
        year_earlier_sheet,
        year_earlier_cell,
        case when frequency = 'monthly' then month_earlier_file_name end as month_earlier_file_name,
        case when frequency = 'monthly' then month_earlier_sheet end as month_earlier_sheet,
        case when frequency = 'monthly' then month_earlier_cell end as month_earlier_cell,
        case when previous_month_uses_two_months_earlier then two_months_earlier_file_name end
            as two_months_earlier_file_name,
        case when previous_month_uses_two_months_earlier then two_months_earlier_sheet end as two_months_earlier_sheet,
        case when previous_month_uses_two_months_earlier then two_months_earlier_cell end as two_months_earlier_cell
    from month_amounts

)

select * from final
