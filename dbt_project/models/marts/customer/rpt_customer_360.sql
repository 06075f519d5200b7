-- One row per golden customer: what finance, sales and service know about it at the as-of
-- date, side by side. Every figure counts only documents dated on or before the as-of date.

with

as_of as (

    select
        as_of_date,
        cast({{ dbt.dateadd('month', -12, 'as_of_date') }} as date) as t12m_after,
        cast({{ dbt.dateadd('day', -90, 'as_of_date') }} as date) as tickets_after,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as end_of_as_of_day
    from {{ ref('int_core__as_of_date') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

invoice_lines as (

    select invoice_lines.*
    from {{ ref('fct_invoice_lines') }} as invoice_lines
    cross join as_of
    where invoice_lines.is_approved and invoice_lines.invoice_date <= as_of.as_of_date

),

order_lines as (

    select order_lines.*
    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where order_lines.is_approved and order_lines.order_date <= as_of.as_of_date

),

revenue as (

    select
        invoice_lines.customer_key,
        sum(invoice_lines.net_amount) as lifetime_net_revenue,
        sum(invoice_lines.gross_margin_amount) as lifetime_gross_margin,
        sum(
            case
                when invoice_lines.invoice_date > as_of.t12m_after
                    then invoice_lines.net_amount
                else 0
            end
        ) as t12m_net_revenue,
        sum(
            case
                when invoice_lines.invoice_date > as_of.t12m_after
                    then invoice_lines.gross_margin_amount
                else 0
            end
        ) as t12m_gross_margin
    from invoice_lines
    cross join as_of
    group by invoice_lines.customer_key

),

orders as (

    select
        customer_key,
        count(distinct order_id) as order_count,
        sum(net_amount) as order_net_amount,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from order_lines
    group by customer_key

),

receivables as (

    select
        customer_key,
        sum(open_amount) as receivables_outstanding,
        sum(case when days_past_due > 0 then open_amount else 0 end) as receivables_overdue
    from {{ ref('rpt_open_receivables') }}
    group by customer_key

),

payment_delays as (

    select
        customer_key,
        sum(payment_delay_days) as total_payment_delay_days,
        count(*) as paid_invoice_count
    from {{ ref('rpt_invoice_payment_delay') }}
    where payment_delay_days is not null
    group by customer_key

),

pipeline as (

    select
        customer_key,
        count(*) as open_opportunity_count,
        sum(expected_amount_gross) as open_pipeline_gross,
        sum(expected_amount_gross * stage_win_probability) as weighted_pipeline_gross
    from {{ ref('int_sales__opportunity_states') }}
    where is_open
    group by customer_key

),

activities as (

    select
        activities.customer_key,
        max(activities.activity_date) as last_activity_date,
        max(case when activities.is_followup then activities.activity_date end)
            as last_followup_date
    from {{ ref('fct_activities') }} as activities
    cross join as_of
    where activities.activity_date <= as_of.as_of_date
    group by activities.customer_key

),

tickets as (

    select
        tickets.customer_key,
        count(*) as tickets_90d,
        sum(
            case
                when
                    tickets.resolved_at is not null
                    and cast(tickets.resolved_at as date) <= as_of.as_of_date
                    then case when tickets.is_within_sla then 0 else 1 end
                when
                    {{ dbt.datediff('tickets.created_at', 'as_of.end_of_as_of_day', 'hour') }}
                    > tickets.sla_hours
                    then 1
                else 0
            end
        ) as sla_breaches_90d
    from {{ ref('fct_tickets') }} as tickets
    cross join as_of
    where
        tickets.ticket_date <= as_of.as_of_date
        and tickets.ticket_date > as_of.tickets_after
    group by tickets.customer_key

),

contacts as (

    select * from {{ ref('int_customer__contact_consent') }}

),

joined as (

    select
        customers.customer_key,
        customers.customer_name,
        customers.customer_type,
        customers.region,
        customers.industry,
        customers.customer_level,
        customers.owner_user_id,
        reps.sales_rep_name as owner_name,
        customers.source_channel as acquisition_channel,
        customers.is_deleted,
        coalesce(revenue.lifetime_net_revenue, 0) as lifetime_net_revenue,
        coalesce(revenue.lifetime_gross_margin, 0) as lifetime_gross_margin,
        coalesce(revenue.t12m_net_revenue, 0) as t12m_net_revenue,
        coalesce(revenue.t12m_gross_margin, 0) as t12m_gross_margin,
        coalesce(orders.order_count, 0) as order_count,
        {{ divide_rounded('orders.order_net_amount', 'orders.order_count') }}
            as average_order_value,
        orders.first_order_date,
        orders.last_order_date,
        coalesce(receivables.receivables_outstanding, 0) as receivables_outstanding,
        coalesce(receivables.receivables_overdue, 0) as receivables_overdue,
        {{ divide_rounded(
            'payment_delays.total_payment_delay_days', 'payment_delays.paid_invoice_count'
        ) }} as avg_payment_delay_days,
        coalesce(payment_delays.paid_invoice_count, 0) as paid_invoice_count,
        coalesce(pipeline.open_opportunity_count, 0) as open_opportunity_count,
        coalesce(pipeline.open_pipeline_gross, 0) as open_pipeline_gross,
        coalesce(pipeline.weighted_pipeline_gross, 0) as weighted_pipeline_gross,
        activities.last_activity_date,
        activities.last_followup_date,
        coalesce(tickets.tickets_90d, 0) as tickets_90d,
        coalesce(tickets.sla_breaches_90d, 0) as sla_breaches_90d,
        case
            when coalesce(contacts.contact_count, 0) = 0 then 'no_contact'
            when contacts.consenting_contacts > 0 then 'consented'
            when contacts.unsubscribed_contacts > 0 then 'opted_out'
            else 'not_consented'
        end as consent_status,
        coalesce(contacts.consenting_contacts, 0) as consenting_contacts,
        customers.crm_record_count,
        customers.erp_record_count,
        customers.crm_record_keys,
        customers.erp_record_keys,
        as_of.as_of_date
    from customers
    cross join as_of
    left join {{ ref('dim_sales_rep') }} as reps
        on customers.owner_user_id = reps.sales_rep_id
    left join revenue on customers.customer_key = revenue.customer_key
    left join orders on customers.customer_key = orders.customer_key
    left join receivables on customers.customer_key = receivables.customer_key
    left join payment_delays on customers.customer_key = payment_delays.customer_key
    left join pipeline on customers.customer_key = pipeline.customer_key
    left join activities on customers.customer_key = activities.customer_key
    left join tickets on customers.customer_key = tickets.customer_key
    left join contacts on customers.customer_key = contacts.customer_key

),

final as (

    select
        cast(customer_key as varchar) as customer_key,
        cast(customer_name as varchar) as customer_name,
        cast(customer_type as varchar) as customer_type,
        cast(region as varchar) as region,
        cast(industry as varchar) as industry,
        cast(customer_level as varchar) as customer_level,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(owner_name as varchar) as owner_name,
        cast(acquisition_channel as varchar) as acquisition_channel,
        cast(is_deleted as boolean) as is_deleted,
        cast(lifetime_net_revenue as decimal(18, 2)) as lifetime_net_revenue,
        cast(lifetime_gross_margin as decimal(18, 2)) as lifetime_gross_margin,
        cast(t12m_net_revenue as decimal(18, 2)) as t12m_net_revenue,
        cast(t12m_gross_margin as decimal(18, 2)) as t12m_gross_margin,
        cast(order_count as bigint) as order_count,
        cast(average_order_value as decimal(18, 2)) as average_order_value,
        cast(first_order_date as date) as first_order_date,
        cast(last_order_date as date) as last_order_date,
        cast(receivables_outstanding as decimal(18, 2)) as receivables_outstanding,
        cast(receivables_overdue as decimal(18, 2)) as receivables_overdue,
        cast(avg_payment_delay_days as decimal(10, 2)) as avg_payment_delay_days,
        cast(paid_invoice_count as bigint) as paid_invoice_count,
        cast(open_opportunity_count as bigint) as open_opportunity_count,
        cast(open_pipeline_gross as decimal(18, 2)) as open_pipeline_gross,
        cast(weighted_pipeline_gross as decimal(18, 2)) as weighted_pipeline_gross,
        cast(last_activity_date as date) as last_activity_date,
        cast(last_followup_date as date) as last_followup_date,
        cast(tickets_90d as bigint) as tickets_90d,
        cast(sla_breaches_90d as bigint) as sla_breaches_90d,
        cast(consent_status as varchar) as consent_status,
        cast(consenting_contacts as bigint) as consenting_contacts,
        cast(crm_record_count as bigint) as crm_record_count,
        cast(erp_record_count as bigint) as erp_record_count,
        cast(crm_record_keys as varchar) as crm_record_keys,
        cast(erp_record_keys as varchar) as erp_record_keys,
        cast(as_of_date as date) as as_of_date
    from joined

)

select * from final
