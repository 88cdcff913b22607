with

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

final as (

    select
        cast(department_id as varchar) as department_id,
        cast(department_name as varchar) as department_name,
        cast(region_code as varchar) as region_code
    from departments

)

select * from final
