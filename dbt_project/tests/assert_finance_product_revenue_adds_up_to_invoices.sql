-- Spreading invoices over products loses no fen: per month, the product report's net revenue,
-- gross amount and cost equal the approved invoice lines' totals. Returns the months that differ.

with

products as (

    select
        revenue_month,
        sum(net_revenue) as net_revenue,
        sum(gross_revenue) as gross_revenue,
        sum(cost_amount) as cost_amount
    from {{ ref('rpt_revenue_by_product_monthly') }}
    group by revenue_month

),

invoices as (

    select
        invoice_month as revenue_month,
        sum(net_amount) as net_revenue,
        sum(gross_amount) as gross_revenue,
        sum(cost_amount) as cost_amount
    from {{ ref('fct_invoice_lines') }}
    where is_approved
    group by invoice_month

)

select
    coalesce(products.revenue_month, invoices.revenue_month) as revenue_month,
    products.net_revenue as product_net_revenue,
    invoices.net_revenue as invoice_net_revenue
from products
full outer join invoices
    on products.revenue_month = invoices.revenue_month
where
    coalesce(products.net_revenue, 0) <> coalesce(invoices.net_revenue, 0)
    or coalesce(products.gross_revenue, 0) <> coalesce(invoices.gross_revenue, 0)
    or coalesce(products.cost_amount, 0) <> coalesce(invoices.cost_amount, 0)
