-- One row per acquisition channel, from the channels seed (dbt_project/seeds/channels.yml):
-- the CRM's 客户来源 channels, `existing` and `unknown`.

with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        cast(channel as varchar) as channel,
        cast(channel_name as varchar) as channel_name,
        cast(crm_source_label as varchar) as crm_source_label,
        cast(has_spend_report as boolean) as has_spend_report,
        cast(channel_order as integer) as channel_order
    from channels

)

select * from final
