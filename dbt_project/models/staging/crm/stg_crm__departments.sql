with

source as (

    select * from {{ raw_source('raw_crm', 'departments') }}

),

latest as (

    {{ latest_version('source', ['dept_id']) }}

),

final as (

    select
        cast(dept_id as bigint) as dept_id,
        cast(name as varchar) as dept_name,
        -- WukongCRM marks the root with parent 0; null keeps relationships testable
        cast(nullif(parent_id, 0) as bigint) as parent_dept_id,
        coalesce(parent_id, 0) = 0 as is_root,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

)

select * from final
