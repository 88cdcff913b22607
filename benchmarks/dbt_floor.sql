-- The floor of `make bench`'s dbt benchmark: fct_target_progress's core result (per target and month:
-- the actual, its month, completion, time progress, gap and status) computed by hand from the raw
-- tables in one DuckDB statement, with none of dbt's layers, views, contracts or audit columns. It
-- follows docs/method.md step by step (the same rules as the models, written once more), and the
-- benchmark checks it against the mart row for row, so the floor does the same work and no less.
-- Months are carried as an index, year * 12 + month - 1.
create or replace table floor_target_progress as
with
-- the current figure of each key: a correction, else a statistics bureau's (a source spec's table, or a
-- department named 统计局), else a department's (planwatch.toml's default source_precedence); within a
-- source a department that reports the indicator by duty (its expected submissions) first, then the newest
-- load (no submission is returned in the bench's warehouses: the staging view's
-- anti-join of returned loads keeps every row there)
current_observations as (
    select o.indicator_code, o.region_code, o.measure, o.value, o.load_id,
        cast(substr(o.period, 1, 4) as integer) * 12 + cast(substr(o.period, 6, 2) as integer) - 1 as month_index
    from raw.observations as o left join raw.ref_departments as d using (department_id)
    left join (
        select distinct e.department_id, trim(duty.indicator_code) as indicator_code
        from raw.expected_submissions as e, unnest(string_split(e.indicator_codes, ';')) as duty(indicator_code)
    ) as duties on o.department_id = duties.department_id and o.indicator_code = duties.indicator_code
    qualify row_number() over (
        partition by o.indicator_code, o.region_code, o.period, o.measure
        order by
            case
                when o.layout = 'correction' then 0
                when o.layout not in ('template', 'template_without_meta') or d.department_name like '%统计局%' then 1
                else 2
            end,
            duties.department_id is null,
            o.load_id desc
    ) = 1
),
indicators as (
    select i.indicator_code, i.canonical_unit, i.frequency,
        nullif(trim(i.numerator), '') as numerator, nullif(trim(i.denominator), '') as denominator,
        case
            when i.nature = 'stock' then 'stock'
            when u.dimension in ('percent', 'ratio') or position('_per_' in u.dimension) > 0 then 'averaged_flow'
            else 'additive_flow'
        end as aggregation
    from raw.ref_indicators as i left join raw.ref_units as u on i.canonical_unit = u.unit
),
-- one value per indicator, region and month: reported, else the next year's 上年同期 column
reported as (
    select indicator_code, region_code, dated_month as month_index, value
    from (
        select o.indicator_code, o.region_code, o.value, o.load_id, o.measure like 'prior_year_%' as from_prior_year,
            o.month_index - case when o.measure like 'prior_year_%' then 12 else 0 end as dated_month
        from current_observations as o join indicators as i using (indicator_code)
        where (i.aggregation = 'stock' and o.measure in ('period_end_value', 'prior_year_period_end_value'))
            or (i.aggregation <> 'stock' and o.measure in ('ytd_value', 'prior_year_ytd_value'))
    )
    qualify row_number() over (
        partition by indicator_code, region_code, dated_month order by from_prior_year, load_id desc
    ) = 1
),
series as (
    select indicator_code, region_code, month_index, value from reported
    union all
    select i.indicator_code, n.region_code, n.month_index,
        n.value / d.value * case when i.canonical_unit = '%' then 100 else 1 end
    from indicators as i
    join reported as n on n.indicator_code = i.numerator
    join reported as d on d.indicator_code = i.denominator and d.region_code = n.region_code and d.month_index = n.month_index
    where d.value <> 0 and not exists (
        select 1 from reported as r
        where r.indicator_code = i.indicator_code and r.region_code = n.region_code and r.month_index = n.month_index
    )
),
targets as (
    select t.target_id, t.indicator_code, t.region_code, t.kind, t.comparator, t.target_year, i.frequency,
        t.target_year * 12 + 11 as target_month,
        cast(substr(p.period_start, 1, 4) as integer) * 12 + cast(substr(p.period_start, 6, 2) as integer) - 1
            as plan_start_month,
        -- followed until 12 months (final_assessment_months) after the later of the plan's end and last target year
        greatest(
            cast(substr(p.period_end, 1, 4) as integer) * 12 + cast(substr(p.period_end, 6, 2) as integer) - 1,
            max(t.target_year) over (partition by t.plan_id) * 12 + 11
        ) + 12 as plan_last_month,
        coalesce(t.base_year * 12 + 11,
            cast(substr(p.period_start, 1, 4) as integer) * 12 + cast(substr(p.period_start, 6, 2) as integer) - 2)
            as base_month,
        case
            when t.kind in ('rate', 'ratio') then 'level'
            when t.kind in ('cumulative', 'new_additions') and i.aggregation = 'additive_flow' then 'sum'
            when t.kind = 'new_additions' and i.aggregation = 'stock' then 'change'
            when i.aggregation = 'additive_flow' then 'year_total'
            else 'level'
        end as space,
        t.kind in ('growth_over_base', 'average_annual_growth') as compound,
        coalesce(i.aggregation = 'averaged_flow', false) as is_year_average,
        coalesce(c.dimension in ('count', 'head') and c.factor = 1, false) as counted_one_by_one,
        coalesce(t.target_value_canonical, case
            when t.kind in ('rate', 'growth_over_base', 'average_annual_growth') then t.target_value
            else t.target_value * coalesce(w.factor / c.factor, 1) end) as target_value,
        coalesce(t.baseline_value_canonical, case
            when t.kind in ('rate', 'growth_over_base', 'average_annual_growth') then t.baseline_value
            else t.baseline_value * coalesce(w.factor / c.factor, 1) end) as registry_baseline
    from raw.registry_targets as t
    join raw.registry_plans as p using (plan_id)
    left join indicators as i using (indicator_code)
    left join raw.ref_units as w on t.unit = w.unit
    left join raw.ref_units as c on i.canonical_unit = c.unit
),
-- where each path starts: the registry's baseline, the base year's value, or the first value after it
baselines as (
    select t.*,
        b.value as base_value,
        f.month_index as first_month,
        f.value as first_value,
        case
            when space in ('sum', 'change') then 0
            else coalesce(registry_baseline, b.value, case when not compound then f.value end)
        end as baseline,
        case when space = 'change' then coalesce(b.value, f.value) end as baseline_level,
        case
            when space = 'sum' or registry_baseline is not null or b.value is not null then base_month
            when f.month_index is not null and not compound then f.month_index
            else base_month
        end as baseline_month,
        space <> 'sum' and registry_baseline is null and b.value is null and not compound
            and f.value is not null as from_first_observation
    from targets as t
    left join series as b
        on b.indicator_code = t.indicator_code and b.region_code = t.region_code and b.month_index = t.base_month
    left join (
        select t.target_id, s.month_index, s.value
        from targets as t join series as s
            on s.indicator_code = t.indicator_code and s.region_code = t.region_code
            and s.month_index > t.base_month and s.month_index < t.target_month
            and (t.space <> 'year_total' or s.month_index % 12 = 11)
        qualify row_number() over (partition by t.target_id order by s.month_index) = 1
    ) as f using (target_id)
),
grown as (
    select *,
        case
            when kind = 'growth_over_base' then baseline * (1 + target_value / 100)
            when kind = 'average_annual_growth'
                then baseline * power(1 + target_value / 100, target_year - floor(base_month / 12))
        end as grown_level
    from baselines
),
-- a growth of things counted one by one asks for whole ones (at least 8个, not 7.56个)
paths as (
    select *,
        case
            when grown_level is null and kind in ('growth_over_base', 'average_annual_growth') then null
            when grown_level is null then target_value
            when counted_one_by_one and comparator = '>=' then ceil(grown_level - 1e-9)
            when counted_one_by_one and comparator = '<=' then floor(grown_level + 1e-9)
            else grown_level
        end as target_level
    from grown
),
directed as (
    select *,
        case when comparator <> '=' then comparator when target_level < baseline then '<=' else '>=' end as direction
    from paths
),
points as (
    select d.*, s.month_index as as_of, floor(s.month_index / 12) as as_of_year, s.month_index % 12 + 1 as as_of_month,
        case
            when d.space = 'change' then s.value - d.baseline_level
            when d.space = 'sum' then (
                select case when count(e.value) = floor(s.month_index / 12) - floor(d.plan_start_month / 12)
                    then coalesce(sum(e.value), 0) + s.value end
                from series as e
                where e.indicator_code = d.indicator_code and e.region_code = d.region_code and e.month_index % 12 = 11
                    and floor(e.month_index / 12) >= floor(d.plan_start_month / 12)
                    and floor(e.month_index / 12) < floor(s.month_index / 12)
            )
            else s.value
        end as actual,
        d.direction = '<=' and d.space in ('year_total', 'sum', 'change') as is_cap
    from directed as d
    join series as s on s.indicator_code = d.indicator_code and s.region_code = d.region_code
        and s.month_index between d.base_month and d.target_month
),
timed as (
    select *,
        case
            when space = 'year_total' then as_of_month / 12.0
            when target_month <= baseline_month then 1.0
            else least(greatest((as_of - baseline_month) * 1.0 / (target_month - baseline_month), 0.0), 1.0)
        end as elapsed,
        case
            when space <> 'year_total' then null
            when as_of_year >= target_year or baseline is null or target_level is null then target_level
            when from_first_observation and as_of_year <= floor(baseline_month / 12) then target_level
            when as_of_year <= floor(baseline_month / 12) then baseline
            when compound and baseline > 0 and target_level > 0 then baseline * power(target_level / baseline,
                (as_of_year - floor(baseline_month / 12)) * 1.0 / (target_year - floor(baseline_month / 12)))
            else baseline + (target_level - baseline)
                * (as_of_year - floor(baseline_month / 12)) * 1.0 / (target_year - floor(baseline_month / 12))
        end as year_point
    from points
),
evaluated as (
    select target_id, as_of, actual, 100.0 * elapsed as time_progress,
        case
            when actual is null or target_level is null then null
            when space = 'year_total' then case when year_point <> 0 then 100.0 * actual / year_point end
            when baseline is null then null
            when target_level = baseline
                then case when (direction = '<=' and actual <= target_level) or (direction <> '<=' and actual >= target_level)
                    then 100.0 else 0.0 end
            when compound then case when actual > 0 and baseline > 0 and target_level > 0
                then 100.0 * ln(actual / baseline) / ln(target_level / baseline) end
            else 100.0 * (actual - baseline) / (target_level - baseline)
        end as completion,
        coalesce(case when direction = '<=' then actual <= target_level else actual >= target_level end, false)
            and (space <> 'year_total' or as_of_year = target_year)
            and (not is_cap or as_of = target_month)
            and (not is_year_average or as_of_month = 12) as met_now,
        case when space in ('year_total', 'sum') or is_year_average then as_of = target_month else as_of_year = target_year end
            as is_final_point,
        is_cap
    from timed
),
graded as (
    select *,
        case when is_cap then time_progress - completion else completion - time_progress end as gap,
        case
            when completion is null then 'no_data'
            when met_now then 'achieved'
            when (case when is_cap then time_progress - completion else completion - time_progress end) >= 10 then 'ahead'
            when (case when is_cap then time_progress - completion else completion - time_progress end) >= -10 then 'on_track'
            when (case when is_cap then time_progress - completion else completion - time_progress end) >= -30 then 'lagging'
            else 'severely_lagging'
        end as status_in_period
    from evaluated
),
months as (
    select range as month_index
    from range(
        (select min(plan_start_month) from targets),
        (select max(cast(substr(period, 1, 4) as integer) * 12 + cast(substr(period, 6, 2) as integer) - 1)
            from (select period from raw.observations union all select period from raw.milestone_reports)) + 1
    )
),
target_months as (
    select t.target_id, t.base_month, t.target_month, t.frequency, m.month_index,
        least(m.month_index, t.target_month) as horizon
    from targets as t join months as m on m.month_index between t.plan_start_month and t.plan_last_month
),
latest as (
    select tm.target_id, tm.month_index, tm.target_month, tm.frequency, g.as_of, g.actual, g.completion, g.time_progress, g.gap,
        g.status_in_period, g.met_now, g.is_final_point
    from target_months as tm
    left join graded as g on g.target_id = tm.target_id and g.as_of <= tm.horizon and g.as_of > tm.base_month
    qualify row_number() over (partition by tm.target_id, tm.month_index order by g.as_of desc nulls last) = 1
)
select
    target_id,
    last_day(make_date(cast(floor(month_index / 12) as integer), month_index % 12 + 1, 1)) as period,
    actual as actual_value,
    case when as_of is not null then last_day(make_date(cast(floor(as_of / 12) as integer), as_of % 12 + 1, 1)) end
        as actual_as_of,
    -- after the target year without its final figure (no_data) the mart keeps no completion
    case when month_index <= target_month or coalesce(met_now, false) or (is_final_point and completion is not null)
        then completion end as completion_rate,
    time_progress,
    case when month_index <= target_month or coalesce(met_now, false) or (is_final_point and completion is not null)
        then gap end as gap_pp,
    case
        when month_index <= target_month and status_in_period is null then 'no_data'
        -- a figure older than its cadence allows gets no light (var max_data_age_months)
        when month_index <= target_month
            and month_index - as_of > case frequency when 'monthly' then 1 when 'quarterly' then 3 else 12 end
            then 'stale'
        -- the target month with its own figure in holds the verdict, as after the year
        when month_index < target_month or (month_index = target_month and as_of is distinct from target_month)
            then status_in_period
        when is_final_point and met_now then 'achieved'
        when is_final_point and completion is not null then 'missed'
        when met_now then 'achieved'
        else 'no_data'
    end as status
from latest;
