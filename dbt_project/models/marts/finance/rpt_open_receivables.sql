with

settlement as (

    select * from {{ ref('int_finance__invoice_settlement') }}
    where not is_settled

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
        cast(days_past_due as integer) as days_past_due,
        cast(aging_bucket as varchar) as aging_bucket
    from settlement

)

select * from final
