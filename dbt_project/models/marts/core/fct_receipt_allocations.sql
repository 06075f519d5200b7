-- The contracted face of int_finance__receipt_allocations: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

receipt_allocations as (

    select * from {{ ref('int_finance__receipt_allocations') }}

),

final as (

    select
        receipt_line_id,
        receipt_id,
        receipt_date,
        receipt_month,
        customer_key,
        erp_customer_code,
        invoice_id,
        settlement_method,
        account_code,
        doc_status,
        is_approved,
        invoice_receivable_amount,
        received_amount,
        invoice_due_date,
        days_after_due
    from receipt_allocations

)

select * from final
