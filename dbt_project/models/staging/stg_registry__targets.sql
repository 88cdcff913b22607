with

source as (

    select * from {{ source('registry', 'registry_targets') }}

),

renamed as (

    select
        plan_id,
        target_id,
        indicator_code,
        indicator_name,
        region_code,
        region_name,
        cast(target_year as integer) as target_year,
        cast(target_value as {{ double() }}) as target_value_as_written,
        unit as unit_as_written,
        {{ column_or_null(source('registry', 'registry_targets'), 'target_value_canonical', double()) }}
            as target_value_canonical,
        {{ column_or_null(source('registry', 'registry_targets'), 'canonical_unit', 'varchar') }}
            as canonical_unit,
        comparator,
        kind as target_kind,
        cast(base_year as integer) as base_year,
        cast(baseline_value as {{ double() }}) as baseline_value_as_written,
        {{ column_or_null(source('registry', 'registry_targets'), 'baseline_value_canonical', double()) }}
            as baseline_value_canonical,
        lead_unit,
        lead_unit_id,
        lead_unit_as_written,
        -- none named: null, not an empty list
        nullif(trim(responsible_units), '') as responsible_units,
        nullif(trim(responsible_unit_ids), '') as responsible_unit_ids,
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
