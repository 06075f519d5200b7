-- Part 2 of the churn feature query: invoices, credit notes, receipts and payment behaviour.
document_days as (
    -- invoice and credit-note lines by receivable and date, once for every cutoff
    select
        receivable_invoice_id,
        invoice_id,
        invoice_date,
        is_credit_note,
        any_value(customer_key) as customer_key,
        max(due_date) as due_date,
        sum(gross_amount) as gross_amount
    from core.fct_invoice_lines
    where is_approved
    group by receivable_invoice_id, invoice_id, invoice_date, is_credit_note
),

receipt_days as (
    select
        invoice_id,
        receipt_date,
        sum(received_amount) as received_amount
    from core.fct_receipt_allocations
    where is_approved
    group by invoice_id, receipt_date
),

paid_in_all as (
    select
        invoice_id,
        sum(received_amount) as received_amount,
        max(receipt_date) as last_receipt_date
    from receipt_days
    group by invoice_id
),

invoice_finals as (
    -- each receivable as it stands once its last document and receipt are in
    select
        document_days.receivable_invoice_id as invoice_id,
        min(document_days.invoice_date) as first_document_date,
        greatest(
            max(document_days.invoice_date),
            coalesce(any_value(paid_in_all.last_receipt_date), max(document_days.invoice_date))
        ) as last_event_date,
        max(document_days.invoice_date) as last_document_date,
        any_value(document_days.customer_key) filter (where not document_days.is_credit_note)
            as customer_key,
        max(document_days.due_date) filter (where not document_days.is_credit_note) as due_date,
        max(document_days.due_date) as latest_due_date,
        sum(document_days.gross_amount) as receivable_amount,
        coalesce(any_value(paid_in_all.received_amount), 0) as received_amount,
        any_value(paid_in_all.last_receipt_date) as last_receipt_date
    from document_days
    left join paid_in_all on document_days.receivable_invoice_id = paid_in_all.invoice_id
    group by document_days.receivable_invoice_id
),

invoice_cutoffs as (
    -- once an invoice is settled for good and its due date and last credit note are more than a
    -- year old, it adds nothing to any feature: later cutoffs skip it (same result, less work)
    select
        cutoffs.as_of,
        invoice_finals.*,
        invoice_finals.receivable_amount - invoice_finals.received_amount <= 0.005
        and invoice_finals.last_event_date <= cutoffs.as_of as is_final
    from cutoffs
    inner join invoice_finals
        on
            invoice_finals.first_document_date <= cutoffs.as_of
            and not (
                invoice_finals.receivable_amount - invoice_finals.received_amount <= 0.005
                and cutoffs.as_of >= greatest(
                    invoice_finals.last_event_date,
                    invoice_finals.last_document_date + 365,
                    invoice_finals.latest_due_date + 365
                )
            )
),

changing_documents as (
    -- receivables still moving at the cutoff: their documents and receipts dated by then
    select
        invoice_cutoffs.as_of,
        invoice_cutoffs.invoice_id,
        any_value(document_days.customer_key) filter (where not document_days.is_credit_note)
            as customer_key,
        max(document_days.due_date) filter (where not document_days.is_credit_note) as due_date,
        sum(document_days.gross_amount) as receivable_amount
    from invoice_cutoffs
    inner join document_days
        on
            invoice_cutoffs.invoice_id = document_days.receivable_invoice_id
            and document_days.invoice_date <= invoice_cutoffs.as_of
    where not invoice_cutoffs.is_final
    group by invoice_cutoffs.as_of, invoice_cutoffs.invoice_id
),

changing_receipts as (
    select
        invoice_cutoffs.as_of,
        invoice_cutoffs.invoice_id,
        sum(receipt_days.received_amount) as received_amount,
        max(receipt_days.receipt_date) as last_receipt_date
    from invoice_cutoffs
    inner join receipt_days
        on
            invoice_cutoffs.invoice_id = receipt_days.invoice_id
            and receipt_days.receipt_date <= invoice_cutoffs.as_of
    where not invoice_cutoffs.is_final
    group by invoice_cutoffs.as_of, invoice_cutoffs.invoice_id
),

credit_notes as (
    select
        invoice_cutoffs.as_of,
        invoice_cutoffs.invoice_id,
        count(distinct document_days.invoice_id) as credit_notes_12m
    from invoice_cutoffs
    inner join document_days
        on
            invoice_cutoffs.invoice_id = document_days.receivable_invoice_id
            and document_days.invoice_date <= invoice_cutoffs.as_of
            and document_days.invoice_date > invoice_cutoffs.as_of - 365
    where document_days.is_credit_note
    group by invoice_cutoffs.as_of, invoice_cutoffs.invoice_id
),

documents as (
    select
        as_of,
        invoice_id,
        customer_key,
        due_date,
        receivable_amount,
        received_amount,
        last_receipt_date
    from invoice_cutoffs
    where is_final
    union all
    select
        changing_documents.as_of,
        changing_documents.invoice_id,
        changing_documents.customer_key,
        changing_documents.due_date,
        changing_documents.receivable_amount,
        coalesce(changing_receipts.received_amount, 0) as received_amount,
        changing_receipts.last_receipt_date
    from changing_documents
    left join changing_receipts
        on
            changing_documents.as_of = changing_receipts.as_of
            and changing_documents.invoice_id = changing_receipts.invoice_id
),

invoice_state as (
    select
        documents.as_of,
        documents.customer_key,
        documents.due_date,
        coalesce(credit_notes.credit_notes_12m, 0) as credit_notes_12m,
        documents.receivable_amount - documents.received_amount as open_amount,
        case
            -- paid in full by the as-of date: the delay is known
            when documents.receivable_amount - documents.received_amount <= 0.005
                then date_diff('day', documents.due_date, documents.last_receipt_date)
            -- still open after its due date: it is at least this late already
            when documents.due_date < documents.as_of
                then date_diff('day', documents.due_date, documents.as_of)
        end as known_delay_days
    from documents
    left join credit_notes
        on documents.as_of = credit_notes.as_of and documents.invoice_id = credit_notes.invoice_id
    where documents.customer_key is not null and documents.receivable_amount > 0.005
),

payments as (
    select
        as_of,
        customer_key,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > as_of - 90
        ) as delay_3m,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > as_of - 180 and due_date <= as_of - 90
        ) as delay_prev_3m,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > as_of - 365
        ) as delay_12m,
        coalesce(sum(open_amount) filter (where due_date < as_of and open_amount > 0.005), 0)
            as overdue_amount,
        count(*) filter (where due_date < as_of and open_amount > 0.005) as overdue_invoices,
        coalesce(max(date_diff('day', due_date, as_of)) filter (
            where due_date < as_of and open_amount > 0.005
        ), 0) as overdue_max_days,
        sum(credit_notes_12m) as credit_notes_12m
    from invoice_state
    group by as_of, customer_key
),

