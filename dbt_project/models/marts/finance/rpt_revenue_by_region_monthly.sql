with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}
    where is_approved

),

monthly as (

    select
        invoice_month as revenue_month,
        region,
        count(distinct invoice_id) as invoice_count,
        count(distinct erp_customer_code) as customer_count,
        sum(net_amount) as net_revenue,
        sum(gross_amount) as gross_revenue,
        sum(cost_amount) as cost_amount
    from invoice_lines
    group by invoice_month, region

),

final as (

    select
        cast(revenue_month as date) as revenue_month,
        cast(region as varchar) as region,
        cast(invoice_count as bigint) as invoice_count,
        cast(customer_count as bigint) as customer_count,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(cost_amount as decimal(18, 2)) as cost_amount,
        cast(net_revenue - cost_amount as decimal(18, 2)) as gross_margin_amount,
        cast({{ divide_rounded('net_revenue - cost_amount', 'net_revenue', 4) }} as decimal(9, 4))
            as gross_margin_pct
    from monthly

)

select * from final
