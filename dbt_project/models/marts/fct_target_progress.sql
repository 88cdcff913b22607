{#- One row per target per reporting month, from the plan's start to the last month with data (an ended
    plan's only until final_assessment_months after it: int_plan_windows). Each
    row reads the latest evaluation as of that month (never after the target year) of a value dated
    after the start of the target's path: the base year's own value is where the path starts, not
    progress, so until a later value arrives the row is no_data. After the target year the row holds
    the verdict: achieved or missed, from the target year's final value; so does the target month itself
    once its own figure is in (the December briefing is read in January, the year over). -#}
{%- set final_figure_in -%}
    coalesce(
        target_months.month_index = targets.target_month_index
        and evaluations.as_of_month_index = targets.target_month_index,
        false
    )
{%- endset %}
with

targets as (

    select * from {{ ref('int_targets_resolved_to_measures') }}

),

baselines as (

    select * from {{ ref('int_target_baselines') }}

),

evaluations as (

    select * from {{ ref('int_target_progress_evaluated') }}

),

months as (

    select * from {{ ref('int_reporting_months') }}

),

plan_windows as (

    select * from {{ ref('int_plan_windows') }}

),

compared as (

    select * from {{ ref('int_indicator_values_compared') }}

),

open_findings as (

    select * from {{ ref('stg_ingest__open_findings') }}

),

doubted_figures as (

    -- the cells holding a figure a plausibility warning in use doubts
    select distinct
        file_name,
        sheet,
        cell
    from open_findings
    where severity = 'warning'

),

target_months as (

    select
        targets.target_id,
        months.month_index,
        months.period,
        least(months.month_index, targets.target_month_index) as evaluation_horizon,
        targets.base_month_index,
        months.month_index > targets.target_month_index as is_after_target_year
    from targets
    inner join plan_windows on targets.plan_id = plan_windows.plan_id
    inner join months
        on
            months.month_index >= plan_windows.first_month_index
            and months.month_index <= plan_windows.last_month_index

),

latest_evaluation as (

    select
        target_months.target_id,
        target_months.month_index,
        max(evaluations.as_of_month_index) as as_of_month_index
    from target_months
    inner join evaluations
        on
            target_months.target_id = evaluations.target_id
            and evaluations.as_of_month_index <= target_months.evaluation_horizon
            and evaluations.as_of_month_index > target_months.base_month_index
    group by target_months.target_id, target_months.month_index

),

latest_escap as (

    select
        target_months.target_id,
        target_months.month_index,
        max(evaluations.as_of_month_index) as as_of_month_index
    from target_months
    inner join evaluations
        on
            target_months.target_id = evaluations.target_id
            and evaluations.as_of_month_index <= target_months.evaluation_horizon
            and evaluations.as_of_month_index > target_months.base_month_index
            and evaluations.escap_ratio is not null
    group by target_months.target_id, target_months.month_index

),

assembled as (

    select
        target_months.period,
        target_months.month_index,
        targets.plan_id,
        targets.target_id,
        targets.region_code,
        targets.indicator_code,
        targets.target_kind,
        targets.measure_space,
        targets.path_shape,
        targets.target_year,
        targets.target_value,
        targets.unit,
        targets.target_value_as_written,
        targets.unit_as_written,
        targets.comparator,
        baselines.target_level,
        evaluations.actual_value,
        evaluations.as_of_month_index,
        evaluations.actual_source,
        evaluations.actual_file_name,
        evaluations.actual_sheet,
        evaluations.actual_cell,
        doubted_figures.file_name is not null as is_doubted,
        evaluations.completion_rate,
        evaluations.time_progress,
        evaluations.gap_pp,
        target_months.month_index - evaluations.as_of_month_index as data_age_months,
        case
            when evaluations.as_of_month_index is null then null
            else target_months.month_index - evaluations.as_of_month_index <= {{ max_data_age('targets.frequency') }}
        end as is_current,
        targets.frequency,
        case
            when not target_months.is_after_target_year and evaluations.status_in_period is null then 'no_data'
            -- a figure older than its indicator's cadence allows gets no light (docs/method.md, 4)
            when
                not target_months.is_after_target_year
                and target_months.month_index - evaluations.as_of_month_index > {{ max_data_age('targets.frequency') }}
                then 'stale'
            -- in the target month itself, once its own figure is in, the year's result is known: the
            -- verdict, not a light (91 % of the target at 100 % time progress is 未完成, not 正常)
            when not target_months.is_after_target_year and not {{ final_figure_in }} then evaluations.status_in_period
            when evaluations.is_final_point and evaluations.met_now then 'achieved'
            when evaluations.is_final_point and evaluations.completion_rate is not null then 'missed'
            -- a value already at the target before the year's end stays achieved
            when evaluations.met_now then 'achieved'
            else 'no_data'
        end as status,
        target_months.is_after_target_year,
        target_months.is_after_target_year or {{ final_figure_in }} as is_verdict,
        evaluations.projected_value,
        evaluations.projected_value_low,
        evaluations.projected_value_high,
        evaluations.projected_to_meet,
        escap.observed_annual_growth_pct,
        escap.required_annual_growth_pct,
        compared.value as reported_value,
        compared.value_a_year_earlier as reported_value_a_year_earlier,
        compared.yoy_growth_pct,
        compared.yoy_change_pp,
        -- a comparison is as doubtful as the figure it compares against: the 同比's base, a year earlier
        coalesce(
            (compared.yoy_growth_pct is not null or compared.yoy_change_pp is not null)
            and doubted_year_earlier.file_name is not null,
            false
        ) as is_yoy_base_doubted,
        compared.month_amount,
        compared.mom_growth_pct,
        compared.mom_change_pp,
        -- and the 环比's: the month before, and two months before where an additive flow's amount subtracts it
        coalesce(
            (compared.mom_growth_pct is not null or compared.mom_change_pp is not null)
            and (doubted_month_earlier.file_name is not null or doubted_two_months_earlier.file_name is not null),
            false
        ) as is_mom_base_doubted,
        evaluations.required_monthly_pace,
        targets.lead_unit,
        targets.lead_unit_id,
        baselines.baseline_value,
        baselines.baseline_month_index,
        baselines.baseline_source,
        evaluations.year_path_value,
        evaluations.expected_value_now,
        evaluations.projection_points,
        evaluations.projection_first_month_index,
        evaluations.projection_slope,
        escap.escap_ratio,
        escap.escap_category,
        escap.as_of_month_index as escap_as_of_month_index
    from target_months
    inner join targets on target_months.target_id = targets.target_id
    inner join baselines on target_months.target_id = baselines.target_id
    left join latest_evaluation
        on target_months.target_id = latest_evaluation.target_id and target_months.month_index = latest_evaluation.month_index
    left join evaluations
        on
            latest_evaluation.target_id = evaluations.target_id
            and latest_evaluation.as_of_month_index = evaluations.as_of_month_index
    left join latest_escap
        on target_months.target_id = latest_escap.target_id and target_months.month_index = latest_escap.month_index
    left join evaluations as escap
        on latest_escap.target_id = escap.target_id and latest_escap.as_of_month_index = escap.as_of_month_index
    left join compared
        on
            targets.indicator_code = compared.indicator_code
            and targets.region_code = compared.region_code
            and evaluations.as_of_month_index = compared.month_index
    -- the figure the actual is read from carries a plausibility warning still in use
    left join doubted_figures
        on
            evaluations.actual_file_name = doubted_figures.file_name
            and evaluations.actual_sheet is not distinct from doubted_figures.sheet
            and evaluations.actual_cell is not distinct from doubted_figures.cell
    -- the figures the 同比 and the 环比 compare against carry one
    left join doubted_figures as doubted_year_earlier
        on
            compared.year_earlier_file_name = doubted_year_earlier.file_name
            and compared.year_earlier_sheet is not distinct from doubted_year_earlier.sheet
            and compared.year_earlier_cell is not distinct from doubted_year_earlier.cell
    left join doubted_figures as doubted_month_earlier
        on
            compared.month_earlier_file_name = doubted_month_earlier.file_name
            and compared.month_earlier_sheet is not distinct from doubted_month_earlier.sheet
            and compared.month_earlier_cell is not distinct from doubted_month_earlier.cell
    left join doubted_figures as doubted_two_months_earlier
        on
            compared.two_months_earlier_file_name = doubted_two_months_earlier.file_name
            and compared.two_months_earlier_sheet is not distinct from doubted_two_months_earlier.sheet
            and compared.two_months_earlier_cell is not distinct from doubted_two_months_earlier.cell

),

final as (

    select
        cast(period as date) as period,
        cast(plan_id as varchar) as plan_id,
        cast(target_id as varchar) as target_id,
        cast(region_code as varchar) as region_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(target_kind as varchar) as target_kind,
        cast(measure_space as varchar) as measure_space,
        cast(target_year as integer) as target_year,
        cast(target_value as {{ double() }}) as target_value,
        cast(unit as varchar) as unit,
        cast(target_value_as_written as {{ double() }}) as target_value_as_written,
        cast(unit_as_written as varchar) as unit_as_written,
        cast(comparator as varchar) as comparator,
        cast(target_level as {{ double() }}) as target_level,
        cast(actual_value as {{ double() }}) as actual_value,
        cast(actual_value - target_level as {{ double() }}) as margin_to_target,
        cast(case when as_of_month_index is not null then {{ month_end_of_index('as_of_month_index') }} end as date)
            as actual_as_of,
        cast(actual_source as varchar) as actual_source,
        cast(actual_file_name as varchar) as actual_file_name,
        cast(actual_sheet as varchar) as actual_sheet,
        cast(actual_cell as varchar) as actual_cell,
        cast(is_doubted as boolean) as is_doubted,
        -- a verdict the target year's final figure never came for (no_data after the year) has no completion:
        -- the last in-year figure stays as actual_value, dated, but is not the year's result
        cast(case when not (is_after_target_year and status = 'no_data') then completion_rate end as {{ double() }})
            as completion_rate,
        cast(time_progress as {{ double() }}) as time_progress,
        cast(case when not (is_after_target_year and status = 'no_data') then gap_pp end as {{ double() }}) as gap_pp,
        cast(status as varchar) as status,
        cast(is_verdict as boolean) as is_final_verdict,
        cast(frequency as varchar) as indicator_frequency,
        cast(data_age_months as integer) as data_age_months,
        cast(is_current as boolean) as is_current,
        cast(reported_value as {{ double() }}) as reported_value,
        cast(reported_value_a_year_earlier as {{ double() }}) as reported_value_a_year_earlier,
        cast(yoy_growth_pct as {{ double() }}) as yoy_growth_pct,
        cast(yoy_change_pp as {{ double() }}) as yoy_change_pp,
        cast(is_yoy_base_doubted as boolean) as is_yoy_base_doubted,
        cast(month_amount as {{ double() }}) as month_amount,
        cast(mom_growth_pct as {{ double() }}) as mom_growth_pct,
        cast(mom_change_pp as {{ double() }}) as mom_change_pp,
        cast(is_mom_base_doubted as boolean) as is_mom_base_doubted,
        cast(projected_value as {{ double() }}) as projected_value,
        cast(projected_value_low as {{ double() }}) as projected_value_low,
        cast(projected_value_high as {{ double() }}) as projected_value_high,
        cast(observed_annual_growth_pct as {{ double() }}) as observed_annual_growth_pct,
        cast(required_annual_growth_pct as {{ double() }}) as required_annual_growth_pct,
        cast(projected_to_meet as boolean) as projected_to_meet,
        cast(required_monthly_pace as {{ double() }}) as required_monthly_pace,
        cast(lead_unit as varchar) as lead_unit,
        cast(lead_unit_id as varchar) as lead_unit_id,
        cast(baseline_value as {{ double() }}) as baseline_value,
        cast(case when baseline_value is not null then {{ month_end_of_index('baseline_month_index') }} end as date)
            as baseline_as_of,
        cast(baseline_source as varchar) as baseline_source,
        cast(year_path_value as {{ double() }}) as year_path_value,
        cast(expected_value_now as {{ double() }}) as expected_value_now,
        cast(projection_points as integer) as projection_points,
        cast(case when projection_first_month_index is not null then {{ month_end_of_index('projection_first_month_index') }} end as date)
            as projection_first_as_of,
        -- a line needs two points (DuckDB's regr_slope of one point is NaN, PostgreSQL's null): null
        cast(case when projection_points >= 2 then projection_slope end as {{ double() }}) as projection_slope_per_month,
        cast(escap_ratio as {{ double() }}) as escap_ratio,
        cast(escap_category as varchar) as escap_category,
        cast(case when escap_as_of_month_index is not null then {{ month_end_of_index('escap_as_of_month_index') }} end as date)
            as escap_as_of
    from assembled

)

select * from final
