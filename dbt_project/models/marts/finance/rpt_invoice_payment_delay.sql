with

settlement as (

    select * from {{ ref('int_finance__invoice_settlement') }}

),

final as (

    select
        cast(invoice_id as varchar) as invoice_id,
        cast(customer_key as varchar) as customer_key,
        cast(erp_customer_code as varchar) as erp_customer_code,
        cast(region as varchar) as region,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(as_of_date as date) as as_of_date,
        cast(receivable_gross_amount as decimal(18, 2)) as receivable_gross_amount,
        cast(received_amount as decimal(18, 2)) as received_amount,
        cast(open_amount as decimal(18, 2)) as open_amount,
        cast(receipt_count as bigint) as receipt_count,
        cast(settlement_status as varchar) as settlement_status,
        cast(settled_date as date) as settled_date,
        cast(payment_delay_days as integer) as payment_delay_days,
        cast(days_to_pay as integer) as days_to_pay,
        cast(payment_delay_days > 0 as boolean) as is_paid_late,
        cast(days_past_due as integer) as days_past_due
    from settlement

)

select * from final
