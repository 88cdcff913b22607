{#- The current revision of every observation: a later load (higher load_id) of the same
    (indicator, region, period, measure) supersedes the earlier ones, which stay in raw as history. -#}
with

source as (

    select * from {{ source('ingest', 'observations') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period, measure
            order by load_id desc
        ) as revision_rank,
        count(*) over (
            partition by indicator_code, region_code, period, measure
        ) as loads_of_key
    from source

),

renamed as (

    select
        indicator_code,
        region_code,
        {{ month_index_from_text('period') }} as month_index,
        {{ month_end_of_index(month_index_from_text('period')) }} as period,
        measure,
        cast(value as {{ double() }}) as value,
        unit,
        original_value,
        original_unit,
        load_id,
        file_sha256,
        file_name,
        sheet,
        cell,
        cast(row_number as integer) as source_row_number,
        department_id,
        layout,
        cast(loads_of_key - 1 as integer) as superseded_revisions,
        loaded_at
    from ranked
    where revision_rank = 1

),

final as (

    select * from renamed

)

select * from final
