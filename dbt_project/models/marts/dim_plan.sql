with

plans as (

    select * from {{ ref('stg_registry__plans') }}

),

plan_windows as (

    select * from {{ ref('int_plan_windows') }}

),

final as (

    select
        cast(plans.plan_id as varchar) as plan_id,
        cast(plan_title as varchar) as plan_title,
        cast(issuer as varchar) as issuer,
        cast(document_number as varchar) as document_number,
        cast(issue_date as date) as issue_date,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(region_code as varchar) as region_code,
        cast(region_name as varchar) as region_name,
        cast(target_count as integer) as target_count,
        cast(milestone_count as integer) as milestone_count,
        {{ month_end_of_index('plan_windows.last_month_index') }} as followed_until
    from plans
    inner join plan_windows on plans.plan_id = plan_windows.plan_id

)

select * from final
