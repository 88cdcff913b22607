with

targets as (

    select * from {{ ref('int_targets_resolved_to_measures') }}

),

baselines as (

    select * from {{ ref('int_target_baselines') }}

),

final as (

    select
        cast(targets.target_id as varchar) as target_id,
        cast(targets.plan_id as varchar) as plan_id,
        cast(targets.indicator_code as varchar) as indicator_code,
        cast(targets.indicator_name as varchar) as indicator_name,
        cast(targets.region_code as varchar) as region_code,
        cast(targets.region_name as varchar) as region_name,
        cast(targets.target_kind as varchar) as target_kind,
        cast(targets.comparator as varchar) as comparator,
        cast(targets.target_year as integer) as target_year,
        cast(targets.target_value as {{ double() }}) as target_value,
        cast(targets.unit as varchar) as unit,
        cast(targets.target_value_as_written as {{ double() }}) as target_value_as_written,
        cast(targets.unit_as_written as varchar) as unit_as_written,
        cast(targets.base_year as integer) as base_year,
        cast(targets.measure_space as varchar) as measure_space,
        cast(targets.path_shape as varchar) as path_shape,
        cast(baselines.baseline_value as {{ double() }}) as baseline_value,
        cast(baselines.baseline_source as varchar) as baseline_source,
        cast(baselines.target_level as {{ double() }}) as target_level,
        cast(targets.lead_unit as varchar) as lead_unit,
        cast(targets.lead_unit_id as varchar) as lead_unit_id,
        cast(targets.responsible_units as varchar) as responsible_units,
        cast(targets.section as varchar) as section,
        cast(targets.source_quote as varchar) as source_quote
    from targets
    inner join baselines on targets.target_id = baselines.target_id

)

select * from final
