{#- The current report of each milestone for each month (a resubmission supersedes). -#}
with

source as (

    select * from {{ source('ingest', 'milestone_reports') }}

),

ranked as (

    select
        *,
        row_number() over (partition by milestone_id, period order by load_id desc) as revision_rank
    from source

),

renamed as (

    select
        milestone_id,
        {{ month_index_from_text('period') }} as month_index,
        {{ month_end_of_index(month_index_from_text('period')) }} as period,
        status as reported_status,
        cast(percent_complete as {{ double() }}) as percent_complete,
        note,
        department_id,
        load_id,
        file_name,
        sheet,
        cell,
        loaded_at
    from ranked
    where revision_rank = 1

),

final as (

    select * from renamed

)

select * from final
