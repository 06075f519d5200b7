-- The gross-profit part of the income statement per accounting period from the general
-- ledger (revenue 6001, cost of sales 6401, output VAT 2221.01.01), next to the same figures
-- summed from the invoice lines, so every month shows whether the ledger and the sub-ledger
-- agree.

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}
    where is_approved

),

ledger as (

    select * from {{ ref('int_finance__gl_monthly') }}

),

sub_ledger as (

    select
        invoice_month as period_month,
        sum(net_amount) as revenue,
        sum(cost_amount) as cost_of_sales,
        sum(tax_amount) as output_vat
    from invoice_lines
    group by invoice_month

),

months as (

    select period_month from ledger
    union
    select period_month from sub_ledger

),

final as (

    select
        cast(months.period_month as date) as period_month,
        cast(coalesce(ledger.revenue, 0) as decimal(18, 2)) as gl_revenue,
        cast(coalesce(ledger.cost_of_sales, 0) as decimal(18, 2)) as gl_cost_of_sales,
        cast(coalesce(ledger.revenue, 0) - coalesce(ledger.cost_of_sales, 0) as decimal(18, 2))
            as gl_gross_profit,
        cast(coalesce(ledger.output_vat, 0) as decimal(18, 2)) as gl_output_vat,
        cast(coalesce(sub_ledger.revenue, 0) as decimal(18, 2)) as invoice_net_revenue,
        cast(coalesce(sub_ledger.cost_of_sales, 0) as decimal(18, 2)) as invoice_cost_of_sales,
        cast(
            coalesce(sub_ledger.revenue, 0) - coalesce(sub_ledger.cost_of_sales, 0)
            as decimal(18, 2)
        ) as invoice_gross_margin,
        cast(coalesce(sub_ledger.output_vat, 0) as decimal(18, 2)) as invoice_output_vat,
        cast(coalesce(ledger.revenue, 0) - coalesce(sub_ledger.revenue, 0) as decimal(18, 2))
            as revenue_difference,
        cast(
            coalesce(ledger.cost_of_sales, 0) - coalesce(sub_ledger.cost_of_sales, 0)
            as decimal(18, 2)
        ) as cost_of_sales_difference,
        cast(
            coalesce(ledger.output_vat, 0) - coalesce(sub_ledger.output_vat, 0) as decimal(18, 2)
        ) as output_vat_difference,
        cast(
            coalesce(ledger.revenue, 0) = coalesce(sub_ledger.revenue, 0)
            and coalesce(ledger.cost_of_sales, 0) = coalesce(sub_ledger.cost_of_sales, 0)
            and coalesce(ledger.output_vat, 0) = coalesce(sub_ledger.output_vat, 0)
            as boolean
        ) as is_reconciled
    from months
    left join ledger
        on months.period_month = ledger.period_month
    left join sub_ledger
        on months.period_month = sub_ledger.period_month

)

select * from final
