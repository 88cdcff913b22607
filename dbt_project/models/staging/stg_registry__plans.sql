with

source as (

    select * from {{ source('registry', 'registry_plans') }}

),

renamed as (

    select
        plan_id,
        title as plan_title,
        issuer,
        document_number,
        {{ text_to_date('issue_date') }} as issue_date,
        {{ text_to_date('period_start') }} as period_start,
        {{ text_to_date('period_end') }} as period_end,
        {{ month_index_from_text('period_start') }} as start_month_index,
        {{ month_index_from_text('period_end') }} as end_month_index,
        region_code,
        region_name,
        cast(target_count as integer) as target_count,
        cast(milestone_count as integer) as milestone_count,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
