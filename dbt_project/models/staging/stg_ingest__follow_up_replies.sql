{#- 整改反馈 as departments sent them (the reply form, planwatch followup forms), one row per item answered
    per file; a later file's answer to the same item is a newer reply, both kept. -#}
with

source as (

    select * from {{ source('ingest', 'follow_up_replies') }}

),

renamed as (

    select
        load_id,
        file_name,
        sheet,
        cell,
        cast(row_number as integer) as source_row_number,
        department_id,
        item_id,
        measures,
        cast(expected_date as date) as expected_completion,
        cast(asks_closure as boolean) as asks_closure,
        loaded_at
    from source

)

select * from renamed
