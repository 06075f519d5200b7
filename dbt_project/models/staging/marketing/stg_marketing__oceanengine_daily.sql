with

source as (

    select * from {{ raw_source('raw_marketing', 'oceanengine_daily') }}

),

latest as (

    {{ latest_version('source', ['stat_date', 'campaign_id']) }}

),

final as (

    select
        cast(campaign_id as varchar) || '-' || cast(stat_date as varchar) as report_row_id,
        cast(stat_date as date) as report_date,
        cast(advertiser_id as varchar) as advertiser_id,
        cast(campaign_id as varchar) as campaign_id,
        cast(campaign_name as varchar) as campaign_name,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        -- Ocean Engine reports cost in yuan already
        cast(cost as decimal(18, 2)) as spend_yuan,
        cast(conversions as bigint) as conversions,
        cast(form_leads as bigint) as form_leads,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

)

select * from final
