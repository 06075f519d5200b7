-- The acquisition channel of every CRM customer record. The CRM's own 客户来源 field is not
-- enough: customers the company had before lead tracking got an arbitrary label when they were
-- keyed in. So the channel is the one of the lead that converted into the golden customer
-- (any CRM record with the same customer_key), else `existing` for records created before the
-- first lead, else the recorded 客户来源, else `unknown`.

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

custom_fields as (

    select * from {{ ref('stg_crm__customer_fields') }}

),

key_map as (

    select
        source_record_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

first_lead as (

    select min(created_at) as first_lead_at
    from leads

),

converted_leads as (

    select
        key_map.customer_key,
        leads.lead_id,
        coalesce(leads.source_channel, 'unknown') as channel,
        row_number() over (
            partition by key_map.customer_key
            order by leads.converted_at, leads.lead_id
        ) as lead_rank
    from leads
    inner join key_map
        on cast(leads.customer_id as varchar) = key_map.source_record_id
    where leads.is_converted and not leads.is_deleted

),

first_converted_lead as (

    select
        customer_key,
        lead_id,
        channel
    from converted_leads
    where lead_rank = 1

),

final as (

    select
        customers.customer_id,
        key_map.customer_key,
        first_converted_lead.lead_id as converted_lead_id,
        custom_fields.source_channel as recorded_channel,
        cast(
            case
                when first_converted_lead.channel is not null then first_converted_lead.channel
                when customers.created_at < first_lead.first_lead_at then 'existing'
                when custom_fields.source_channel is not null then custom_fields.source_channel
                else 'unknown'
            end as varchar
        ) as channel
    from customers
    cross join first_lead
    left join key_map
        on cast(customers.customer_id as varchar) = key_map.source_record_id
    left join custom_fields
        on customers.batch_id = custom_fields.batch_id
    left join first_converted_lead
        on key_map.customer_key = first_converted_lead.customer_key

)

select * from final
