{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='gl_entry_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_erp', 'gl_entries') }}
    {{ landed_since_last_build() }}

),

latest as (

    {{ latest_version('source', ['voucher_no', 'entry_no']) }}

),

renamed as (

    select
        cast(voucher_no as varchar) || '-' || cast(entry_no as varchar) as gl_entry_id,
        cast(voucher_no as varchar) as voucher_id,
        cast(entry_no as integer) as entry_no,
        cast(voucher_date as date) as voucher_date,
        cast(fiscal_period as varchar) as fiscal_period,
        cast(summary as varchar) as entry_summary,
        cast(account_code as varchar) as account_code,
        cast(account_name as varchar) as account_name,
        cast(coalesce(debit_amount, 0) as decimal(18, 2)) as debit_amount,
        cast(coalesce(credit_amount, 0) as decimal(18, 2)) as credit_amount,
        cast(party_code as varchar) as erp_customer_code,
        cast(source_doc_type as varchar) as source_doc_type,
        cast(source_doc_no as varchar) as source_doc_id,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        gl_entry_id,
        voucher_id,
        entry_no,
        voucher_date,
        fiscal_period,
        cast(fiscal_period || '-01' as date) as fiscal_month,
        entry_summary,
        account_code,
        account_name,
        debit_amount,
        credit_amount,
        debit_amount - credit_amount as net_debit_amount,
        erp_customer_code,
        source_doc_type,
        {{ decode('source_doc_type', {'销售发票': 'sales invoice', '收款单': 'receipt'}) }}
            as source_doc_type_name,
        source_doc_id,
        source_file,
        loaded_at
    from renamed

)

select * from final
