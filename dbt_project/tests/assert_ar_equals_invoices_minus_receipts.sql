-- Accounts receivable reconcile with the documents: per ERP customer, the open receivables
-- equal the approved invoices (credit notes included) minus the approved receipts, all dated on
-- or before the as-of date, within the var reconciliation_tolerance (dbt_project.yml).
-- Only documents that belong to a receivable count: a credit note without its invoice, or a
-- receipt allocated to no known invoice, is unallocated money, not accounts receivable.
-- Returns the customers that differ.

with

as_of as (

    select as_of_date from {{ ref('dim_as_of_date') }}

),

receivables as (

    select distinct invoice_lines.invoice_id
    from {{ ref('fct_invoice_lines') }} as invoice_lines
    cross join as_of
    where
        invoice_lines.is_approved
        and not invoice_lines.is_credit_note
        and invoice_lines.invoice_date <= as_of.as_of_date

),

invoiced as (

    select
        invoice_lines.erp_customer_code,
        sum(invoice_lines.gross_amount) as invoiced_gross
    from {{ ref('fct_invoice_lines') }} as invoice_lines
    cross join as_of
    where
        invoice_lines.is_approved
        and invoice_lines.invoice_date <= as_of.as_of_date
        and invoice_lines.receivable_invoice_id in (select receivables.invoice_id from receivables)
    group by invoice_lines.erp_customer_code

),

received as (

    select
        receipts.erp_customer_code,
        sum(receipts.received_amount) as received
    from {{ ref('fct_receipt_allocations') }} as receipts
    cross join as_of
    where
        receipts.is_approved
        and receipts.receipt_date <= as_of.as_of_date
        and receipts.invoice_id in (select receivables.invoice_id from receivables)
    group by receipts.erp_customer_code

),

open_receivables as (

    select
        erp_customer_code,
        sum(open_amount) as open_amount
    from {{ ref('rpt_open_receivables') }}
    group by erp_customer_code

),

compared as (

    select
        coalesce(
            invoiced.erp_customer_code,
            received.erp_customer_code,
            open_receivables.erp_customer_code
        ) as erp_customer_code,
        coalesce(invoiced.invoiced_gross, 0) as invoiced_gross,
        coalesce(received.received, 0) as received,
        coalesce(open_receivables.open_amount, 0) as open_amount
    from invoiced
    full outer join received
        on invoiced.erp_customer_code = received.erp_customer_code
    full outer join open_receivables
        on
            coalesce(invoiced.erp_customer_code, received.erp_customer_code)
            = open_receivables.erp_customer_code

)

select
    erp_customer_code,
    invoiced_gross,
    received,
    open_amount,
    invoiced_gross - received - open_amount as difference
from compared
where abs(invoiced_gross - received - open_amount) > {{ var('reconciliation_tolerance') }}
