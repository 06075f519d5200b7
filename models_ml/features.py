"""Point-in-time customer features: how every buying customer stood on a given as-of date.

Every figure comes from the warehouse facts (``core.fct_*``) and uses only what was known on
the as-of date: orders, invoices, credit notes and receipts dated on or before it, follow-ups
and tickets created on or before it, and a ticket's SLA or an invoice's settlement judged by
what had happened by then (an invoice still open on the as-of date counts as open even when it
was paid a day later). Appending facts dated after the as-of date changes no feature
(``tests/models/test_features.py`` proves it). The descriptive attributes (region,
industry, acquisition channel) come from ``core.dim_customer``, which holds their current value.

The population is every golden customer with an approved order in the ``ACTIVE_DAYS`` before
the as-of date: customers quiet for longer are already lost, not a warning to give.

The churn model and the segment models share this module; ``NUMERIC_FEATURES`` and
``CATEGORY_FEATURES`` are the columns a model may learn from.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

ACTIVE_DAYS = 365
# Delays beyond this many days are one behaviour ("pays very late"); the cap keeps a few
# invoices forgotten for a year from dominating a customer's mean.
DELAY_CAP_DAYS = 90

FEATURES_SQL = """
with orders as (
    select
        customer_key,
        order_id,
        min(order_date) as order_date,
        sum(net_amount) as net_amount
    from core.fct_order_lines
    where is_approved and customer_key is not null and order_date <= $as_of
    group by customer_key, order_id
),

buyers as (
    select
        customer_key,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) filter (where order_date > $as_of - 90) as orders_3m,
        count(*) filter (
            where order_date > $as_of - 180 and order_date <= $as_of - 90
        ) as orders_prev_3m,
        count(*) filter (where order_date > $as_of - 365) as orders_12m,
        coalesce(sum(net_amount) filter (where order_date > $as_of - 90), 0) as value_3m,
        coalesce(sum(net_amount) filter (
            where order_date > $as_of - 180 and order_date <= $as_of - 90
        ), 0) as value_prev_3m,
        coalesce(sum(net_amount) filter (where order_date > $as_of - 365), 0) as value_12m
    from orders
    group by customer_key
    having max(order_date) > $as_of - $active_days
),

documents as (
    select
        receivable_invoice_id as invoice_id,
        any_value(customer_key) filter (where not is_credit_note) as customer_key,
        max(due_date) filter (where not is_credit_note) as due_date,
        sum(gross_amount) as receivable_amount,
        count(distinct invoice_id) filter (
            where is_credit_note and invoice_date > $as_of - 365
        ) as credit_notes_12m
    from core.fct_invoice_lines
    where is_approved and invoice_date <= $as_of
    group by receivable_invoice_id
),

receipts as (
    select
        invoice_id,
        sum(received_amount) as received_amount,
        max(receipt_date) as last_receipt_date
    from core.fct_receipt_allocations
    where is_approved and receipt_date <= $as_of
    group by invoice_id
),

invoice_state as (
    select
        documents.customer_key,
        documents.due_date,
        documents.credit_notes_12m,
        documents.receivable_amount - coalesce(receipts.received_amount, 0) as open_amount,
        case
            -- paid in full by the as-of date: the delay is known
            when documents.receivable_amount - coalesce(receipts.received_amount, 0) <= 0.005
                then date_diff('day', documents.due_date, receipts.last_receipt_date)
            -- still open after its due date: it is at least this late already
            when documents.due_date < $as_of
                then date_diff('day', documents.due_date, $as_of)
        end as known_delay_days
    from documents
    left join receipts on documents.invoice_id = receipts.invoice_id
    where documents.customer_key is not null and documents.receivable_amount > 0.005
),

payments as (
    select
        customer_key,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > $as_of - 90
        ) as delay_3m,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > $as_of - 180 and due_date <= $as_of - 90
        ) as delay_prev_3m,
        avg(least(greatest(known_delay_days, 0), $delay_cap)) filter (
            where due_date > $as_of - 365
        ) as delay_12m,
        coalesce(sum(open_amount) filter (where due_date < $as_of and open_amount > 0.005), 0)
            as overdue_amount,
        count(*) filter (where due_date < $as_of and open_amount > 0.005) as overdue_invoices,
        coalesce(max(date_diff('day', due_date, $as_of)) filter (
            where due_date < $as_of and open_amount > 0.005
        ), 0) as overdue_max_days,
        sum(credit_notes_12m) as credit_notes_12m
    from invoice_state
    group by customer_key
),

followups as (
    select
        customer_key,
        max(activity_date) as last_followup_date,
        count(*) filter (where activity_date > $as_of - 90) as followups_3m
    from core.fct_activities
    where is_followup and customer_key is not null and activity_date <= $as_of
    group by customer_key
),

