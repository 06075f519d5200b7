with

source as (

    select * from {{ raw_source('raw_marketing', 'tencent_ads') }}

),

latest as (

    {{ latest_version('source', ['report_date', 'campaign_id']) }}

),

final as (

    select
        cast(campaign_id as varchar) || '-' || cast(report_date as varchar) as report_row_id,
        cast(report_date as date) as report_date,
        cast(account_id as varchar) as account_id,
        cast(campaign_id as varchar) as campaign_id,
        cast(campaign_name as varchar) as campaign_name,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        -- Tencent sends integer fen; the landing contract (unit: fen) already divided by 100,
        -- so raw cost is yuan: dividing again here would understate spend a hundredfold
        cast(cost as decimal(18, 2)) as spend_yuan,
        cast(conversions as bigint) as conversions,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

)

select * from final
