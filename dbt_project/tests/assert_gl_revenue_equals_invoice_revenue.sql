-- The general ledger's revenue (6001) and cost of sales (6401) equal the approved invoice
-- lines' net amounts and costs in every month, within the var reconciliation_tolerance
-- (dbt_project.yml). Computed from the ledger and the invoice fact directly, not from
-- rpt_pnl_monthly. Returns the months that disagree. An
-- extract without a general ledger (none landed) has nothing to reconcile.

with

gl as (

    select
        fiscal_month as period_month,
        sum(case when account_code = '6001' then credit_amount - debit_amount else 0 end)
            as gl_revenue,
        sum(case when account_code = '6401' then debit_amount - credit_amount else 0 end)
            as gl_cost_of_sales
    from {{ ref('stg_erp__gl_entries') }}
    group by fiscal_month

),

invoices as (

    select
        invoice_month as period_month,
        sum(net_amount) as invoice_revenue,
        sum(cost_amount) as invoice_cost_of_sales
    from {{ ref('fct_invoice_lines') }}
    where is_approved
    group by invoice_month

),

compared as (

    select
        coalesce(gl.period_month, invoices.period_month) as period_month,
        coalesce(gl.gl_revenue, 0) as gl_revenue,
        coalesce(invoices.invoice_revenue, 0) as invoice_revenue,
        coalesce(gl.gl_cost_of_sales, 0) as gl_cost_of_sales,
        coalesce(invoices.invoice_cost_of_sales, 0) as invoice_cost_of_sales
    from gl
    full outer join invoices
        on gl.period_month = invoices.period_month

)

select *
from compared
where
    exists (select 1 from gl)
    and (
        abs(gl_revenue - invoice_revenue) > {{ var('reconciliation_tolerance') }}
        or abs(gl_cost_of_sales - invoice_cost_of_sales) > {{ var('reconciliation_tolerance') }}
    )
