with

product_shares as (

    -- each share carries its document's month, customer and approval, so the report needs
    -- no second read of the invoice lines
    select * from {{ ref('int_finance__invoice_line_products') }}
    where is_approved

),

products as (

    select * from {{ ref('dim_product') }}

),

monthly as (

    select
        product_shares.invoice_month as revenue_month,
        product_shares.product_code,
        count(distinct product_shares.invoice_id) as invoice_count,
        count(distinct product_shares.erp_customer_code) as customer_count,
        sum(product_shares.net_amount) as net_revenue,
        sum(product_shares.gross_amount) as gross_revenue,
        sum(product_shares.cost_amount) as cost_amount
    from product_shares
    group by product_shares.invoice_month, product_shares.product_code

),

final as (

    select
        cast(monthly.revenue_month as date) as revenue_month,
        cast(monthly.product_code as varchar) as product_code,
        cast(products.product_name as varchar) as product_name,
        cast(products.product_group as varchar) as product_group,
        cast(products.product_type as varchar) as product_type,
        cast(monthly.invoice_count as bigint) as invoice_count,
        cast(monthly.customer_count as bigint) as customer_count,
        cast(monthly.net_revenue as decimal(18, 2)) as net_revenue,
        cast(monthly.gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(monthly.cost_amount as decimal(18, 2)) as cost_amount,
        cast(monthly.net_revenue - monthly.cost_amount as decimal(18, 2)) as gross_margin_amount,
        cast(
            {{ divide_rounded(
                'cast(monthly.net_revenue as decimal(18, 2))'
                ~ ' - cast(monthly.cost_amount as decimal(18, 2))',
                'cast(monthly.net_revenue as decimal(18, 2))',
                4
            ) }}
            as decimal(9, 4)
        ) as gross_margin_pct
    from monthly
    left join products
        on monthly.product_code = products.product_code

)

select * from final
