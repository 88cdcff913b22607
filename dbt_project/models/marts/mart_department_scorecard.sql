{#- One row per plan, lead department and month: its targets by status and its milestones overdue,
    ranked within the plan by the share of targets on track, then by mean completion (capped at 100). -#}
with

progress as (

    select * from {{ ref('fct_target_progress') }}

),

milestones as (

    select * from {{ ref('fct_milestone_status') }}

),

departments as (

    select * from {{ ref('dim_department') }}

),

target_summary as (

    select
        period,
        plan_id,
        lead_unit_id as department_id,
        count(*) as targets,
        sum(case when status in ('achieved', 'ahead', 'on_track') then 1 else 0 end) as targets_on_track,
        sum(case when status = 'lagging' then 1 else 0 end) as targets_lagging,
        sum(case when status in ('severely_lagging', 'missed') then 1 else 0 end) as targets_severely_lagging_or_missed,
        sum(case when status = 'no_data' then 1 else 0 end) as targets_no_data,
        sum(case when status = 'stale' then 1 else 0 end) as targets_stale,
        -- a stale figure's completion is not this month's: it is counted apart, like no data
        avg(case when status <> 'stale' then least(greatest(completion_rate, 0), 100) end) as mean_completion
    from progress
    where lead_unit_id is not null
    group by period, plan_id, lead_unit_id

),

milestone_summary as (

    select
        period,
        plan_id,
        lead_unit_id as department_id,
        count(*) as milestones,
        sum(case when is_overdue then 1 else 0 end) as milestones_overdue
    from milestones
    where lead_unit_id is not null
    group by period, plan_id, lead_unit_id

),

ranked as (

    select
        target_summary.*,
        coalesce(milestone_summary.milestones, 0) as milestones,
        coalesce(milestone_summary.milestones_overdue, 0) as milestones_overdue,
        1.0 * target_summary.targets_on_track / nullif(target_summary.targets - target_summary.targets_no_data - target_summary.targets_stale, 0)
            as share_on_track,
        rank() over (
            partition by target_summary.plan_id, target_summary.period
            order by
                1.0 * target_summary.targets_on_track
                / nullif(target_summary.targets - target_summary.targets_no_data - target_summary.targets_stale, 0) desc nulls last,
                target_summary.mean_completion desc nulls last
        ) as department_rank
    from target_summary
    left join milestone_summary
        on
            target_summary.period = milestone_summary.period
            and target_summary.plan_id = milestone_summary.plan_id
            and target_summary.department_id = milestone_summary.department_id

),

final as (

    select
        cast(ranked.period as date) as period,
        cast(ranked.plan_id as varchar) as plan_id,
        cast(ranked.department_id as varchar) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(ranked.targets as integer) as targets,
        cast(ranked.targets_on_track as integer) as targets_on_track,
        cast(ranked.targets_lagging as integer) as targets_lagging,
        cast(ranked.targets_severely_lagging_or_missed as integer) as targets_severely_lagging_or_missed,
        cast(ranked.targets_no_data as integer) as targets_no_data,
        cast(ranked.targets_stale as integer) as targets_stale,
        cast(ranked.share_on_track as {{ double() }}) as share_on_track,
        cast(ranked.mean_completion as {{ double() }}) as mean_completion,
        cast(ranked.milestones as integer) as milestones,
        cast(ranked.milestones_overdue as integer) as milestones_overdue,
        cast(ranked.department_rank as integer) as department_rank
    from ranked
    left join departments on ranked.department_id = departments.department_id

)

select * from final
