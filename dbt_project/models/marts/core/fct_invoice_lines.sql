-- The contracted face of int_finance__invoice_lines: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

invoice_lines as (

    select * from {{ ref('int_finance__invoice_lines') }}

),

final as (

    select
        invoice_line_id,
        invoice_id,
        document_type,
        is_credit_note,
        original_invoice_id,
        receivable_invoice_id,
        source_order_id,
        invoice_date,
        invoice_month,
        due_date,
        doc_status,
        is_approved,
        customer_key,
        erp_customer_code,
        region,
        tax_rate_pct,
        net_amount,
        tax_amount,
        gross_amount,
        cost_amount,
        gross_margin_amount,
        expected_tax_amount,
        is_vat_consistent
    from invoice_lines

)

select * from final
