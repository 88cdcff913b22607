{#- One row per target and month with data (its "as of" month): completion, time progress, the
    expected value on the path, the projection and the ESCAP growth measure, each from the components
    stored beside it (docs/method.md). fct_target_progress spreads these over every reporting month. -#}
with

targets as (

    select * from {{ ref('int_targets_resolved_to_measures') }}

),

baselines as (

    select * from {{ ref('int_target_baselines') }}

),

measures as (

    select * from {{ ref('int_target_measures_by_month') }}

),

joined as (

    select
        targets.target_id,
        targets.target_kind,
        targets.comparator,
        targets.measure_space,
        targets.path_shape,
        -- a rate over a period (its year-to-date is an average so far): only a whole year's rate is one
        -- the target can be held to, so March's year-to-date never reads as met (docs/method.md)
        coalesce(targets.aggregation = 'averaged_flow', false) as is_year_average,
        targets.target_year,
        targets.target_month_index,
        targets.plausible_min,
        targets.plausible_max,
        baselines.baseline_value,
        baselines.baseline_month_index,
        baselines.baseline_source,
        baselines.baseline_level,
        baselines.target_level,
        -- '=' (达到, 降至) is a floor or a ceiling by the direction from the baseline to the target
        case
            when targets.comparator <> '=' then targets.comparator
            when baselines.target_level < baselines.baseline_value then '<='
            else '>='
        end as direction,
        measures.as_of_month_index,
        {{ year_of_index('measures.as_of_month_index') }} as as_of_year,
        {{ month_of_index('measures.as_of_month_index') }} as as_of_month,
        {{ year_of_index('baselines.baseline_month_index') }} as baseline_year,
        measures.measure_value,
        measures.trailing_year_total,
        measures.value_source,
        measures.file_name,
        measures.sheet,
        measures.cell
    from measures
    inner join targets on measures.target_id = targets.target_id
    inner join baselines on measures.target_id = baselines.target_id

),

-- where along its path the target should be at the as-of month
timed as (

    select
        *,
        -- a cap on something that only accumulates (a year's total, a sum or additions since the plan
        -- start) is kept by using less of it than the time, and is only kept for good at the end
        direction = '<=' and measure_space in ('year_total', 'sum_since_plan_start', 'change_since_plan_start')
            as is_cap_on_accumulation,
        cast(case
            when measure_space = 'year_total' then as_of_month / 12.0
            when target_month_index <= baseline_month_index then 1.0
            else least(greatest(
                (as_of_month_index - baseline_month_index) * 1.0 / (target_month_index - baseline_month_index),
                0.0
            ), 1.0)
        end as {{ double() }}) as elapsed_share,
        -- a year total's point on the path for the as-of year (the target itself in the target year,
        -- and, conservatively, when no baseline is known)
        case
            when measure_space <> 'year_total' then null
            when as_of_year >= target_year or baseline_value is null or target_level is null then target_level
            when baseline_source = 'first_observation' and as_of_year <= baseline_year then target_level
            when as_of_year <= baseline_year then baseline_value
            when path_shape = 'compound' and baseline_value > 0 and target_level > 0
                then
                    baseline_value
                    * power(target_level / baseline_value, (as_of_year - baseline_year) * 1.0 / (target_year - baseline_year))
            else
                baseline_value
                + (target_level - baseline_value) * (as_of_year - baseline_year) * 1.0 / (target_year - baseline_year)
        end as year_path_value
    from joined

),

