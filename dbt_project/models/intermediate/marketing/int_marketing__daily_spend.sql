{#- Spend of every paid channel at one grain: day x channel x campaign.

    Baidu sends some months as one period row (YYYY-MM-01至YYYY-MM-DD) and some days as hourly
    rows; trade shows are one row per show. Period rows are spread evenly over their days
    (is_spread = true) so daily sums, adstock and ROI see spend on the days it ran; the split
    is exact: money in whole fen and counts as whole numbers, the remainder going to the first
    days. Hourly rows add up to their day. -#}

with

oceanengine as (

    select * from {{ ref('stg_marketing__oceanengine_daily') }}

),

baidu as (

    select * from {{ ref('stg_marketing__baidu_sem') }}

),

tencent as (

    select * from {{ ref('stg_marketing__tencent_ads') }}

),

trade_shows as (

    select * from {{ ref('stg_marketing__trade_shows') }}

),

digits as (

    select 0 as digit
    union all
    select 1 as digit
    union all
    select 2 as digit
    union all
    select 3 as digit
    union all
    select 4 as digit
    union all
    select 5 as digit
    union all
    select 6 as digit
    union all
    select 7 as digit
    union all
    select 8 as digit
    union all
    select 9 as digit

),

day_offsets as (

    -- 0 .. 999 days: longer than any report period or show
    select units.digit + 10 * tens.digit + 100 * hundreds.digit as day_offset
    from digits as units
    cross join digits as tens
    cross join digits as hundreds

),

periods as (

    -- every source row with its first day and length; single-day rows have one day
    select
        'baidu' as channel,
        campaign_id,
        campaign_name,
        period_start as first_day,
        period_days as day_count,
        impressions,
        clicks,
        cast(round(spend_yuan * 100) as bigint) as spend_fen,
        conversions,
        cast(null as bigint) as leads
    from baidu

    union all

    select
        'tradeshow' as channel,
        trade_show_id as campaign_id,
        show_name as campaign_name,
        start_date as first_day,
        show_days as day_count,
        null as impressions,
        null as clicks,
        cast(round(total_cost_yuan * 100) as bigint) as spend_fen,
        null as conversions,
        leads_collected as leads
    from trade_shows

),

spread as (

    select
        periods.channel,
        periods.campaign_id,
        periods.campaign_name,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'periods.first_day') }} as date)
            as spend_date,
        {{ spread_count('periods.impressions', 'periods.day_count', 'day_offsets.day_offset') }}
            as impressions,
        {{ spread_count('periods.clicks', 'periods.day_count', 'day_offsets.day_offset') }}
            as clicks,
        -- split in whole fen, like counts: exact, and the same on every database (rounding a
        -- half fen differs between DuckDB and PostgreSQL)
        cast(
            cast(
                {{ spread_count('periods.spend_fen', 'periods.day_count', 'day_offsets.day_offset')
                }} as decimal(18, 2)
            ) / 100 as decimal(18, 2)
        ) as spend_yuan,
        {{ spread_count('periods.conversions', 'periods.day_count', 'day_offsets.day_offset') }}
            as conversions,
        {{ spread_count('periods.leads', 'periods.day_count', 'day_offsets.day_offset') }} as leads,
        case when periods.day_count > 1 then 1 else 0 end as spread_flag
    from periods
    inner join day_offsets
        on periods.day_count > day_offsets.day_offset

),

daily_rows as (

    select
        'oceanengine' as channel,
        campaign_id,
        campaign_name,
        report_date as spend_date,
        impressions,
        clicks,
        spend_yuan,
        conversions,
        form_leads as leads,
        0 as spread_flag
    from oceanengine

    union all

    select
        'tencent' as channel,
        campaign_id,
        campaign_name,
        report_date as spend_date,
        impressions,
        clicks,
        spend_yuan,
        conversions,
        null as leads,
        0 as spread_flag
    from tencent

    union all

    select
        channel,
        campaign_id,
        campaign_name,
        spend_date,
        impressions,
        clicks,
        spend_yuan,
        conversions,
        leads,
        spread_flag
    from spread

),

final as (

    select
        channel || '-' || campaign_id || '-' || cast(spend_date as varchar) as daily_spend_id,
        spend_date,
        channel,
        campaign_id,
        max(campaign_name) as campaign_name,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(spend_yuan) as decimal(18, 2)) as spend_yuan,
        cast(sum(conversions) as bigint) as conversions,
        cast(sum(leads) as bigint) as leads,
        max(spread_flag) = 1 as is_spread
    from daily_rows
    group by spend_date, channel, campaign_id

)

select * from final
