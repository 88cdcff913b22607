with

indicators as (

    select * from {{ ref('int_indicators_classified') }}

),

final as (

    select
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(indicator_name_en as varchar) as indicator_name_en,
        cast(canonical_unit as varchar) as canonical_unit,
        cast(nature as varchar) as nature,
        cast(frequency as varchar) as frequency,
        cast(aggregation as varchar) as aggregation,
        cast(numerator_code as varchar) as numerator_code,
        cast(denominator_code as varchar) as denominator_code
    from indicators

)

select * from final
