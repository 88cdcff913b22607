with

source as (

    select * from {{ source('registry', 'ref_departments') }}

),

renamed as (

    select
        department_id,
        department_name,
        region_code,
        aliases,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
