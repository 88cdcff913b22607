with

regions as (

    select * from {{ ref('stg_reference__regions') }}

),

final as (

    select
        cast(regions.region_code as varchar) as region_code,
        cast(regions.region_name as varchar) as region_name,
        cast(regions.region_level as varchar) as region_level,
        cast(regions.parent_code as varchar) as parent_code,
        cast(parents.region_name as varchar) as parent_name,
        cast(regions.members is not null as boolean) as is_group
    from regions
    left join regions as parents on regions.parent_code = parents.region_code

)

select * from final
