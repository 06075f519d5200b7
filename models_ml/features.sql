-- One pass for any number of as-of dates: every CTE carries ``as_of`` as a column, so the facts
-- are read and pre-aggregated once and each fact is joined only to the cutoffs it can affect.
-- Results are identical to running the single-date query once per date.
with cutoffs as (
    select
        cast(unnest($cutoffs) as date) as as_of
),

cutoff_ends as (
    -- the last instant of the as-of day: events stamped during it were known
    select
        as_of,
        cast(as_of as timestamp) + interval 1 day - interval 1 microsecond as as_of_end
    from cutoffs
),

order_days as (
    -- lines of one order on one date, once for every cutoff
    select
        customer_key,
        order_id,
        order_date,
        sum(net_amount) as net_amount
    from core.fct_order_lines
    where is_approved and customer_key is not null
    group by customer_key, order_id, order_date
),

whole_orders as (
    select
        customer_key,
        order_id,
        min(order_date) as order_date,
        max(order_date) as last_line_date,
        sum(net_amount) as net_amount
    from order_days
    group by customer_key, order_id
),

first_orders as (
    select
        customer_key,
        min(order_date) as first_order_date
    from whole_orders
    group by customer_key
),

orders as (
    -- an active buyer has an order in the window; earlier orders only set its first order date.
    -- An order dated on one day is the same at every cutoff after it ...
    select
        cutoffs.as_of,
        whole_orders.customer_key,
        whole_orders.order_date,
        whole_orders.net_amount
    from cutoffs
    inner join whole_orders
        on
            whole_orders.last_line_date <= cutoffs.as_of
            and whole_orders.order_date > cutoffs.as_of - greatest($active_days, 365)
    union all
    -- ... one whose lines span days counts only the lines dated by the cutoff
    select
        cutoffs.as_of,
        order_days.customer_key,
        min(order_days.order_date) as order_date,
        sum(order_days.net_amount) as net_amount
    from cutoffs
    inner join whole_orders
        on
            whole_orders.order_date <= cutoffs.as_of
            and whole_orders.last_line_date > cutoffs.as_of
            and whole_orders.order_date > cutoffs.as_of - greatest($active_days, 365)
    inner join order_days
        on
            whole_orders.customer_key = order_days.customer_key
            and whole_orders.order_id = order_days.order_id
            and order_days.order_date <= cutoffs.as_of
    group by cutoffs.as_of, order_days.customer_key, order_days.order_id
),

buyers as (
    select
        orders.as_of,
        orders.customer_key,
        any_value(first_orders.first_order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) filter (where orders.order_date > orders.as_of - 90) as orders_3m,
        count(*) filter (
            where orders.order_date > orders.as_of - 180 and orders.order_date <= orders.as_of - 90
        ) as orders_prev_3m,
        count(*) filter (where orders.order_date > orders.as_of - 365) as orders_12m,
        coalesce(sum(orders.net_amount) filter (where orders.order_date > orders.as_of - 90), 0)
            as value_3m,
        coalesce(sum(orders.net_amount) filter (
            where orders.order_date > orders.as_of - 180 and orders.order_date <= orders.as_of - 90
        ), 0) as value_prev_3m,
        coalesce(sum(orders.net_amount) filter (where orders.order_date > orders.as_of - 365), 0)
            as value_12m
    from orders
    inner join first_orders on orders.customer_key = first_orders.customer_key
    group by orders.as_of, orders.customer_key
    having max(orders.order_date) > orders.as_of - $active_days
),

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

followup_days as (
    select
        customer_key,
        activity_date,
        count(*) as followups
    from core.fct_activities
    where is_followup and customer_key is not null
    group by customer_key, activity_date
),

followup_spans as (
    -- each follow-up day is the latest one until the customer's next
    select
        customer_key,
        activity_date,
        lead(activity_date) over (partition by customer_key order by activity_date) as next_date
    from followup_days
),

last_followups as (
    select
        buyers.as_of,
        buyers.customer_key,
        followup_spans.activity_date as last_followup_date
    from buyers
    inner join followup_spans
        on
            buyers.customer_key = followup_spans.customer_key
            and followup_spans.activity_date <= buyers.as_of
            and (followup_spans.next_date is null or followup_spans.next_date > buyers.as_of)
),

