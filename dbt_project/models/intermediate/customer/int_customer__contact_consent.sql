-- CRM contacts rolled up to their golden customer: how many there are, how many gave
-- marketing consent and how many unsubscribed. One row per customer with a CRM contact.

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

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
        key_map.customer_key,
        count(*) as contact_count,
        sum(case when contacts.has_marketing_consent then 1 else 0 end) as consenting_contacts,
        sum(case when contacts.unsubscribed_at is not null then 1 else 0 end)
            as unsubscribed_contacts
    from contacts
    inner join key_map
        on cast(contacts.customer_id as varchar) = key_map.source_record_id
    group by key_map.customer_key

)

select * from final
