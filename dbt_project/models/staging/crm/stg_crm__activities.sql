{%- set kinds = {1: 'follow-up', 2: 'created', 3: 'stage change', 4: 'check-in'} -%}
{%- set entity_types = {
    1: 'lead', 2: 'customer', 3: 'contact', 4: 'product', 5: 'opportunity', 6: 'contract',
    7: 'receipt', 8: 'receipt plan', 9: 'customer pool', 10: 'marketing', 18: 'invoice'
} -%}
{%- set categories = {
    '电话': 'phone', '拜访': 'visit', '微信': 'wechat', '邮件': 'e-mail', '会议': 'meeting'
} -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_crm', 'activities') }}
    {{ landed_since_last_build() }}

),

latest as (

    {{ latest_version('source', ['activity_id']) }}

),

renamed as (

    select
        cast(activity_id as bigint) as activity_id,
        cast(type as integer) as activity_kind,
        cast(activity_type as integer) as entity_type,
        cast(activity_type_id as bigint) as entity_id,
        nullif(cast(category as varchar), '') as category,
        cast(content as varchar) as activity_content,
        cast(next_time as timestamp) as next_followup_at,
        cast(create_user_id as bigint) as created_by_user_id,
        cast(create_time as timestamp) as created_at,
        cast(status as integer) as status,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        activity_id,
        activity_kind,
        {{ decode('activity_kind', kinds) }} as activity_kind_name,
        activity_kind = 1 as is_followup,
        entity_type,
        {{ decode('entity_type', entity_types) }} as entity_type_name,
        entity_id,
        case when entity_type = 2 then cast(entity_id as varchar) end as customer_id,
        case when entity_type = 5 then entity_id end as opportunity_id,
        category,
        {{ decode('category', categories) }} as category_name,
        activity_content,
        next_followup_at,
        created_by_user_id,
        created_at,
        status,
        {{ decode('status', {0: 'deleted', 1: 'normal'}) }} as status_name,
        status = 0 as is_deleted,
        source_file,
        loaded_at
    from renamed

)

select * from final