recent_followups as (
    select
        cutoffs.as_of,
        followup_days.customer_key,
        cast(sum(followup_days.followups) as bigint) as followups_3m
    from cutoffs
    inner join followup_days
        on
            followup_days.activity_date <= cutoffs.as_of
            and followup_days.activity_date > cutoffs.as_of - 90
    group by cutoffs.as_of, followup_days.customer_key
),

tickets as (
    select
        cutoff_ends.as_of,
        tickets.customer_key,
        count(*) as tickets_3m,
        -- an SLA is known to be broken once its hours have passed without a resolution
        count(*) filter (
            where (tickets.resolved_at is not null and tickets.resolved_at <= cutoff_ends.as_of_end
                and tickets.resolved_at > tickets.created_at + to_hours(tickets.sla_hours))
            or ((tickets.resolved_at is null or tickets.resolved_at > cutoff_ends.as_of_end)
                and cutoff_ends.as_of_end > tickets.created_at + to_hours(tickets.sla_hours))
        ) as sla_breaches_3m
    from cutoff_ends
    inner join core.fct_tickets as tickets
        on
            tickets.ticket_date > cutoff_ends.as_of - 90
            and tickets.ticket_date <= cutoff_ends.as_of
    where tickets.customer_key is not null
    group by cutoff_ends.as_of, tickets.customer_key
),

pipeline as (
    select
        cutoffs.as_of,
        opportunities.customer_key,
        count(*) as open_opportunities,
        coalesce(sum(opportunities.expected_amount_gross), 0) as open_pipeline_amount
    from cutoffs
    inner join core.fct_opportunities as opportunities
        on opportunities.created_date <= cutoffs.as_of
    where
        opportunities.customer_key is not null
        and (opportunities.closed_date is null or opportunities.closed_date > cutoffs.as_of)
    group by cutoffs.as_of, opportunities.customer_key
),

final as (
    select
        buyers.customer_key,
        buyers.as_of as as_of_date,
        buyers.first_order_date,
        buyers.last_order_date,
        last_followups.last_followup_date,
        date_diff('day', buyers.last_order_date, buyers.as_of) as days_since_last_order,
        date_diff('day', buyers.first_order_date, buyers.as_of) as tenure_days,
        buyers.orders_3m,
        buyers.orders_prev_3m,
        buyers.orders_12m,
        cast(buyers.value_3m as double) as value_3m,
        cast(buyers.value_prev_3m as double) as value_prev_3m,
        cast(buyers.value_12m as double) as value_12m,
        payments.delay_3m,
        payments.delay_prev_3m,
        payments.delay_12m,
        cast(coalesce(payments.overdue_amount, 0) as double) as overdue_amount,
        coalesce(payments.overdue_invoices, 0) as overdue_invoices,
        coalesce(payments.overdue_max_days, 0) as overdue_max_days,
        coalesce(payments.credit_notes_12m, 0) as credit_notes_12m,
        -- never followed up: as long as the customer has bought from us
        date_diff(
            'day',
            coalesce(last_followups.last_followup_date, buyers.first_order_date),
            buyers.as_of
        ) as days_since_followup,
        coalesce(recent_followups.followups_3m, 0) as followups_3m,
        coalesce(tickets.tickets_3m, 0) as tickets_3m,
        coalesce(tickets.sla_breaches_3m, 0) as sla_breaches_3m,
        coalesce(pipeline.open_opportunities, 0) as open_opportunities,
        cast(coalesce(pipeline.open_pipeline_amount, 0) as double) as open_pipeline_amount,
        coalesce(customers.region, 'unknown') as region,
        coalesce(customers.industry, 'unknown') as industry,
        coalesce(customers.source_channel, 'unknown') as channel,
        customers.owner_user_id
    from buyers
    left join payments
        on buyers.as_of = payments.as_of and buyers.customer_key = payments.customer_key
    left join last_followups
        on buyers.as_of = last_followups.as_of
        and buyers.customer_key = last_followups.customer_key
    left join recent_followups
        on buyers.as_of = recent_followups.as_of
        and buyers.customer_key = recent_followups.customer_key
    left join tickets
        on buyers.as_of = tickets.as_of and buyers.customer_key = tickets.customer_key
    left join pipeline
        on buyers.as_of = pipeline.as_of and buyers.customer_key = pipeline.customer_key
    left join core.dim_customer as customers on buyers.customer_key = customers.customer_key
)

select * from final
order by as_of_date, customer_key
