-- First cut of the identity map: deterministic links only (ERP customer code held in the CRM
-- custom field, or the same valid credit code on both sides). Every fact joins customers
-- through this model, so identity resolution can grow behind it without touching the marts.

with

erp as (

    select * from {{ ref('stg_erp__customers') }}

),

crm as (

    select
        customers.customer_id,
        custom_fields.erp_customer_code,
        case when custom_fields.is_valid_tax_id then custom_fields.tax_id end as tax_id
    from {{ ref('stg_crm__customers') }} as customers
    left join {{ ref('stg_crm__customer_fields') }} as custom_fields
        on customers.batch_id = custom_fields.batch_id

),

erp_by_tax_id as (

    select
        tax_id,
        min(erp_customer_code) as erp_customer_code
    from erp
    where is_valid_tax_id
    group by 1

),

crm_linked as (

    select
        crm.customer_id,
        coalesce(by_code.erp_customer_code, by_tax_id.erp_customer_code) as erp_customer_code
    from crm
    left join erp as by_code
        on crm.erp_customer_code = by_code.erp_customer_code
    left join erp_by_tax_id as by_tax_id
        on crm.tax_id = by_tax_id.tax_id

),

final as (

    select
        'erp' as source_system,
        erp_customer_code as source_record_id,
        'E-' || erp_customer_code as customer_key
    from erp

    union all

    select
        'crm' as source_system,
        cast(customer_id as varchar) as source_record_id,
        case
            when erp_customer_code is not null then 'E-' || erp_customer_code
            else 'C-' || cast(customer_id as varchar)
        end as customer_key
    from crm_linked

)

select * from final
