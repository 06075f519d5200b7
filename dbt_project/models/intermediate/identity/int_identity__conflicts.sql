-- Records whose typed ERP code contradicts the evidence: a CRM record names an ERP customer in
-- its ERP客户编码 field, but the two records' credit codes name different companies (both
-- valid and different, or the CRM code mistyped yet three or more characters off the ERP's);
-- the typical case: a branch with its own credit code whose rep typed the parent's ERP code. The
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
        -- the valid code, else the code as entered (a mistyped own code, see tax_ids_contradict)
        coalesce(crm.tax_id, crm.tax_id_entered) as crm_tax_id,
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
        and {{ tax_ids_contradict('crm.tax_id_entered', 'crm.tax_id', 'erp.tax_id') }}

)

select * from final
