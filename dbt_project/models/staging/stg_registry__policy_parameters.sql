with

source as (

    select * from {{ source('registry', 'registry_policy_parameters') }}

),

renamed as (

    select
        plan_id,
        parameter_id,
        name as parameter_name,
        cast(value as {{ double() }}) as parameter_value,
        unit,
        region_code,
        section,
        source_quote,
        note,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
