{#- One row per month from the earliest plan start to the last month any department reported data
    for (figures or milestone progress): the calendar every per-month mart is laid on. -#}
with

plans as (

    select * from {{ ref('stg_registry__plans') }}

),

observations as (

    select * from {{ ref('stg_ingest__observations') }}

),

milestone_reports as (

    select * from {{ ref('stg_ingest__milestone_reports') }}

),

reported_months as (

    select month_index from observations
    union all
    select month_index from milestone_reports

),

digits as (

    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

offsets as (

    select hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

bounds as (

    select
        (select min(start_month_index) from plans) as first_month_index,
        (select max(month_index) from reported_months) as last_month_index

),

months as (

    select bounds.first_month_index + offsets.month_offset as month_index
    from bounds
    cross join offsets
    where bounds.first_month_index + offsets.month_offset <= bounds.last_month_index

),

final as (

    select
        month_index,
        {{ month_end_of_index('month_index') }} as period,
        {{ year_of_index('month_index') }} as year,
        {{ month_of_index('month_index') }} as month
    from months

)

select * from final
