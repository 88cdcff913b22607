{#- Reported values plus the indicators defined as a ratio of two others (numerator / denominator in
    the indicator catalogue), computed wherever both components have a value for the same region and
    month. A reported value of a ratio indicator wins over the derived one. -#}
with

values_monthly as (

    select * from {{ ref('int_indicator_values_monthly') }}

),

indicators as (

    select * from {{ ref('int_indicators_classified') }}

),

derived as (

    select
        indicators.indicator_code,
        numerators.region_code,
        numerators.month_index,
        numerators.value / denominators.value
        * case when indicators.canonical_unit = '%' then 100 else 1 end as value,
        'derived_ratio' as value_source,
        'ratio' as measure,
        cast(null as bigint) as load_id,
        cast(null as varchar) as file_name,
        cast(null as varchar) as sheet,
        cast(null as varchar) as cell
    from indicators
    inner join values_monthly as numerators
        on indicators.numerator_code = numerators.indicator_code
    inner join values_monthly as denominators
        on
            indicators.denominator_code = denominators.indicator_code
            and numerators.region_code = denominators.region_code
            and numerators.month_index = denominators.month_index
    where denominators.value <> 0

),

unioned as (

    select * from values_monthly
    union all
    select derived.*
    from derived
    left join values_monthly
        on
            derived.indicator_code = values_monthly.indicator_code
            and derived.region_code = values_monthly.region_code
            and derived.month_index = values_monthly.month_index
    where values_monthly.indicator_code is null

),

final as (

    select * from unioned

)

select * from final
