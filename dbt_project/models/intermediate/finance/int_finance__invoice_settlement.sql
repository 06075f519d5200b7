-- The state of every invoice's receivable at the as-of date, from documents dated on or before
-- it only: the invoice, the credit notes against it and the receipts allocated to it.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

documents as (

    select invoice_lines.*
    from {{ ref('int_finance__invoice_lines') }} as invoice_lines
    cross join as_of
    where
        invoice_lines.is_approved
        and invoice_lines.invoice_date <= as_of.as_of_date

),

invoices as (

    select
        invoice_id,
        min(customer_key) as customer_key,
        min(erp_customer_code) as erp_customer_code,
        min(region) as region,
        min(invoice_date) as invoice_date,
        min(due_date) as due_date,
        sum(net_amount) as invoice_net_amount,
        sum(gross_amount) as invoice_gross_amount
    from documents
    where not is_credit_note
    group by invoice_id

),

credit_notes as (

    select
        receivable_invoice_id as invoice_id,
        sum(gross_amount) as credited_gross_amount,
        max(invoice_date) as last_credit_note_date
    from documents
    where is_credit_note
    group by receivable_invoice_id

),

receipts as (

    select
        receipts.invoice_id,
        sum(receipts.received_amount) as received_amount,
        count(distinct receipts.receipt_id) as receipt_count,
        max(receipts.receipt_date) as last_receipt_date
    from {{ ref('int_finance__receipt_allocations') }} as receipts
    cross join as_of
    where
        receipts.is_approved
        and receipts.receipt_date <= as_of.as_of_date
    group by receipts.invoice_id

),

balances as (

    select
        invoices.*,
        as_of.as_of_date,
        coalesce(credit_notes.credited_gross_amount, 0) as credited_gross_amount,
        invoices.invoice_gross_amount + coalesce(credit_notes.credited_gross_amount, 0)
            as receivable_gross_amount,
        coalesce(receipts.received_amount, 0) as received_amount,
        coalesce(receipts.receipt_count, 0) as receipt_count,
        receipts.last_receipt_date,
        credit_notes.last_credit_note_date,
        invoices.invoice_gross_amount
        + coalesce(credit_notes.credited_gross_amount, 0)
        - coalesce(receipts.received_amount, 0) as open_amount
    from invoices
    cross join as_of
    left join credit_notes
        on invoices.invoice_id = credit_notes.invoice_id
    left join receipts
        on invoices.invoice_id = receipts.invoice_id

),

settled as (

    select
        *,
        open_amount <= 0 as is_settled,
        case
            when open_amount > 0 then null
            when last_receipt_date is null then last_credit_note_date
            when last_credit_note_date is null then last_receipt_date
            when last_credit_note_date > last_receipt_date then last_credit_note_date
            else last_receipt_date
        end as settled_date
    from balances

),

final as (

    select
        invoice_id,
        customer_key,
        erp_customer_code,
        region,
        invoice_date,
        due_date,
        as_of_date,
        cast(invoice_net_amount as decimal(18, 2)) as invoice_net_amount,
        cast(invoice_gross_amount as decimal(18, 2)) as invoice_gross_amount,
        cast(credited_gross_amount as decimal(18, 2)) as credited_gross_amount,
        cast(receivable_gross_amount as decimal(18, 2)) as receivable_gross_amount,
        cast(received_amount as decimal(18, 2)) as received_amount,
        receipt_count,
        last_receipt_date,
        cast(open_amount as decimal(18, 2)) as open_amount,
        is_settled,
        case
            when not is_settled then 'open'
            when received_amount = 0 then 'credited'
            else 'paid'
        end as settlement_status,
        settled_date,
        -- delay of the payment that settled the invoice; a fully credited invoice has none
        case
            when is_settled and received_amount > 0
                then {{ dbt.datediff('due_date', 'last_receipt_date', 'day') }}
        end as payment_delay_days,
        case
            when is_settled and received_amount > 0
                then {{ dbt.datediff('invoice_date', 'last_receipt_date', 'day') }}
        end as days_to_pay,
        case
            when not is_settled then {{ dbt.datediff('due_date', 'as_of_date', 'day') }}
        end as days_past_due,
        case
            when not is_settled
                then {{ aging_bucket(dbt.datediff('due_date', 'as_of_date', 'day')) }}
        end as aging_bucket
    from settled

)

select * from final