evaluated as (

    select
        *,
        case
            when measure_space = 'year_total' then year_path_value * elapsed_share
            when path_shape = 'compound' and baseline_value > 0 and target_level > 0
                then baseline_value * power(target_level / baseline_value, elapsed_share)
            else baseline_value + (target_level - baseline_value) * elapsed_share
        end as expected_value_now,
        case
            when measure_value is null or target_level is null then null
            when measure_space = 'year_total'
                then case when year_path_value <> 0 then 100.0 * measure_value / year_path_value end
            when baseline_value is null then null
            when target_level = baseline_value
                then case when {{ meets('direction', 'measure_value', 'target_level') }} then 100.0 else 0.0 end
            when path_shape = 'compound'
                then case
                    when measure_value > 0 and baseline_value > 0 and target_level > 0
                        then 100.0 * ln(measure_value / baseline_value) / ln(target_level / baseline_value)
                end
            else 100.0 * (measure_value - baseline_value) / (target_level - baseline_value)
        end as completion_rate,
        100.0 * elapsed_share as time_progress,
        {{ meets('direction', 'measure_value', 'target_level') }}
        and (measure_space <> 'year_total' or as_of_year = target_year)
        and (not is_cap_on_accumulation or as_of_month_index = target_month_index)
        and (not is_year_average or as_of_month = 12) as met_now,
        case
            when measure_space in ('year_total', 'sum_since_plan_start') or is_year_average
                then as_of_month_index = target_month_index
            else as_of_year = target_year
        end as is_final_point,
        case when measure_space = 'year_total' then trailing_year_total else measure_value end as projection_input
    from timed

),

-- the line through the last `projection_points` points of each target that have a projection input: a
-- month with a figure but no input (a year total's trailing twelve months need last year's same month)
-- takes no place in the window, or it would push the earliest real points out of it (docs/method.md, 5)
fitted as (

    select
        target_id,
        as_of_month_index,
        regr_slope(projection_input, as_of_month_index) over recent_points as projection_slope,
        regr_intercept(projection_input, as_of_month_index) over recent_points as projection_intercept,
        count(projection_input) over recent_points as projection_points,
        -- the sums of squares the prediction interval needs (docs/method.md, 5)
        regr_sxx(projection_input, as_of_month_index) over recent_points as projection_sxx,
        regr_syy(projection_input, as_of_month_index) over recent_points as projection_syy,
        regr_sxy(projection_input, as_of_month_index) over recent_points as projection_sxy,
        regr_avgx(projection_input, as_of_month_index) over recent_points as projection_mean_month_index,
        min(as_of_month_index) over recent_points as projection_first_month_index
    from evaluated
    where projection_input is not null
    window recent_points as (
        partition by target_id order by as_of_month_index
        rows between {{ var('projection_points') - 1 }} preceding and current row
    )

),

projected as (

    select
        evaluated.*,
        fitted.projection_slope,
        fitted.projection_intercept,
        fitted.projection_points,
        fitted.projection_sxx,
        fitted.projection_syy,
        fitted.projection_sxy,
        fitted.projection_mean_month_index,
        fitted.projection_first_month_index
    from evaluated
    left join fitted
        on evaluated.target_id = fitted.target_id and evaluated.as_of_month_index = fitted.as_of_month_index

),

