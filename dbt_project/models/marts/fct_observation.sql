{#- Current values, one row per (indicator, region, month, measure), with the cell and the source
    (statistics bureau or department, by planwatch.toml's source_precedence) each came from.
    Incremental: a run writes only the rows that differ from what the table holds (delete+insert on
    observation_key) and deletes the keys that have no current figure any more. A row differs when new
    loads revised it, and also when nothing new arrived but the figure that is current changed: the
    office returned the submission it came from (its month's earlier figure, or none, is current
    again), approved one again, or planwatch.toml ranks the sources differently. A full refresh gives
    the same table. -#}
{{
    config(
        materialized='incremental',
        unique_key='observation_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="
            delete from {{ this }}
            where not exists (
                select 1 from {{ ref('stg_ingest__observations') }} as figures
                where {{ observation_key('figures.indicator_code', 'figures.region_code', 'figures.month_index',
                    'figures.measure') }} = observation_key
            )
        ",
    )
}}

with

observations as (

    select * from {{ ref('stg_ingest__observations') }}

),

current_rows as (

    select
        {{ observation_key('indicator_code', 'region_code', 'month_index', 'measure') }} as observation_key,
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
    from observations

),

final as (

    select * from current_rows
    {% if is_incremental() %}
        -- the rows not already here as they are (set difference: every column compared, nulls equal)
        except
        select * from {{ this }}
    {% endif %}

)

select * from final
