{#- The office's review of each department's month (planwatch approve / return; issue locks it): one row
    per department and month with a decision or a lock, the latest decision at each level. -#}
with

reviews as (

    select * from {{ ref('stg_supervision__submission_reviews') }}

),

locked as (

    select * from {{ ref('stg_supervision__locked_months') }}

),

ranked as (

    select
        *,
        row_number() over (partition by department_id, period, review_level order by decided_at desc) as recency
    from reviews

),

latest as (

    select
        department_id,
        period,
        review_level,
        decision,
        reason,
        actor,
        decided_at
    from ranked
    where recency = 1

),

keys as (

    select
        department_id,
        period
    from latest
    union
    select
        department_id,
        period
    from locked

),

locks as (

    select
        department_id,
        period,
        min(locked_at) as locked_at,
        count(*) as locking_plans
    from locked
    group by department_id, period

),

final as (

    select
        cast(keys.department_id as varchar) as department_id,
        cast(keys.period as date) as period,
        cast(county.decision as varchar) as county_decision,
        cast(county.decided_at as timestamp) as county_decided_at,
        cast(city.decision as varchar) as city_decision,
        cast(city.decided_at as timestamp) as city_decided_at,
        cast(city.actor as varchar) as city_actor,
        cast(coalesce(city.reason, county.reason) as varchar) as return_reason,
        cast(locks.locked_at is not null as boolean) as is_locked,
        cast(locks.locked_at as timestamp) as locked_at
    from keys
    left join latest as county
        on keys.department_id = county.department_id and keys.period = county.period and county.review_level = 'county'
    left join latest as city
        on keys.department_id = city.department_id and keys.period = city.period and city.review_level = 'city'
    left join locks on keys.department_id = locks.department_id and keys.period = locks.period

)

select * from final
