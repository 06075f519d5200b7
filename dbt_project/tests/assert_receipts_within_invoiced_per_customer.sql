-- Money received never exceeds what was invoiced: per ERP customer, receipts are at most the
-- approved invoices' gross amount net of credit notes (a credit note lowers what the customer
-- owes, so it also lowers what may have been paid), and per invoice at most that invoice's
-- gross net of its credit notes. Returns the customers and invoices over the limit.

with

documents as (

    select * from {{ ref('fct_invoice_lines') }}
    where is_approved

),

receipts as (

    select * from {{ ref('fct_receipt_allocations') }}
    where is_approved

),

invoiced_per_customer as (

    select
        erp_customer_code,
        sum(gross_amount) as invoiced_gross
    from documents
    group by erp_customer_code

),

received_per_customer as (

    select
        erp_customer_code,
        sum(received_amount) as received
    from receipts
    group by erp_customer_code

),

invoiced_per_invoice as (

    select
        receivable_invoice_id as invoice_id,
        sum(gross_amount) as invoiced_gross
    from documents
    group by receivable_invoice_id

),

received_per_invoice as (

    select
        invoice_id,
        sum(received_amount) as received
    from receipts
    group by invoice_id

)

select
    'customer' as checked_level,
    received_per_customer.erp_customer_code as checked_id,
    coalesce(invoiced_per_customer.invoiced_gross, 0) as invoiced_gross,
    received_per_customer.received
from received_per_customer
left join invoiced_per_customer
    on received_per_customer.erp_customer_code = invoiced_per_customer.erp_customer_code
where received_per_customer.received > coalesce(invoiced_per_customer.invoiced_gross, 0)

union all

select
    'invoice' as checked_level,
    received_per_invoice.invoice_id as checked_id,
    coalesce(invoiced_per_invoice.invoiced_gross, 0) as invoiced_gross,
    received_per_invoice.received
from received_per_invoice
left join invoiced_per_invoice
    on received_per_invoice.invoice_id = invoiced_per_invoice.invoice_id
where received_per_invoice.received > coalesce(invoiced_per_invoice.invoiced_gross, 0)
