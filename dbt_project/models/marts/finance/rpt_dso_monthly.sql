-- Days sales outstanding at every month end up to the as-of date (the as-of month ends at the
-- as-of date itself): receivables owed at that day / gross sales of the 90 days up to it * 90.
-- Only documents dated on or before the as-of date count.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

documents as (

    select
        invoice_lines.invoice_date as document_date,
        invoice_lines.gross_amount
    from {{ ref('fct_invoice_lines') }} as invoice_lines
    cross join as_of
    where
        invoice_lines.is_approved
        and invoice_lines.invoice_date <= as_of.as_of_date

),

receipts as (

    select
        receipts.receipt_date,
        receipts.received_amount
    from {{ ref('fct_receipt_allocations') }} as receipts
    cross join as_of
    where
        receipts.is_approved
        and receipts.receipt_date <= as_of.as_of_date

),

period_ends as (

    select distinct
        calendar.month_start_date,
        case
            when calendar.month_end_date > as_of.as_of_date then as_of.as_of_date
            else calendar.month_end_date
        end as period_end_date,
        calendar.month_end_date > as_of.as_of_date as is_partial_month
    from {{ ref('dim_date') }} as calendar
    cross join as_of
    where
        calendar.date_day <= as_of.as_of_date
        and calendar.date_day >= (select min(documents.document_date) from documents)

),

invoiced as (

    select
        period_ends.period_end_date,
        sum(documents.gross_amount) as invoiced_to_date,
        sum(
            case
                when documents.document_date >= period_ends.month_start_date
                    then documents.gross_amount
                else 0
            end
        ) as invoiced_in_month,
        sum(
            case
                when
                    documents.document_date
                    > cast({{ dbt.dateadd('day', '-90', 'period_ends.period_end_date') }} as date)
                    then documents.gross_amount
                else 0
            end
        ) as invoiced_last_90_days
    from period_ends
    inner join documents
        on period_ends.period_end_date >= documents.document_date
    group by period_ends.period_end_date

),

received as (

    select
        period_ends.period_end_date,
        sum(receipts.received_amount) as received_to_date,
        sum(
            case
                when receipts.receipt_date >= period_ends.month_start_date
                    then receipts.received_amount
                else 0
            end
        ) as received_in_month
    from period_ends
    inner join receipts
        on period_ends.period_end_date >= receipts.receipt_date
    group by period_ends.period_end_date

),

final as (

    select
        cast(period_ends.month_start_date as date) as period_month,
        cast(period_ends.period_end_date as date) as period_end_date,
        cast(period_ends.is_partial_month as boolean) as is_partial_month,
        cast(coalesce(invoiced.invoiced_in_month, 0) as decimal(18, 2)) as invoiced_gross_amount,
        cast(coalesce(received.received_in_month, 0) as decimal(18, 2)) as received_amount,
        cast(
            coalesce(invoiced.invoiced_to_date, 0) - coalesce(received.received_to_date, 0)
            as decimal(18, 2)
        ) as receivables_balance,
        cast(coalesce(invoiced.invoiced_last_90_days, 0) as decimal(18, 2))
            as gross_sales_last_90_days,
        cast(
            {{ divide_rounded(
                '(coalesce(invoiced.invoiced_to_date, 0)'
                ~ ' - coalesce(received.received_to_date, 0)) * 90',
                'invoiced.invoiced_last_90_days',
                1
            ) }}
            as decimal(10, 1)
        ) as dso_days
    from period_ends
    left join invoiced
        on period_ends.period_end_date = invoiced.period_end_date
    left join received
        on period_ends.period_end_date = received.period_end_date

)

select * from final
