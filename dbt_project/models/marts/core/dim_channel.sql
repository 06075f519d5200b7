{#- One row per acquisition channel: the CRM's 客户来源 channels (crm_source_channels), plus
    `existing` for customers the company had before lead tracking began and `unknown` for
    records whose source cannot be read. -#}
{%- set labels = crm_source_channels() -%}
{%- set paid = ['oceanengine', 'baidu', 'tencent', 'tradeshow'] -%}
{%- set names = {
    'oceanengine': 'Ocean Engine (Douyin ads)',
    'baidu': 'Baidu search ads',
    'tencent': 'Tencent ads (WeChat)',
    'tradeshow': 'Trade shows',
    'referral': 'Customer referral',
    'organic': 'Organic',
} -%}

with

channels as (

    {% for label, channel in labels.items() %}
        select
            '{{ channel }}' as channel,
            '{{ names[channel] }}' as channel_name,
            '{{ label }}' as crm_source_label,
            {{ 'true' if channel in paid else 'false' }} as has_spend_report,
            {{ loop.index }} as channel_order
        union all
    {% endfor %}
    select
        'existing' as channel,
        'Existing customer' as channel_name,
        null as crm_source_label,
        false as has_spend_report,
        {{ labels | length + 1 }} as channel_order
    union all
    select
        'unknown' as channel,
        'Unknown' as channel_name,
        null as crm_source_label,
        false as has_spend_report,
        {{ labels | length + 2 }} as channel_order

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
