{#- The office's decisions on departments' months (planwatch approve / return), one row per decision. -#}
with

source as (

    select * from {{ source('supervision', 'submission_reviews') }}

),

renamed as (

    select
        plan_id,
        department_id,
        {{ month_index_from_text('period') }} as month_index,
        cast({{ month_end_of_index(month_index_from_text('period')) }} as date) as period,
        level as review_level,
        decision,
        reason,
        up_to_load_id,
        actor,
        decided_at
    from source

)

select * from renamed