tickets as (
    select
        customer_key,
        count(*) as tickets_3m,
        -- an SLA is known to be broken once its hours have passed without a resolution
        count(*) filter (
            where (resolved_at is not null and resolved_at <= $as_of_end
                and resolved_at > created_at + to_hours(sla_hours))
            or ((resolved_at is null or resolved_at > $as_of_end)
                and $as_of_end > created_at + to_hours(sla_hours))
        ) as sla_breaches_3m
    from core.fct_tickets
    where customer_key is not null and ticket_date > $as_of - 90 and ticket_date <= $as_of
    group by customer_key
),

pipeline as (
    select
        customer_key,
        count(*) as open_opportunities,
        coalesce(sum(expected_amount_gross), 0) as open_pipeline_amount
    from core.fct_opportunities
    where
        customer_key is not null
        and created_date <= $as_of
        and (closed_date is null or closed_date > $as_of)
    group by customer_key
),

final as (
    select
        buyers.customer_key,
        cast($as_of as date) as as_of_date,
        buyers.first_order_date,
        buyers.last_order_date,
        followups.last_followup_date,
        date_diff('day', buyers.last_order_date, $as_of) as days_since_last_order,
        date_diff('day', buyers.first_order_date, $as_of) as tenure_days,
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
        date_diff('day', coalesce(followups.last_followup_date, buyers.first_order_date), $as_of)
            as days_since_followup,
        coalesce(followups.followups_3m, 0) as followups_3m,
        coalesce(tickets.tickets_3m, 0) as tickets_3m,
        coalesce(tickets.sla_breaches_3m, 0) as sla_breaches_3m,
        coalesce(pipeline.open_opportunities, 0) as open_opportunities,
        cast(coalesce(pipeline.open_pipeline_amount, 0) as double) as open_pipeline_amount,
        coalesce(customers.region, 'unknown') as region,
        coalesce(customers.industry, 'unknown') as industry,
        coalesce(customers.source_channel, 'unknown') as channel,
        customers.owner_user_id
    from buyers
    left join payments on buyers.customer_key = payments.customer_key
    left join followups on buyers.customer_key = followups.customer_key
    left join tickets on buyers.customer_key = tickets.customer_key
    left join pipeline on buyers.customer_key = pipeline.customer_key
    left join core.dim_customer as customers on buyers.customer_key = customers.customer_key
)

select * from final
order by customer_key
"""

NUMERIC_FEATURES = (
    "days_since_last_order",
    "tenure_days",
    "orders_3m",
    "orders_prev_3m",
    "orders_12m",
    "log_value_3m",
    "log_value_prev_3m",
    "log_value_12m",
    "order_trend",
    "delay_3m",
    "delay_prev_3m",
    "delay_12m",
    "delay_trend",
    "log_overdue_amount",
    "overdue_invoices",
    "overdue_max_days",
    "credit_notes_12m",
    "days_since_followup",
    "followups_3m",
    "tickets_3m",
    "sla_breaches_3m",
    "open_opportunities",
    "log_open_pipeline",
)
CATEGORY_FEATURES = ("region", "industry", "channel")


def query_features(con, as_of: dt.date) -> pl.DataFrame:
    """Raw point-in-time features of every customer active in the year before ``as_of``."""
    as_of_end = dt.datetime.combine(as_of, dt.time.max)
    params = {
        "as_of": as_of,
        "as_of_end": as_of_end,
        "active_days": ACTIVE_DAYS,
        "delay_cap": DELAY_CAP_DAYS,
    }
    return con.sql(FEATURES_SQL, params=params).pl()


def derive_features(raw: pl.DataFrame) -> pl.DataFrame:
    """Model-ready columns from :func:`query_features`'s frame (a pure function).

    Money is taken as ``log1p`` so a large customer does not dominate a linear model; a missing
    delay (no invoice due in the window) is the customer's longer-run delay, else 0; trends are
    differences of the last 3 months against the 3 before.
    """
    delay_12m = pl.col("delay_12m").fill_null(0.0)
    return raw.with_columns(
        pl.col("delay_3m").fill_null(delay_12m).alias("delay_3m"),
        pl.col("delay_prev_3m").fill_null(delay_12m).alias("delay_prev_3m"),
        delay_12m.alias("delay_12m"),
    ).with_columns(
        (pl.col("delay_3m") - pl.col("delay_prev_3m")).alias("delay_trend"),
        (pl.col("orders_3m") - pl.col("orders_prev_3m")).cast(pl.Float64).alias("order_trend"),
        *(
            pl.col(source).clip(lower_bound=0).log1p().alias(f"log_{source}")
            for source in ("value_3m", "value_prev_3m", "value_12m", "overdue_amount")
        ),
        pl.col("open_pipeline_amount").clip(lower_bound=0).log1p().alias("log_open_pipeline"),
    )


def customer_features(con, as_of: dt.date) -> pl.DataFrame:
    """Point-in-time features of every active buying customer on ``as_of`` (one row each)."""
    return derive_features(query_features(con, as_of))
