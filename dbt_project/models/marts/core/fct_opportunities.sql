-- The contracted face of int_sales__opportunities: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

opportunities as (

    select * from {{ ref('int_sales__opportunities') }}

),

final as (

    select
        opportunity_id,
        opportunity_name,
        crm_customer_id,
        customer_key,
        channel,
        sales_rep_id,
        stage_id,
        stage_name,
        stage_win_probability,
        end_state,
        end_state_name,
        is_open,
        is_won,
        is_lost,
        is_invalid,
        expected_amount_gross,
        created_at,
        created_date,
        closed_at,
        closed_date,
        deal_date,
        days_to_close,
        stage_change_count,
        last_changed_at
    from opportunities

)

select * from final
