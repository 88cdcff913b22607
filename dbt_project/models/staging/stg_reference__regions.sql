with

source as (

    select * from {{ source('registry', 'ref_regions') }}

),

renamed as (

    select
        region_code,
        region_name,
        level as region_level,
        nullif(trim(parent_code), '') as parent_code,
        aliases,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
