{#- The current figure of every observation. When several sources report one (indicator, region,
    period, measure), the source ranked first by planwatch.toml's source_precedence (per indicator:
    source_precedence_by_indicator) is current; within a source, a department that reports the indicator
    by duty (it is in the department's expected submissions: its lead unit or reporting unit) over one
    that sent it unasked (a 补报 by another bureau), then the latest load (higher load_id); every other
    figure stays in raw as history. Which bureau's figure counts is never the order files were read in. A figure is a statistics bureau's when it came in one of
    its tables (a source spec's layout) or from a department whose name holds 统计局. A correction the
    office recorded for a locked month (layout 'correction', `planwatch correct`) outranks every source;
    the figures of a submission the office returned (supervision.submission_reviews, not approved again
    since) are left out. -#}
with

source as (

    select * from {{ source('ingest', 'observations') }}

),

reviews as (

    select * from {{ source('supervision', 'submission_reviews') }}

),

returned_loads as (

    select distinct
        observations.load_id,
        observations.department_id,
        observations.period
    from source as observations
    inner join reviews as returns
        on
            returns.decision = 'returned'
            and observations.department_id = returns.department_id
            and observations.period = returns.period
            and observations.load_id <= returns.up_to_load_id
    where not exists (
        select 1 from reviews as later
        where
            later.decision = 'approved'
            and later.department_id = returns.department_id
            and later.period = returns.period
            and later.decided_at > returns.decided_at
            and later.up_to_load_id >= observations.load_id
    )

),

kept as (

    select source.*
    from source
    left join returned_loads
        on
            source.load_id = returned_loads.load_id
            and source.department_id = returned_loads.department_id
            and source.period = returned_loads.period
    where returned_loads.load_id is null

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

reporting_duties as (

    -- the indicators each department is asked to report, in any month
    select distinct
        expected.department_id,
        trim(duty.indicator_code) as indicator_code
    from {{ ref('stg_registry__expected_submissions') }} as expected,
        unnest(string_to_array(expected.indicator_codes, ';')) as duty (indicator_code)
    where trim(duty.indicator_code) <> ''

),

sourced as (

    select
        kept.*,
        case
            when kept.layout = 'correction' then 'correction'
            when kept.layout not in ('template', 'template_without_meta') then 'statistics'
            when departments.department_name like '%统计局%' then 'statistics'
            else 'department'
        end as source_kind,
        reporting_duties.department_id is not null as is_reporting_duty
    from kept
    left join departments on kept.department_id = departments.department_id
    left join reporting_duties
        on
            kept.department_id = reporting_duties.department_id
            and kept.indicator_code = reporting_duties.indicator_code

),

ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period, measure
            order by
                source_kind = 'correction' desc,
                {{ source_rank('indicator_code', 'source_kind') }},
                is_reporting_duty desc,
                load_id desc
        ) as revision_rank,
        count(*) over (
            partition by indicator_code, region_code, period, measure
        ) as loads_of_key
    from sourced

),

renamed as (

    select
        indicator_code,
        region_code,
        {{ month_index_from_text('period') }} as month_index,
        {{ month_end_of_index(month_index_from_text('period')) }} as period,
        measure,
        cast(value as {{ double() }}) as value,
        unit,
        original_value,
        original_unit,
        period_label,
        load_id,
        file_sha256,
        file_name,
        sheet,
        cell,
        cast(row_number as integer) as source_row_number,
        department_id,
        source_kind,
        layout,
        cast(loads_of_key - 1 as integer) as superseded_revisions,
        loaded_at
    from ranked
    where revision_rank = 1

),

final as (

    select * from renamed

)

select * from final
