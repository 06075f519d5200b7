-- The ERP records behind each golden customer, with the attributes survivorship reads:
-- one row per ERP customer record in the key map.

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
        case when customers.is_valid_tax_id then customers.tax_id end as tax_id,
        customers.customer_type,
        customers.industry,
        customers.salesperson,
        customers.phone_normalised,
        customers.address,
        customers.is_disabled,
        cast(customers.created_date as timestamp) as created_at
    from {{ ref('stg_erp__customers') }} as customers
    inner join key_map
        on
            key_map.source_system = 'erp'
            and customers.erp_customer_code = key_map.source_record_id
    inner join records
        on key_map.record_key = records.record_key

)

select * from final
