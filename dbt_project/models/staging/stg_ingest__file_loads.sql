{#- One row per file received. `submitted_at` is when the file arrived in the landing folder (its
    modification time, UTC), which punctuality is judged on; a warehouse loaded before ingestion recorded
    it has no such column, and a file without it falls back to `loaded_at`. -#}
with

source as (

    select * from {{ source('ingest', 'file_loads') }}

),

renamed as (

    select
        load_id,
        file_name,
        file_path,
        sha256 as file_sha256,
        cast(file_size as bigint) as file_size,
        encoding,
        layout,
        department_id,
        periods,
        status as load_status,
        rejection_reason,
        cast(rows_read as integer) as rows_read,
        cast(rows_loaded as integer) as rows_loaded,
        cast(rows_quarantined as integer) as rows_quarantined,
        cast(rows_ignored as integer) as rows_ignored,
        cast(observations as integer) as observations,
        cast(milestone_reports as integer) as milestone_reports,
        cast(revisions as integer) as revisions,
        {{ column_or_null(source('ingest', 'file_loads'), 'submitted_at', 'timestamp') }} as submitted_at,
        loaded_at
    from source

),

final as (

    select
        *,
        coalesce(submitted_at, loaded_at) as received_at
    from renamed

)

select * from final
