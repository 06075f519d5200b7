-- ERP sales orders at order grain (the lines summed), the unit the order-to-cash checks match
-- CRM contracts against. Cancelled copies are already gone in int_order_to_cash__order_lines.

with

order_lines as (

    select * from {{ ref('int_order_to_cash__order_lines') }}

),

final as (

    select
        order_id,
        min(order_date) as order_date,
        min(customer_key) as customer_key,
        min(erp_customer_code) as erp_customer_code,
        min(region) as region,
        -- one order carries one contract number on every line
        min(crm_contract_no) as crm_contract_no,
        min(case when is_approved then 1 else 0 end) = 1 as is_approved,
        count(*) as line_count,
        sum(net_amount) as net_amount,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_amount
    from order_lines
    group by order_id

)

select * from final
