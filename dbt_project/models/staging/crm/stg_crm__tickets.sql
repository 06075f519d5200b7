{%- set categories = {
    '安装调试': 'installation', '故障维修': 'repair', '使用咨询': 'usage question',
    '投诉': 'complaint', '退换货': 'return or exchange'
} -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'tickets') }}

),

latest as (

    {{ latest_version('source', ['ticket_id']) }}

),

renamed as (

    select
        cast(ticket_id as bigint) as ticket_id,
        cast(ticket_no as varchar) as ticket_no,
        cast(customer_id as varchar) as customer_id,
        cast(contacts_id as bigint) as contact_id,
        cast(category as varchar) as category,
        cast(priority as integer) as priority,
        cast(status as integer) as status,
        cast(sla_hours as integer) as sla_hours,
        cast(create_time as timestamp) as created_at,
        cast(first_response_time as timestamp) as first_response_at,
        cast(resolve_time as timestamp) as resolved_at,
        cast(satisfaction as integer) as satisfaction_score,
        cast(owner_user_id as bigint) as owner_user_id,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        ticket_id,
        ticket_no,
        customer_id,
        contact_id,
        category,
        {{ decode('category', categories) }} as category_name,
        priority,
        {{ decode('priority', {1: 'urgent', 2: 'high', 3: 'normal', 4: 'low'}) }} as priority_name,
        status,
        {{ decode('status', {1: 'open', 2: 'in progress', 3: 'resolved', 4: 'closed'}) }}
            as status_name,
        status in (3, 4) as is_resolved,
        sla_hours,
        created_at,
        first_response_at,
        resolved_at,
        satisfaction_score,
        satisfaction_score is not null as has_rating,
        owner_user_id,
        source_file,
        loaded_at
    from renamed

)

select * from final
