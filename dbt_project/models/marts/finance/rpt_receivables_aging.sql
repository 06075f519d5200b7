with

open_receivables as (

    select * from {{ ref('rpt_open_receivables') }}

),

by_customer as (

    select
        customer_key,
        min(region) as region,
        min(as_of_date) as as_of_date,
        count(*) as open_invoice_count,
        sum(case when aging_bucket = 'not_due' then open_amount else 0 end) as not_due_amount,
        sum(case when aging_bucket = '0-30' then open_amount else 0 end) as past_due_0_30_amount,
        sum(case when aging_bucket = '31-60' then open_amount else 0 end)
            as past_due_31_60_amount,
        sum(case when aging_bucket = '61-90' then open_amount else 0 end)
            as past_due_61_90_amount,
        sum(case when aging_bucket = '90+' then open_amount else 0 end)
            as past_due_over_90_amount,
        sum(open_amount) as open_amount,
        max(days_past_due) as max_days_past_due
    from open_receivables
    group by customer_key

),

final as (

    select
        cast(customer_key as varchar) as customer_key,
        cast(region as varchar) as region,
        cast(as_of_date as date) as as_of_date,
        cast(open_invoice_count as bigint) as open_invoice_count,
        cast(not_due_amount as decimal(18, 2)) as not_due_amount,
        cast(past_due_0_30_amount as decimal(18, 2)) as past_due_0_30_amount,
        cast(past_due_31_60_amount as decimal(18, 2)) as past_due_31_60_amount,
        cast(past_due_61_90_amount as decimal(18, 2)) as past_due_61_90_amount,
        cast(past_due_over_90_amount as decimal(18, 2)) as past_due_over_90_amount,
        cast(open_amount - not_due_amount as decimal(18, 2)) as past_due_amount,
        cast(open_amount as decimal(18, 2)) as open_amount,
        cast(max_days_past_due as integer) as max_days_past_due
    from by_customer

)

select * from final
