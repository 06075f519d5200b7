with

source as (

    select * from {{ source('raw_erp', 'sales_invoices') }}

),

latest as (

    -- a document re-sent in a later file replaces the earlier copy
    select
        *,
        row_number() over (
            partition by invoice_no, tax_rate_pct order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        cast(invoice_no as varchar) || '-' || cast(tax_rate_pct as varchar) as invoice_line_id,
        cast(invoice_no as varchar) as invoice_id,
        cast(tax_rate_pct as integer) as tax_rate_pct,
        cast(customer_code as varchar) as erp_customer_code,
        cast(invoice_date as date) as invoice_date,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(tax_amount as decimal(18, 2)) as tax_amount,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        net_amount < 0 as is_credit_note,
        _file as source_file
    from latest
    where version_rank = 1

)

select * from renamed
