{#- One row per plan: the months it is followed in, from its start until final_assessment_months after
    the later of its period's end and its last target year (its final assessment, while the last year's
    annual figures arrive). After that its targets and milestones leave the per-month marts, so an ended
    plan is not briefed as current years later. -#}
with

plans as (

    select * from {{ ref('stg_registry__plans') }}

),

targets as (

    select * from {{ ref('stg_registry__targets') }}

),

last_target_years as (

    select
        plan_id,
        max(target_year) as last_target_year
    from targets
    group by plan_id

),

final as (

    select
        plans.plan_id,
        plans.start_month_index as first_month_index,
        greatest(plans.end_month_index, coalesce(last_target_years.last_target_year * 12 + 11, 0))
        + {{ var('final_assessment_months') }} as last_month_index
    from plans
    left join last_target_years on plans.plan_id = last_target_years.plan_id

)

select * from final
