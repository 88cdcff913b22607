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
        -- a group's members (重点帮扶县: 620825;620826); null for a region of its own, and in a warehouse
        -- whose registry was loaded before groups existed
        {{ column_or_null(source('registry', 'ref_regions'), 'members', 'varchar') }} as members,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
