-- The aging buckets of every customer add up to its open balance, and the customers' open
-- balances add up to the open invoices'. Returns the customers (or the total) that differ.

with

aging as (

    select * from {{ ref('rpt_receivables_aging') }}

),

open_invoices as (

    select sum(open_amount) as open_amount from {{ ref('rpt_open_receivables') }}

)

select
    customer_key,
    open_amount,
    not_due_amount + past_due_0_30_amount + past_due_31_60_amount + past_due_61_90_amount
    + past_due_over_90_amount as bucket_total
from aging
where
    open_amount
    <> not_due_amount + past_due_0_30_amount + past_due_31_60_amount + past_due_61_90_amount
    + past_due_over_90_amount

union all

select
    'all customers' as customer_key,
    open_invoices.open_amount,
    (select sum(aging.open_amount) from aging) as bucket_total
from open_invoices
where open_invoices.open_amount <> (select sum(aging.open_amount) from aging)
