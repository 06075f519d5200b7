-- Paid-channel spend at day x channel x campaign grain, yuan (Tencent's fen already converted,
-- Baidu's monthly totals and trade shows spread over their days in staging).

with

daily_spend as (

    select * from {{ ref('int_marketing__daily_spend') }}

),

final as (

    select
        cast(daily_spend_id as varchar) as daily_spend_id,
        cast(spend_date as date) as spend_date,
        cast(channel as varchar) as channel,
        cast(campaign_id as varchar) as campaign_id,
        cast(campaign_name as varchar) as campaign_name,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(spend_yuan as decimal(18, 2)) as spend_yuan,
        cast(conversions as bigint) as platform_conversions,
        cast(leads as bigint) as reported_leads,
        cast(is_spread as boolean) as is_spread
    from daily_spend

)

select * from final
