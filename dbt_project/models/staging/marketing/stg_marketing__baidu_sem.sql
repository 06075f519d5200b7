with

source as (

    select * from {{ raw_source('raw_marketing', 'baidu_sem') }}

),

latest as (

    {{ latest_version('source', ['period', 'campaign_id']) }}

),

renamed as (

    select
        cast(campaign_id as varchar) || '-' || cast(period as varchar) as report_row_id,
        cast(period as varchar) as reported_period,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(period_grain as varchar) as period_grain,
        cast(period_hour as integer) as period_hour,
        cast(account as varchar) as account_name,
        cast(campaign_id as varchar) as campaign_id,
        cast(campaign_name as varchar) as campaign_name_reported,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(cost as decimal(18, 2)) as spend_yuan,
        cast(conversions as bigint) as conversions,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        report_row_id,
        reported_period,
        period_start,
        period_end,
        period_grain,
        period_hour,
        -- date - date is a day count on DuckDB and PostgreSQL alike
        cast(period_end - period_start + 1 as integer) as period_days,
        period_grain = 'range' as is_period_total,
        account_name,
        campaign_id,
        -- Baidu keeps deleted campaigns' rows and appends [已删除] to the name
        trim(replace(campaign_name_reported, '[已删除]', '')) as campaign_name,
        campaign_name_reported,
        campaign_name_reported like '%[已删除]' as is_deleted_campaign,
        impressions,
        clicks,
        spend_yuan,
        conversions,
        source_file,
        loaded_at
    from renamed

)

select * from final
