with

source as (

    select * from {{ source('registry', 'ref_units') }}

),

renamed as (

    select
        unit,
        dimension,
        cast(factor as {{ double() }}) as factor,
        aliases,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
