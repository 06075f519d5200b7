-- Identity conflicts for review: a CRM record whose typed ERP code names an ERP customer with a
-- different valid credit code. Both records side by side; no link was made on the typed code.

with

conflicts as (

    select * from {{ ref('int_identity__conflicts') }}

),

final as (

    select
        cast(crm_record_key || '~' || erp_record_key as varchar) as conflict_id,
        cast(crm_customer_id as varchar) as crm_customer_id,
        cast(crm_customer_name as varchar) as crm_customer_name,
        cast(crm_tax_id as varchar) as crm_tax_id,
        cast(crm_is_branch as boolean) as crm_is_branch,
        cast(erp_customer_code as varchar) as erp_customer_code,
        cast(erp_customer_name as varchar) as erp_customer_name,
        cast(erp_tax_id as varchar) as erp_tax_id,
        cast(conflict_reason as varchar) as conflict_reason
    from conflicts

)

select * from final
