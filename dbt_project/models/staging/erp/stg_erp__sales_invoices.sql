{%- set erp_doc_statuses = {'A': 'created', 'B': 'in review', 'C': 'approved', 'D': 're-review'} -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='invoice_line_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_erp', 'sales_invoices') }}
    {{ landed_since_last_build() }}

),

latest as (

    -- a document re-sent in a later file replaces the earlier copy
    {{ latest_version('source', ['invoice_no', 'tax_rate_pct']) }}

),

renamed as (

    select
        cast(invoice_no as varchar) || '-' || cast(tax_rate_pct as varchar) as invoice_line_id,
        cast(invoice_no as varchar) as invoice_id,
        cast(tax_rate_pct as integer) as tax_rate_pct,
        cast(customer_code as varchar) as erp_customer_code,
        cast(customer_name as varchar) as customer_name,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(doc_status as varchar) as doc_status,
        cast(is_red_ink as varchar) as red_ink_flag,
        cast(original_invoice_no as varchar) as original_invoice_id,
        cast(source_order_no as varchar) as source_order_id,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(tax_amount as decimal(18, 2)) as tax_amount,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(cost_amount as decimal(18, 2)) as cost_amount,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        invoice_line_id,
        invoice_id,
        tax_rate_pct,
        erp_customer_code,
        customer_name,
        invoice_date,
        due_date,
        doc_status,
        {{ decode('doc_status', erp_doc_statuses) }} as doc_status_name,
        doc_status = 'C' as is_approved,
        -- 红字发票 decides; a negative amount marks a credit note in exports that lack the flag
        coalesce(red_ink_flag = '是', net_amount < 0) as is_credit_note,
        original_invoice_id,
        source_order_id,
        net_amount,
        tax_amount,
        gross_amount,
        cost_amount,
        source_file,
        loaded_at
    from renamed

)

select * from final
