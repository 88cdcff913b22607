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
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
