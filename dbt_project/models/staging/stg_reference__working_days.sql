{#- The working-day calendar: each day, whether it is a working day (public holidays and 调休 from
    chinese-calendar), and its working-day number (working days since the calendar's start, this one
    included), so that the working days between two dates are a difference of two numbers. -#}
with

source as (

    select * from {{ source('registry', 'ref_working_days') }}

),

renamed as (

    select
        {{ text_to_date('day') }} as day,
        cast(is_working_day as boolean) as is_working_day,
        cast(officially_announced as boolean) as officially_announced
    from source

),

numbered as (

    select
        *,
        cast(
            sum(case when is_working_day then 1 else 0 end) over (order by day rows unbounded preceding) as integer
        ) as working_day_number
    from renamed

),

final as (

    select * from numbered

)

select * from final
