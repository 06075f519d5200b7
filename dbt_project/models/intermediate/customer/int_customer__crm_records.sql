-- The CRM records behind each golden customer, with the attributes survivorship reads
-- (dim_customer.yml documents the rules): one row per CRM customer record in the key map.

with

key_map as (

    select * from {{ ref('int_identity__customer_key_map') }}

),

records as (

    select * from {{ ref('int_identity__records') }}

),

final as (

    select
        key_map.customer_key,
        records.record_key,
        records.region,
        customers.customer_name,
        customers.owner_user_id,
        customers.has_won_deal,
        customers.first_deal_at,
        customers.mobile_normalised,
        customers.telephone_normalised,
        customers.email_normalised,
        customers.address,
        customers.is_deleted,
        records.is_branch,
        customers.created_at,
        customers.updated_at,
        custom_fields.customer_level,
        custom_fields.industry,
        custom_fields.source_channel,
        -- the valid code of the custom field or of a flat tax-number column
        records.tax_id
    from {{ ref('stg_crm__customers') }} as customers
    inner join key_map
        on
            key_map.source_system = 'crm'
            and cast(customers.customer_id as varchar) = key_map.source_record_id
    inner join records
        on key_map.record_key = records.record_key
    left join {{ ref('stg_crm__customer_fields') }} as custom_fields
        on customers.batch_id = custom_fields.batch_id

)

select * from final
