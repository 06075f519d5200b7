{%- set erp_doc_statuses = {'A': 'created', 'B': 'in review', 'C': 'approved', 'D': 're-review'} -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='order_line_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_erp', 'sales_orders') }}
    {{ landed_since_last_build() }}

),

latest as (

    -- keyed on order and line: a later version flipping 作废状态 replaces the earlier one
    {{ latest_version('source', ['order_no', 'line_no']) }}

),

renamed as (

    select
        cast(order_no as varchar) || '-' || cast(line_no as varchar) as order_line_id,
        cast(order_no as varchar) as order_id,
        cast(line_no as integer) as line_no,
        cast(order_date as date) as order_date,
        cast(doc_status as varchar) as doc_status,
        cast(cancel_status as varchar) as cancel_status,
        cast(customer_code as varchar) as erp_customer_code,
        cast(customer_name as varchar) as customer_name,
        cast(salesperson as varchar) as salesperson,
        cast(contract_no as varchar) as crm_contract_no,
        cast(product_code as varchar) as product_code,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(unit_price as decimal(18, 4)) as unit_price_net,
        cast(unit_price_gross as decimal(18, 4)) as unit_price_gross,
        cast(tax_rate_pct as integer) as tax_rate_pct,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(tax_amount as decimal(18, 2)) as tax_amount,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(delivery_date as date) as delivery_date,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        order_line_id,
        order_id,
        line_no,
        order_date,
        doc_status,
        {{ decode('doc_status', erp_doc_statuses) }} as doc_status_name,
        doc_status = 'C' as is_approved,
        cancel_status,
        {{ decode('cancel_status', {'A': 'normal', 'B': 'cancelled'}) }} as cancel_status_name,
        -- 作废 copies are soft deletes, not business
        cancel_status = 'B' as is_deleted,
        erp_customer_code,
        customer_name,
        salesperson,
        crm_contract_no,
        crm_contract_no is not null as has_crm_contract,
        product_code,
        quantity,
        quantity < 0 as is_return,
        unit_price_net,
        unit_price_gross,
        tax_rate_pct,
        net_amount,
        tax_amount,
        gross_amount,
        delivery_date,
        source_file,
        loaded_at
    from renamed

)

select * from final
