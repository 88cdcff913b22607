{#- The plausibility findings no later load of their figure has answered (stg_ingest__open_findings): a
    warning's figure is in use and the briefings mark what it feeds as doubted (※) until the department
    confirms or corrects it; a critical finding's figure was quarantined and is still missing. One row per
    finding: a load's cell and check. -#}
with

open_findings as (

    select * from {{ ref('stg_ingest__open_findings') }}

),

numbered as (

    -- the same check on the same cell of one load once (a review that asks again in a later round)
    select
        *,
        row_number() over (partition by load_id, sheet, cell, check_name order by found_at) as occurrence
    from open_findings

),

final as (

    select
        cast(load_id as varchar) || '|' || coalesce(sheet, '') || '|' || coalesce(cell, '') || '|' || check_name
            as finding_key,
        cast(load_id as bigint) as load_id,
        cast(file_name as varchar) as file_name,
        cast(sheet as varchar) as sheet,
        cast(cell as varchar) as cell,
        cast(department_id as varchar) as department_id,
        cast(indicator_code as varchar) as indicator_code,
        cast(region_code as varchar) as region_code,
        {{ month_end_of_index(month_index_from_text('period')) }} as period,
        cast(measure as varchar) as measure,
        cast(value as {{ double() }}) as value,
        cast(check_name as varchar) as check_name,
        cast(severity as varchar) as severity,
        cast(message as varchar) as message,
        cast(found_at as timestamp) as found_at
    from numbered
    where occurrence = 1

)

select * from final
