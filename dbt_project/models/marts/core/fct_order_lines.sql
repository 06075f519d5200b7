-- The contracted face of int_order_to_cash__order_lines: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

order_lines as (

    select * from {{ ref('int_order_to_cash__order_lines') }}

),

final as (

    select
        order_line_id,
        order_id,
        line_no,
        order_date,
        order_month,
        doc_status,
        is_approved,
        customer_key,
        erp_customer_code,
        region,
        crm_contract_no,
        has_crm_contract,
        product_code,
        quantity,
        is_return,
        unit_price_net,
        unit_price_gross,
        tax_rate_pct,
        net_amount,
        tax_amount,
        gross_amount,
        standard_cost_amount,
        delivery_date
    from order_lines

)

select * from final
