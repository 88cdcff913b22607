with

source as (

    select * from {{ source('registry', 'ref_indicators') }}

),

renamed as (

    select
        indicator_code,
        indicator_name,
        indicator_name_en,
        canonical_unit,
        nature,
        frequency,
        nullif(trim(numerator), '') as numerator_code,
        nullif(trim(denominator), '') as denominator_code,
        cast(plausible_min as {{ double() }}) as plausible_min,
        cast(plausible_max as {{ double() }}) as plausible_max,
        description,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
