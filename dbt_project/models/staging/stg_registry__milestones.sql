with

source as (

    select * from {{ source('registry', 'registry_milestones') }}

),

renamed as (

    select
        plan_id,
        milestone_id,
        project,
        description,
        {{ text_to_date('deadline') }} as deadline,
        region_code,
        region_name,
        lead_unit,
        lead_unit_id,
        lead_unit_as_written,
        -- none named: null, not an empty list
        nullif(trim(responsible_units), '') as responsible_units,
        nullif(trim(responsible_unit_ids), '') as responsible_unit_ids,
        section,
        source_quote,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
