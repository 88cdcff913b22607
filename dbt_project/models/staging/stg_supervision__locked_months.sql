{#- The department-months locked by an issued briefing (planwatch issue), one row per plan, department and month. -#}
with

source as (

    select * from {{ source('supervision', 'locked_months') }}

),

renamed as (

    select
        plan_id,
        department_id,
        {{ month_index_from_text('period') }} as month_index,
        cast({{ month_end_of_index(month_index_from_text('period')) }} as date) as period,
        locked_at
    from source

)

select * from renamed
