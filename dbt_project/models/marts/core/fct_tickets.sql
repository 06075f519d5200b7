-- The contracted face of int_service__tickets: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

tickets as (

    select * from {{ ref('int_service__tickets') }}

),

final as (

    select
        ticket_id,
        ticket_no,
        crm_customer_id,
        customer_key,
        contact_id,
        category_name,
        priority,
        priority_name,
        status_name,
        is_resolved,
        sla_hours,
        created_at,
        ticket_date,
        first_response_at,
        resolved_at,
        first_response_hours,
        resolution_hours,
        is_within_sla,
        satisfaction_score,
        owner_user_id
    from tickets

)

select * from final
