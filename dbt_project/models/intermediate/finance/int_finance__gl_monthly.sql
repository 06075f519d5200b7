-- The general ledger's gross-profit accounts per accounting period: revenue (6001), cost of
-- sales (6401) and output VAT (2221.01.01), each signed the way the income statement reads it.

with

final as (

    select
        fiscal_month as period_month,
        sum(case when account_code = '6001' then credit_amount - debit_amount else 0 end)
            as revenue,
        sum(case when account_code = '6401' then debit_amount - credit_amount else 0 end)
            as cost_of_sales,
        sum(case when account_code = '2221.01.01' then credit_amount - debit_amount else 0 end)
            as output_vat
    from {{ ref('stg_erp__gl_entries') }}
    group by fiscal_month

)

select * from final
