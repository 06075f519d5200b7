-- One row per lead (线索), with its channel, owner and, when it converted, the CRM customer
-- and golden customer it became.

with

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted

),

utm_channels as (

    -- the codes a lead form may carry in utm_source: the CRM's own channels
    select channel from {{ ref('channels') }}
    where crm_source_label is not null

),

key_map as (

    select
        source_record_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

final as (

    select
        cast(leads.lead_id as bigint) as lead_id,
        -- the 客户来源 label is always filled in; utm_source (lost on ~10% of forms) backs it up
        cast(
            coalesce(
                leads.source_channel,
                utm_channels.channel,
                'unknown'
            ) as varchar
        ) as channel,
        cast(leads.source_label as varchar) as source_label,
        cast(leads.utm_source as varchar) as utm_source,
        cast(leads.owner_user_id as bigint) as sales_rep_id,
        cast(leads.created_at as timestamp) as created_at,
        cast(leads.created_at as date) as lead_date,
        cast(leads.is_converted as boolean) as is_converted,
        cast(leads.converted_at as timestamp) as converted_at,
        cast(leads.converted_at as date) as converted_date,
        cast(
            {{ dbt.datediff('cast(leads.created_at as date)',
                            'cast(leads.converted_at as date)', 'day') }}
            as bigint
        ) as days_to_convert,
        cast(leads.customer_id as varchar) as crm_customer_id,
        cast(key_map.customer_key as varchar) as customer_key
    from leads
    left join utm_channels
        on leads.utm_source = utm_channels.channel
    left join key_map
        on cast(leads.customer_id as varchar) = key_map.source_record_id

)

select * from final
