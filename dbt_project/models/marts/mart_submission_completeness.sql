{#- One row per department and month it owes a submission: what was expected, what arrived, and
    whether the first file covering the month arrived by the due date (the 5th working day of the next
    month by default, planwatch.toml's report_due_working_days, public holidays and 调休 counted). A
    file arrives when it lands in the landing folder (`submitted_at`, else when it was loaded); the
    warehouse keeps UTC, the due date is a date in China Standard Time (dbt var local_utc_offset_hours).
    A month has a row once it has ended (the months a plan asks for later have none yet); its report is late
    only once its due date has passed (is_past_due): before that, nothing in yet is not late. -#}
with

expected as (

    select * from {{ ref('stg_registry__expected_submissions') }}

),

file_loads as (

    select * from {{ ref('stg_ingest__file_loads') }}

),

observations as (

    select * from {{ ref('stg_ingest__observations') }}

),

reports as (

    select * from {{ ref('stg_ingest__milestone_reports') }}

),

working_days as (

    select * from {{ ref('stg_reference__working_days') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

files_covering as (

    select
        expected.department_id,
        expected.month_index,
        file_loads.load_id,
        file_loads.received_at,
        -- a file from which nothing was taken (every value quarantined) is no report: its receipt says
        -- 未接收任何数据, and the department still owes the month
        file_loads.rows_loaded > 0 as anything_taken
    from expected
    inner join file_loads
        on
            expected.department_id = file_loads.department_id
            and file_loads.load_status = 'loaded'
            -- the office's corrections and the 整改反馈 forms are not the month's report
            and coalesce(file_loads.layout, '') not in ('correction', 'follow_up_reply')
            and ',' || replace(file_loads.periods, ' ', '') || ',' like '%,' || expected.period_label || ',%'

),

files_received as (

    select
        department_id,
        month_index,
        count(load_id) filter (where anything_taken) as files_received,
        count(load_id) filter (where not anything_taken) as files_taken_nothing,
        min(received_at) filter (where anything_taken)
        + interval '{{ var("local_utc_offset_hours") }} hours' as first_received_at
    from files_covering
    group by department_id, month_index

),

indicators_received as (

    select
        department_id,
        month_index,
        count(distinct indicator_code) as indicators_received
    from observations
    group by department_id, month_index

),

milestones_received as (

    select
        department_id,
        month_index,
        count(distinct milestone_id) as milestones_received
    from reports
    group by department_id, month_index

),

final as (

    select
        cast({{ month_end_of_index('expected.month_index') }} as date) as period,
        cast(expected.department_id as varchar) as department_id,
        cast(departments.department_name as varchar) as department_name,
        cast(expected.due_date as date) as due_date,
        cast(1 as integer) as submissions_expected,
        cast(case when files_received.files_received > 0 then 1 else 0 end as integer) as submissions_received,
        cast(coalesce(files_received.files_received, 0) as integer) as files_received,
        cast(coalesce(files_received.files_taken_nothing, 0) as integer) as files_taken_nothing,
        cast(expected.expected_indicators as integer) as indicators_expected,
        cast(coalesce(indicators_received.indicators_received, 0) as integer) as indicators_received,
        cast(expected.expected_milestones as integer) as milestones_expected,
        cast(coalesce(milestones_received.milestones_received, 0) as integer) as milestones_received,
        cast(files_received.first_received_at as timestamp) as first_received_at,
        cast(
            coalesce(cast(files_received.first_received_at as date) <= expected.due_date, false) as boolean
        ) as is_on_time,
        -- the report is owed from the month's end but late only after its due date (in China)
        cast(expected.due_date < {{ china_today() }} as boolean) as is_past_due,
        -- working days after the due date the first file arrived (0 on time; null: nothing arrived)
        cast(
            case
                when files_received.first_received_at is not null
                    then greatest(received_day.working_day_number - due_day.working_day_number, 0)
            end as integer
        ) as working_days_late
    from expected
    left join files_received
        on expected.department_id = files_received.department_id and expected.month_index = files_received.month_index
    left join indicators_received
        on
            expected.department_id = indicators_received.department_id
            and expected.month_index = indicators_received.month_index
    left join milestones_received
        on
            expected.department_id = milestones_received.department_id
            and expected.month_index = milestones_received.month_index
    left join departments on expected.department_id = departments.department_id
    left join working_days as due_day on expected.due_date = due_day.day
    left join working_days as received_day on cast(files_received.first_received_at as date) = received_day.day
    -- a month is owed once it has ended (in China): the months a plan will ask for later are no late reports
    where {{ month_end_of_index('expected.month_index') }} < {{ china_today() }}

)

select * from final
