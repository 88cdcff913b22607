{#- Current values, one row per (indicator, region, month, measure), with the cell and the source
    (statistics bureau or department, by planwatch.toml's source_precedence) each came from.
    Incremental: a run reads only loads newer than the newest already here, and a revision replaces
    the row of its key (delete+insert on observation_key). A full refresh gives the same table. -#}
{{
    config(
        materialized='incremental',
        unique_key='observation_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

observations as (

    select * from {{ ref('stg_ingest__observations') }}

),

new_loads as (

    select * from observations
    {% if is_incremental() %}
        where load_id > (select coalesce(max(load_id), -1) from {{ this }})
    {% endif %}

),

final as (

    select
        cast(indicator_code || '|' || region_code || '|' || cast(month_index as varchar) || '|' || measure as varchar)
            as observation_key,
        cast(period as date) as period,
        cast(indicator_code as varchar) as indicator_code,
        cast(region_code as varchar) as region_code,
        cast(measure as varchar) as measure,
        cast(value as {{ double() }}) as value,
        cast(unit as varchar) as unit,
        cast(original_value as varchar) as original_value,
        cast(original_unit as varchar) as original_unit,
        -- a quarterly (half-yearly, yearly) figure sits at its period's last month; this says which
        cast(period_label as varchar) as period_label,
        cast(department_id as varchar) as department_id,
        cast(source_kind as varchar) as source_kind,
        cast(layout as varchar) as layout,
        cast(load_id as bigint) as load_id,
        cast(file_name as varchar) as file_name,
        cast(sheet as varchar) as sheet,
        cast(cell as varchar) as cell,
        cast(source_row_number as integer) as source_row_number,
        cast(superseded_revisions as integer) as superseded_revisions,
        cast(loaded_at as timestamp) as loaded_at
    from new_loads

)

select * from final
