{#- One row per plan, region and month: the region's targets by status, ranked within the plan by
    the share of its targets on track (achieved, ahead or on track), then by mean completion (each
    target's completion capped at 100, so one overshoot cannot hide another target's shortfall). A
    total of other regions (the plan's own region: the city of a city's plan; a group such as 重点帮扶县)
    is not ranked among its parts: those rows are ranked apart, among themselves (is_aggregate). -#}
with

progress as (

    select * from {{ ref('fct_target_progress') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

plans as (

    select * from {{ ref('dim_plan') }}

),

summarised as (

    select
        period,
        plan_id,
        region_code,
        count(*) as targets,
        sum(case when status in ('achieved', 'ahead', 'on_track') then 1 else 0 end) as targets_on_track,
        sum(case when status in ('lagging') then 1 else 0 end) as targets_lagging,
        sum(case when status in ('severely_lagging', 'missed') then 1 else 0 end) as targets_severely_lagging_or_missed,
        sum(case when status = 'no_data' then 1 else 0 end) as targets_no_data,
        sum(case when status = 'stale' then 1 else 0 end) as targets_stale,
        -- a stale figure's completion is not this month's: it is counted apart, like no data
        -- exact decimal sums: the same data gives the same mean to the last digit, whatever the threads' order
        avg(case when status <> 'stale' then cast(least(greatest(completion_rate, 0), 100) as decimal(18, 9)) end) as mean_completion
    from progress
    group by period, plan_id, region_code

),

ranked as (

    select
        summarised.*,
        1.0 * targets_on_track / nullif(targets - targets_no_data - targets_stale, 0) as share_on_track,
        rank() over (
            partition by plan_id, period, is_aggregate
            order by
                1.0 * targets_on_track / nullif(targets - targets_no_data - targets_stale, 0) desc nulls last,
                mean_completion desc nulls last
        ) as region_rank
    from (
        select
            summarised.*,
            summarised.region_code = plans.region_code or coalesce(regions.is_group, false) as is_aggregate
        from summarised
        inner join plans on summarised.plan_id = plans.plan_id
        left join regions on summarised.region_code = regions.region_code
    ) as summarised

),

final as (

    select
        cast(ranked.period as date) as period,
        cast(ranked.plan_id as varchar) as plan_id,
        cast(ranked.region_code as varchar) as region_code,
        cast(regions.region_name as varchar) as region_name,
        cast(ranked.targets as integer) as targets,
        cast(ranked.targets_on_track as integer) as targets_on_track,
        cast(ranked.targets_lagging as integer) as targets_lagging,
        cast(ranked.targets_severely_lagging_or_missed as integer) as targets_severely_lagging_or_missed,
        cast(ranked.targets_no_data as integer) as targets_no_data,
        cast(ranked.targets_stale as integer) as targets_stale,
        cast(ranked.share_on_track as {{ double() }}) as share_on_track,
        cast(ranked.mean_completion as {{ double() }}) as mean_completion,
        cast(ranked.region_rank as integer) as region_rank,
        cast(ranked.is_aggregate as boolean) as is_aggregate
    from ranked
    left join regions on ranked.region_code = regions.region_code

)

select * from final
