{#- How each indicator adds up over time. A stock is a level at a month's end; an additive flow sums
    over months (its year-to-date is a running total); an averaged flow is a rate over a period (%,
    :1, per-unit units) whose year-to-date is an average, so it reads like a level. -#}
with

indicators as (

    select * from {{ ref('stg_reference__indicators') }}

),

units as (

    select * from {{ ref('stg_reference__units') }}

),

classified as (

    select
        indicators.indicator_code,
        indicators.indicator_name,
        indicators.indicator_name_en,
        indicators.canonical_unit,
        indicators.nature,
        indicators.frequency,
        indicators.numerator_code,
        indicators.denominator_code,
        indicators.plausible_min,
        indicators.plausible_max,
        units.dimension as unit_dimension,
        case
            when indicators.nature = 'stock' then 'stock'
            when units.dimension in ('percent', 'ratio') or position('_per_' in units.dimension) > 0 then 'averaged_flow'
            else 'additive_flow'
        end as aggregation
    from indicators
    left join units on indicators.canonical_unit = units.unit

),

final as (

    select * from classified

)

select * from final
