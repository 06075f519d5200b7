{#- The CRM's 客户来源 labels and the channel codes every model uses for them.

    The same pairs are rows of the channels seed (seeds/channels.csv), which every model after
    staging joins; staging keeps this dictionary because it builds before seeds are loaded.
    The codes are the ones lead forms write into utm_source and the ones
    int_marketing__daily_spend uses, so leads, customers, campaigns and spend join on one
    vocabulary. -#}
{% macro crm_source_channels() -%}
    {{ return({
        '巨量引擎': 'oceanengine',
        '百度推广': 'baidu',
        '腾讯广告': 'tencent',
        '展会': 'tradeshow',
        '客户介绍': 'referral',
        '自然流量': 'organic',
    }) }}
{%- endmacro %}
