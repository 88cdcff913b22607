{#- One value per indicator, region and month: the level at the month's end for a stock, the
    year-to-date for a flow. A month nobody reported directly is filled from the next year's
    "same period last year" column (上年同期), which is how a base year before the first submission
    becomes known. A direct report always wins over such a fill. -#}
with

observations as (

    select * from {{ ref('stg_ingest__observations') }}

),

indicators as (

    select * from {{ ref('int_indicators_classified') }}

),

candidates as (

    select
        observations.indicator_code,
        observations.region_code,
        case
            when observations.measure in ('prior_year_ytd_value', 'prior_year_period_end_value')
                then observations.month_index - 12
            else observations.month_index
        end as month_index,
        observations.value,
        case
            when observations.measure in ('prior_year_ytd_value', 'prior_year_period_end_value')
                then 'prior_year_column'
            else 'reported'
        end as value_source,
        case
            when observations.measure in ('prior_year_ytd_value', 'prior_year_period_end_value') then 2
            else 1
        end as source_priority,
        observations.measure,
        observations.load_id,
        observations.file_name,
        observations.sheet,
        observations.cell
    from observations
    inner join indicators on observations.indicator_code = indicators.indicator_code
    where
        (indicators.aggregation = 'stock' and observations.measure in ('period_end_value', 'prior_year_period_end_value'))
        or (indicators.aggregation <> 'stock' and observations.measure in ('ytd_value', 'prior_year_ytd_value'))

),

ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, region_code, month_index
            order by source_priority asc, load_id desc
        ) as preference
    from candidates

),

final as (

    select
        indicator_code,
        region_code,
        month_index,
        value,
        value_source,
        measure,
        load_id,
        file_name,
        sheet,
        cell
    from ranked
    where preference = 1

)

select * from final
