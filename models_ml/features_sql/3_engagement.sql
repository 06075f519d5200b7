-- Part 3 of the churn feature query: follow-ups, tickets, pipeline and the final row per
-- customer and as-of date.
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

ticket_spans as (
    -- each ticket day is the customer's latest contact through service until its next
    select
        customer_key,
        ticket_date,
        lead(ticket_date) over (partition by customer_key order by ticket_date) as next_date
    from (
        select distinct
            customer_key,
            ticket_date
        from core.fct_tickets
        where customer_key is not null
    )
),

last_tickets as (
    select
        buyers.as_of,
        buyers.customer_key,
        ticket_spans.ticket_date as last_ticket_date
    from buyers
    inner join ticket_spans
        on
            buyers.customer_key = ticket_spans.customer_key
            and ticket_spans.ticket_date <= buyers.as_of
            and (ticket_spans.next_date is null or ticket_spans.next_date > buyers.as_of)
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
        last_tickets.last_ticket_date,
        -- the customer last heard from, by an order or a ticket: a ticket shows a live customer
        -- as much as an order does, so this carries that part and the ticket counts the trouble
        date_diff(
            'day',
            greatest(
                buyers.last_order_date,
                coalesce(last_tickets.last_ticket_date, buyers.last_order_date)
            ),
            buyers.as_of
        ) as days_since_contact,
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
    left join last_tickets
        on buyers.as_of = last_tickets.as_of
        and buyers.customer_key = last_tickets.customer_key
    left join pipeline
        on buyers.as_of = pipeline.as_of and buyers.customer_key = pipeline.customer_key
    left join core.dim_customer as customers on buyers.customer_key = customers.customer_key
)

select * from final
order by as_of_date, customer_key