finished as (

    select
        *,
        case
            when completion_rate is null then null
            when is_cap_on_accumulation then time_progress - completion_rate
            else completion_rate - time_progress
        end as gap_pp,
        case
            when projection_input is null then null
            -- at the end of the target year the final value is known: nothing left to project
            when as_of_month_index = target_month_index then projection_input
            when projection_points >= 2 and projection_slope is not null
                then projection_intercept + projection_slope * target_month_index
            else projection_input
        end as projected_value,
        -- half-width of the 95 % prediction interval of the line at the end of the target year:
        -- t(0.975, n − 2) × s × √(1 + 1/n + (x₀ − x̄)² / Sxx), s² the residual variance; needs 3 points
        case
            when projection_input is null or as_of_month_index = target_month_index then null
            when projection_points < 3 or projection_sxx is null or projection_sxx <= 0 then null
            else
                {{ t_quantile_975('projection_points - 2') }}
                * sqrt(
                    greatest(projection_syy - projection_sxy * projection_sxy / projection_sxx, 0)
                    / (projection_points - 2)
                    * (
                        1 + 1.0 / projection_points
                        + power(target_month_index - projection_mean_month_index, 2) / projection_sxx
                    )
                )
        end as projection_half_width,
        case
            when measure_space = 'year_total'
                then case when as_of_month < 12 then (year_path_value - measure_value) / (12 - as_of_month) end
            when target_month_index > as_of_month_index
                then (target_level - measure_value) / (target_month_index - as_of_month_index)
        end as required_monthly_pace,
        -- Open SDG / ESCAP: observed and required compound annual growth since the baseline, on
        -- annual-comparable values (a level, or a year total at December); their ratio is escap_ratio
        case
            when not has_escap_inputs then null
            else power(measure_value / baseline_value, 12.0 / (as_of_month_index - baseline_month_index)) - 1
        end as observed_annual_growth,
        case
            when not has_escap_inputs then null
            else power(target_level / baseline_value, 12.0 / (target_month_index - baseline_month_index)) - 1
        end as required_annual_growth
    from (
        select
            *,
            coalesce(
                measure_space in ('level', 'year_total')
                and (measure_space <> 'year_total' or as_of_month = 12)
                and baseline_value > 0 and measure_value > 0 and target_level > 0
                and as_of_month_index > baseline_month_index and target_month_index > baseline_month_index
                and target_level <> baseline_value,
                false
            ) as has_escap_inputs
        from projected
    ) as projected_with_inputs

),

bounded as (

    select
        *,
        -- what the quantity can be (docs/method.md, 5): a level stays within the catalogue's range (a
        -- share within 0–100), and a quantity that has never been negative is not projected below zero;
        -- additions to a stock stay within what the stock can be, less its level at the plan's start (they
        -- fall below zero only as far as the stock can fall: 3 bases at the start, at most 3 fewer)
        case
            when measure_space = 'level' then plausible_max
            when measure_space = 'change_since_plan_start' then plausible_max - baseline_level
        end as projection_ceiling,
        case
            when measure_space = 'level' and plausible_min is not null then plausible_min
            when measure_space = 'change_since_plan_start'
                then coalesce(plausible_min, case when baseline_level >= 0 then 0 end) - baseline_level
            when projection_input >= 0 and coalesce(baseline_value, 0) >= 0 then 0
        end as projection_floor
    from finished

),

final as (

    select
        target_id,
        as_of_month_index,
        measure_value as actual_value,
        value_source as actual_source,
        file_name as actual_file_name,
        sheet as actual_sheet,
        cell as actual_cell,
        baseline_value,
        baseline_month_index,
        baseline_source,
        target_level,
        year_path_value,
        expected_value_now,
        completion_rate,
        time_progress,
        gap_pp,
        met_now,
        is_final_point,
        {{ progress_status('completion_rate is not null', 'met_now', 'gap_pp') }} as status_in_period,
        projection_input,
        projection_points,
        projection_slope,
        projection_first_month_index,
        {{ within('projected_value', 'projection_floor', 'projection_ceiling') }} as projected_value,
        case
            when projected_value is not null then {{
                meets_within_rounding(
                    'direction', within('projected_value', 'projection_floor', 'projection_ceiling'), 'target_level'
                )
            }}
        end as projected_to_meet,
        -- no interval without one (fewer than three points, or the target year's end reached)
        {{ within('projected_value - projection_half_width', 'projection_floor', 'projection_ceiling') }}
            as projected_value_low,
        {{ within('projected_value + projection_half_width', 'projection_floor', 'projection_ceiling') }}
            as projected_value_high,
        required_monthly_pace,
        100.0 * observed_annual_growth as observed_annual_growth_pct,
        100.0 * required_annual_growth as required_annual_growth_pct,
        observed_annual_growth / required_annual_growth as escap_ratio,
        {{ escap_category('observed_annual_growth / required_annual_growth') }} as escap_category
    from bounded

)

select * from final
