with

source as (

    select * from {{ source('registry', 'expected_submissions') }}

),

renamed as (

    select
        period as period_label,
        {{ month_index_from_text('period') }} as month_index,
        department_id,
        {{ text_to_date('due_date') }} as due_date,
        cast(expected_indicators as integer) as expected_indicators,
        cast(expected_milestones as integer) as expected_milestones,
        indicator_codes,
        -- written by registry loaders since the plans were recorded per duty (null in an older warehouse)
        {{ column_or_null(source('registry', 'expected_submissions'), 'plan_ids', 'varchar') }} as plan_ids,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
