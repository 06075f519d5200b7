with

receipt_lines as (

    select * from {{ ref('stg_erp__receipts') }}

),

invoices as (

    -- due date of every invoice document (one per document, all its VAT lines share it)
    select
        invoice_id,
        min(due_date) as due_date
    from {{ ref('stg_erp__sales_invoices') }}
    group by invoice_id

),

customer_keys as (

    select
        source_record_id as erp_customer_code,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'erp'

),

final as (

    select
        cast(receipt_lines.receipt_line_id as varchar) as receipt_line_id,
        cast(receipt_lines.receipt_id as varchar) as receipt_id,
        cast(receipt_lines.receipt_date as date) as receipt_date,
        cast({{ dbt.date_trunc('month', 'receipt_lines.receipt_date') }} as date)
            as receipt_month,
        cast(customer_keys.customer_key as varchar) as customer_key,
        cast(receipt_lines.erp_customer_code as varchar) as erp_customer_code,
        cast(receipt_lines.invoice_id as varchar) as invoice_id,
        cast(receipt_lines.settlement_method as varchar) as settlement_method,
        cast(receipt_lines.account_code as varchar) as account_code,
        cast(receipt_lines.doc_status_name as varchar) as doc_status,
        cast(receipt_lines.is_approved as boolean) as is_approved,
        cast(receipt_lines.receivable_amount as decimal(18, 2)) as invoice_receivable_amount,
        cast(receipt_lines.received_amount as decimal(18, 2)) as received_amount,
        cast(invoices.due_date as date) as invoice_due_date,
        cast(
            {{ dbt.datediff('invoices.due_date', 'receipt_lines.receipt_date', 'day') }}
            as integer
        ) as days_after_due
    from receipt_lines
    left join invoices
        on receipt_lines.invoice_id = invoices.invoice_id
    left join customer_keys
        on receipt_lines.erp_customer_code = customer_keys.erp_customer_code

)

select * from final
