-- One row per contact and channel, tied to its golden customer: the only table a segment
-- export reads. A person entered under two CRM records of one merged customer appears once per
-- address as the latest record says (is_current_for_address), so an export never sends twice.

with

channels as (

    select * from {{ ref('int_marketing__contact_channels') }}

),

key_map as (

    select
        source_record_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

tied as (

    select
        channels.*,
        key_map.customer_key,
        coalesce(channels.mobile_e164, channels.email) as address
    from channels
    left join key_map
        on cast(channels.customer_id as varchar) = key_map.source_record_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by channel, coalesce(address, cast(contact_id as varchar))
            order by consent_recorded_at desc, contact_id desc
        ) = 1 as is_current_for_address
    from tied

),

final as (

    select
        cast(cast(contact_id as varchar) || ':' || channel as varchar) as contact_channel_key,
        cast(contact_id as bigint) as contact_id,
        cast(customer_key as varchar) as customer_key,
        cast(contact_name as varchar) as contact_name,
        cast(job_title as varchar) as job_title,
        cast(channel as varchar) as channel,
        cast(mobile_e164 as varchar) as mobile_e164,
        cast(email as varchar) as email,
        cast(consent_status as varchar) as consent_status,
        cast(consent_status = 'consented' as boolean) as has_marketing_consent,
        cast('crm' as varchar) as consent_source,
        cast(source_file as varchar) as consent_source_file,
        cast(consent_recorded_at as timestamp) as consent_recorded_at,
        cast(is_current_for_address as boolean) as is_current_for_address
    from ranked

)

select * from final
