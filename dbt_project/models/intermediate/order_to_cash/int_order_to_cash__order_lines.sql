with

order_lines as (

    select * from {{ ref('stg_erp__sales_orders') }}
    -- cancelled copies (作废) are soft deletes, not business
    where not is_deleted

),

customer_keys as (

    select
        source_record_id as erp_customer_code,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'erp'

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

products as (

    select * from {{ ref('stg_erp__products') }}

),

final as (

    select
        cast(order_lines.order_line_id as varchar) as order_line_id,
        cast(order_lines.order_id as varchar) as order_id,
        cast(order_lines.line_no as integer) as line_no,
        cast(order_lines.order_date as date) as order_date,
        cast({{ dbt.date_trunc('month', 'order_lines.order_date') }} as date) as order_month,
        cast(order_lines.doc_status_name as varchar) as doc_status,
        cast(order_lines.is_approved as boolean) as is_approved,
        cast(customer_keys.customer_key as varchar) as customer_key,
        cast(order_lines.erp_customer_code as varchar) as erp_customer_code,
        cast(customers.region as varchar) as region,
        cast(order_lines.crm_contract_no as varchar) as crm_contract_no,
        cast(order_lines.has_crm_contract as boolean) as has_crm_contract,
        cast(order_lines.product_code as varchar) as product_code,
        cast(order_lines.quantity as decimal(18, 4)) as quantity,
        cast(order_lines.is_return as boolean) as is_return,
        cast(order_lines.unit_price_net as decimal(18, 4)) as unit_price_net,
        cast(order_lines.unit_price_gross as decimal(18, 4)) as unit_price_gross,
        cast(order_lines.tax_rate_pct as integer) as tax_rate_pct,
        cast(order_lines.net_amount as decimal(18, 2)) as net_amount,
        cast(order_lines.tax_amount as decimal(18, 2)) as tax_amount,
        cast(order_lines.gross_amount as decimal(18, 2)) as gross_amount,
        cast(order_lines.quantity * products.unit_cost as decimal(18, 2)) as standard_cost_amount,
        cast(order_lines.delivery_date as date) as delivery_date
    from order_lines
    left join customer_keys
        on order_lines.erp_customer_code = customer_keys.erp_customer_code
    left join customers
        on order_lines.erp_customer_code = customers.erp_customer_code
    left join products
        on order_lines.product_code = products.product_code

)

select * from final
