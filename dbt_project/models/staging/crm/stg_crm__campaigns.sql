{%- set channels = crm_source_channels() -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'campaigns') }}

),

latest as (

    {{ latest_version('source', ['marketing_id']) }}

),

renamed as (

    select
        cast(marketing_id as bigint) as campaign_id,
        cast(marketing_name as varchar) as campaign_name,
        cast(crm_type as integer) as crm_type,
        cast(marketing_type as varchar) as channel_label,
        cast(marketing_money as decimal(18, 2)) as budget_yuan,
        cast(start_time as timestamp) as starts_at,
        cast(end_time as timestamp) as ends_at,
        cast(browse as bigint) as page_views,
        cast(submit_num as bigint) as form_submissions,
        cast(create_time as timestamp) as created_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        campaign_id,
        campaign_name,
        crm_type,
        {{ decode('crm_type', {1: 'lead', 2: 'customer'}) }} as crm_type_name,
        channel_label,
        {{ decode('channel_label', channels) }} as channel,
        budget_yuan,
        starts_at,
        ends_at,
        cast(starts_at as date) as start_date,
        cast(ends_at as date) as end_date,
        page_views,
        form_submissions,
        created_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
