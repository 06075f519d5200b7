-- The span the calendar (dim_date) covers: from 1 January of the year of the first order,
-- invoice or receipt to the later of the last due date, the last receipt and the as-of date.
-- Cancelled orders count: a date the ERP shows must be in the calendar.

with

bounds_source as (

    select
        min(order_date) as first_day,
        max(order_date) as last_day
    from {{ ref('stg_erp__sales_orders') }}

    union all

    select
        min(invoice_date) as first_day,
        max(due_date) as last_day
    from {{ ref('stg_erp__sales_invoices') }}

    union all

    select
        min(receipt_date) as first_day,
        max(receipt_date) as last_day
    from {{ ref('stg_erp__receipts') }}

    union all

    select
        as_of_date as first_day,
        as_of_date as last_day
    from {{ ref('int_core__as_of_date') }}

),

final as (

    select
        cast({{ dbt.date_trunc('year', 'min(first_day)') }} as date) as start_date,
        max(last_day) as end_date
    from bounds_source

)

select * from final
