{%- set erp_doc_statuses = {'A': 'created', 'B': 'in review', 'C': 'approved', 'D': 're-review'} -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='receipt_line_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_erp', 'receipts') }}
    {{ landed_since_last_build() }}

),

latest as (

    {{ latest_version('source', ['receipt_no', 'invoice_no']) }}

),

renamed as (

    select
        cast(receipt_no as varchar) || '-' || cast(invoice_no as varchar) as receipt_line_id,
        cast(receipt_no as varchar) as receipt_id,
        cast(receipt_date as date) as receipt_date,
        cast(customer_code as varchar) as erp_customer_code,
        cast(customer_name as varchar) as customer_name,
        cast(settlement_method as varchar) as settlement_method,
        cast(account_code as varchar) as account_code,
        cast(invoice_no as varchar) as invoice_id,
        cast(receivable_amount as decimal(18, 2)) as receivable_amount,
        cast(received_amount as decimal(18, 2)) as received_amount,
        cast(doc_status as varchar) as doc_status,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        receipt_line_id,
        receipt_id,
        receipt_date,
        erp_customer_code,
        customer_name,
        settlement_method,
        account_code,
        invoice_id,
        receivable_amount,
        received_amount,
        doc_status,
        {{ decode('doc_status', erp_doc_statuses) }} as doc_status_name,
        doc_status = 'C' as is_approved,
        source_file,
        loaded_at
    from renamed

)

select * from final
