{#- One row per milestone per reporting month its plan is followed in (int_plan_windows): the latest
    report as of the month, and whether the milestone is overdue (past its deadline and not reported completed). -#}
with

milestones as (

    select * from {{ ref('stg_registry__milestones') }}

),

plan_windows as (

    select * from {{ ref('int_plan_windows') }}

),

reports as (

    select * from {{ ref('stg_ingest__milestone_reports') }}

),

months as (

    select * from {{ ref('int_reporting_months') }}

),

milestone_months as (

    select
        milestones.milestone_id,
        milestones.plan_id,
        milestones.deadline,
        milestones.lead_unit_id,
        milestones.region_code,
        months.month_index,
        months.period
    from milestones
    inner join plan_windows on milestones.plan_id = plan_windows.plan_id
    inner join months
        on
            months.month_index >= plan_windows.first_month_index
            and months.month_index <= plan_windows.last_month_index

),

latest_report as (

    -- up to each month: the latest report, and the latest that did not say 已完成 (a later report can
    -- take completion back)
    select
        milestone_months.milestone_id,
        milestone_months.month_index,
        max(reports.month_index) as report_month_index,
        max(reports.month_index) filter (where reports.reported_status <> 'completed') as not_completed_month_index
    from milestone_months
    inner join reports
        on
            milestone_months.milestone_id = reports.milestone_id
            and reports.month_index <= milestone_months.month_index
    group by milestone_months.milestone_id, milestone_months.month_index

),

first_completion as (

    -- the month completion was reported, counted from the first 已完成 after the last report that said
    -- otherwise (已完成 in March, 推进中 in April, 已完成 in June: done in June): when a milestone was done
    select
        latest_report.milestone_id,
        latest_report.month_index,
        min(reports.period) as completed_as_of
    from latest_report
    inner join reports
        on
            latest_report.milestone_id = reports.milestone_id
            and reports.month_index <= latest_report.month_index
            and reports.month_index > coalesce(latest_report.not_completed_month_index, -1)
            and reports.reported_status = 'completed'
    group by latest_report.milestone_id, latest_report.month_index

),

assembled as (

    select
        milestone_months.*,
        reports.reported_status,
        reports.percent_complete,
        reports.period as reported_as_of,
        reports.file_name,
        reports.sheet,
        reports.cell,
        case when reports.reported_status = 'completed' then first_completion.completed_as_of end as completed_as_of,
        coalesce(reports.reported_status, '') <> 'completed'
        and milestone_months.period > milestone_months.deadline as is_overdue
    from milestone_months
    left join latest_report
        on
            milestone_months.milestone_id = latest_report.milestone_id
            and milestone_months.month_index = latest_report.month_index
    left join reports
        on
            latest_report.milestone_id = reports.milestone_id
            and latest_report.report_month_index = reports.month_index
    left join first_completion
        on
            milestone_months.milestone_id = first_completion.milestone_id
            and milestone_months.month_index = first_completion.month_index

),

final as (

    select
        cast(period as date) as period,
        cast(milestone_id as varchar) as milestone_id,
        cast(plan_id as varchar) as plan_id,
        cast(region_code as varchar) as region_code,
        cast(lead_unit_id as varchar) as lead_unit_id,
        cast(deadline as date) as deadline,
        cast(coalesce(reported_status, 'not_reported') as varchar) as reported_status,
        cast(percent_complete as {{ double() }}) as percent_complete,
        cast(reported_as_of as date) as reported_as_of,
        cast(is_overdue as boolean) as is_overdue,
        cast(case when is_overdue then {{ dbt.datediff('deadline', 'period', 'day') }} else 0 end as integer)
            as days_overdue,
        cast(completed_as_of as date) as completed_as_of,
        cast(
            case
                -- late as the department scorecard counts it: reported done after the deadline's month
                when completed_as_of > cast({{ dbt.last_day('deadline', 'month') }} as date)
                    then {{ dbt.datediff('deadline', 'completed_as_of', 'day') }}
                when completed_as_of is not null then 0
            end as integer
        ) as days_late_at_completion,
        cast(file_name as varchar) as file_name,
        cast(sheet as varchar) as sheet,
        cast(cell as varchar) as cell
    from assembled

)

select * from final
