with

source as (

    select * from {{ raw_source('raw_crm', 'business_stages') }}

),

latest as (

    {{ latest_version('source', ['status_id']) }}

),

final as (

    select
        cast(status_id as bigint) as stage_id,
        cast(type_id as bigint) as stage_group_id,
        cast(name as varchar) as stage_name,
        cast(rate as varchar) as win_rate_text,
        -- WukongCRM keeps the rate as a varchar percent ('20' or '20%')
        cast(nullif(replace(trim(rate), '%', ''), '') as decimal(5, 2)) as win_rate_pct,
        cast(order_num as integer) as stage_order,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

)

select * from final
