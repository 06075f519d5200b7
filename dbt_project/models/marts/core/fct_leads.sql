-- The contracted face of int_sales__leads: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

leads as (

    select * from {{ ref('int_sales__leads') }}

),

final as (

    select
        lead_id,
        channel,
        source_label,
        utm_source,
        sales_rep_id,
        created_at,
        lead_date,
        is_converted,
        converted_at,
        converted_date,
        days_to_convert,
        crm_customer_id,
        customer_key
    from leads

)

select * from final
