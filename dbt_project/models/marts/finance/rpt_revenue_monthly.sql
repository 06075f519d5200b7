with

invoices as (

    select * from {{ ref('stg_erp__sales_invoices') }}

),

monthly as (

    select
        cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as revenue_month,
        count(distinct invoice_id) as invoice_count,
        count(distinct erp_customer_code) as customer_count,
        sum(net_amount) as net_revenue,
        sum(gross_amount) as gross_revenue
    from invoices
    group by 1

),

final as (

    select
        revenue_month,
        cast(invoice_count as bigint) as invoice_count,
        cast(customer_count as bigint) as customer_count,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue
    from monthly

)

select * from final
