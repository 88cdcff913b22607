{#- One row per plan, lead department and month: the targets it leads by status, the milestones it leads
    by outcome, and its score, ranked within the plan and month.

    A milestone falls due in the first month after its deadline (the month the rule of
    fct_milestone_status can call it overdue). A due milestone is done on time when its first report of
    completion is as of the deadline's month or earlier, done late when that report came later, and
    overdue while no report says completed, so due = on time + late + overdue.

    The score (考核得分) counts every assessed item once: each target with a current figure (not
    no_data, not stale) and each milestone due. It is 100 × (targets on track + milestones done on
    time) / (targets with a figure + milestones due), null when there is nothing to assess. Departments
    rank by the score, then by mean completion (capped at 100), then by fewer milestones overdue. A
    department that leads milestones but no target of the plan is ranked on its milestones alone. -#}
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
        -- exact decimal sums: the same data gives the same mean to the last digit, whatever the threads' order
        avg(case when status <> 'stale' then cast(least(greatest(completion_rate, 0), 100) as decimal(18, 9)) end) as mean_completion
    from progress
    where lead_unit_id is not null
    group by period, plan_id, lead_unit_id

),

-- each milestone in each month, with the month it was done as fct_milestone_status dates it (the first
-- 已完成 of the current run of 已完成 reports: a completion taken back and reported again counts from then)
milestone_outcomes as (

    select
        period,
        plan_id,
        lead_unit_id,
        milestone_id,
        is_overdue,
        deadline is not null and period > deadline as is_due,
        reported_status = 'completed' as is_completed,
        completed_as_of as first_completed_as_of,
        cast({{ dbt.last_day('deadline', 'month') }} as date) as deadline_month_end
    from milestones
    where lead_unit_id is not null

),

milestone_summary as (

    select
        period,
        plan_id,
        lead_unit_id as department_id,
        count(*) as milestones,
        sum(case when is_due then 1 else 0 end) as milestones_due,
        sum(
            case when is_due and is_completed and first_completed_as_of <= deadline_month_end then 1 else 0 end
        ) as milestones_done_on_time,
        sum(
            case when is_due and is_completed and first_completed_as_of > deadline_month_end then 1 else 0 end
        ) as milestones_done_late,
        sum(case when is_overdue then 1 else 0 end) as milestones_overdue
    from milestone_outcomes
    group by period, plan_id, lead_unit_id

),

combined as (

    select
        coalesce(target_summary.period, milestone_summary.period) as period,
        coalesce(target_summary.plan_id, milestone_summary.plan_id) as plan_id,
        coalesce(target_summary.department_id, milestone_summary.department_id) as department_id,
        coalesce(target_summary.targets, 0) as targets,
        coalesce(target_summary.targets_on_track, 0) as targets_on_track,
        coalesce(target_summary.targets_lagging, 0) as targets_lagging,
        coalesce(target_summary.targets_severely_lagging_or_missed, 0) as targets_severely_lagging_or_missed,
        coalesce(target_summary.targets_no_data, 0) as targets_no_data,
        coalesce(target_summary.targets_stale, 0) as targets_stale,
        target_summary.mean_completion,
        coalesce(milestone_summary.milestones, 0) as milestones,
        coalesce(milestone_summary.milestones_due, 0) as milestones_due,
        coalesce(milestone_summary.milestones_done_on_time, 0) as milestones_done_on_time,
        coalesce(milestone_summary.milestones_done_late, 0) as milestones_done_late,
        coalesce(milestone_summary.milestones_overdue, 0) as milestones_overdue
    from target_summary
    full outer join milestone_summary
        on
            target_summary.period = milestone_summary.period
            and target_summary.plan_id = milestone_summary.plan_id
            and target_summary.department_id = milestone_summary.department_id

),

scored as (

    select
        *,
        targets - targets_no_data - targets_stale as targets_assessed,
        1.0 * targets_on_track / nullif(targets - targets_no_data - targets_stale, 0) as share_on_track,
        1.0 * milestones_done_on_time / nullif(milestones_due, 0) as milestone_on_time_share,
        100.0 * (targets_on_track + milestones_done_on_time)
        / nullif(targets - targets_no_data - targets_stale + milestones_due, 0) as department_score
    from combined

),

ranked as (

    select
        *,
        rank() over (
            partition by plan_id, period
            order by
                department_score desc nulls last,
                mean_completion desc nulls last,
                milestones_overdue asc
        ) as department_rank
    from scored

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
        cast(ranked.milestones_due as integer) as milestones_due,
        cast(ranked.milestones_done_on_time as integer) as milestones_done_on_time,
        cast(ranked.milestones_done_late as integer) as milestones_done_late,
        cast(ranked.milestones_overdue as integer) as milestones_overdue,
        cast(ranked.milestone_on_time_share as {{ double() }}) as milestone_on_time_share,
        cast(ranked.targets_assessed + ranked.milestones_due as integer) as items_assessed,
        cast(ranked.department_score as {{ double() }}) as department_score,
        cast(ranked.department_rank as integer) as department_rank
    from ranked
    left join departments on ranked.department_id = departments.department_id

)

select * from final
