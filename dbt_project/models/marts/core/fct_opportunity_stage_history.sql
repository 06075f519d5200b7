-- The contracted face of int_sales__opportunity_stage_history: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

opportunity_stage_history as (

    select * from {{ ref('int_sales__opportunity_stage_history') }}

),

final as (

    select
        stage_change_id,
        opportunity_id,
        change_sequence,
        stage_id,
        stage_name,
        stage_order,
        stage_win_probability,
        end_state,
        end_state_name,
        is_closing_change,
        changed_at,
        changed_date,
        next_changed_at,
        days_to_next_change,
        is_latest_change,
        changed_by_user_id
    from opportunity_stage_history

)

select * from final
