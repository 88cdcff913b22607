{#- 督办事项 as the office opened them when a briefing was issued (planwatch issue), one row per item. -#}
with

source as (

    select * from {{ source('supervision', 'follow_up_items') }}

),

renamed as (

    select
        item_id,
        plan_id,
        {{ month_index_from_text('opened_period') }} as opened_month_index,
        cast({{ month_end_of_index(month_index_from_text('opened_period')) }} as date) as opened_period,
        cast(issue_number as integer) as issue_number,
        kind as subject_kind,
        subject_id,
        subject,
        region_code,
        department_id,
        department_name,
        ask,
        cast(reply_due as date) as reply_due,
        opened_at,
        state as item_state,
        closed_at,
        closed_by,
        close_reason
    from source

)

select * from renamed
