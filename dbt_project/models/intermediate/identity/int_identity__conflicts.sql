-- Records whose typed ERP code contradicts the evidence: a CRM record names an ERP customer in
-- its ERP客户编码 field, but both records carry valid credit codes and the codes differ (the
-- typical case: a branch with its own credit code whose rep typed the parent's ERP code). The
-- credit code wins, so int_identity__links does not link them on the typed code; this model
-- lists both records for review. One row per (CRM record, claimed ERP record).

with

records as (

    select * from {{ ref('int_identity__records') }}

),

final as (

    select
        crm.record_key as crm_record_key,
        crm.source_record_id as crm_customer_id,
        crm.record_name as crm_customer_name,
        crm.tax_id as crm_tax_id,
        crm.is_branch as crm_is_branch,
        erp.record_key as erp_record_key,
        erp.source_record_id as erp_customer_code,
        erp.record_name as erp_customer_name,
        erp.tax_id as erp_tax_id,
        'erp_code contradicts a valid credit code' as conflict_reason
    from records as crm
    inner join records as erp
        on
            crm.claimed_erp_customer_code = erp.source_record_id
            and erp.source_system = 'erp'
    where
        crm.source_system = 'crm'
        and crm.tax_id is not null
        and erp.tax_id is not null
        and crm.tax_id <> erp.tax_id

)

select * from final
