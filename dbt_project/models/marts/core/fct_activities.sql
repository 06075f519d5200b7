-- The contracted face of int_sales__activities: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

activities as (

    select * from {{ ref('int_sales__activities') }}

),

final as (

    select
        activity_id,
        activity_kind,
        activity_kind_name,
        is_followup,
        entity_type_name,
        entity_id,
        opportunity_id,
        crm_customer_id,
        customer_key,
        category_name,
        sales_rep_id,
        created_at,
        activity_date,
        next_followup_at
    from activities

)

select * from final
