-- Every opportunity as it stood at the end of the as-of date: only stage changes recorded on
-- or before that day count, so an opportunity won later is still open here, and one created
-- later does not exist yet. The latest change is the one with the highest id (the order the
-- CRM recorded them in; same-day changes may carry clock times in the other order).

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

opportunities as (

    select * from {{ ref('int_sales__opportunities') }}

),

known_changes as (

    select
        history.*,
        row_number() over (
            partition by history.opportunity_id
            order by history.stage_change_id desc
        ) as recency_rank
    from {{ ref('int_sales__opportunity_stage_history') }} as history
    cross join as_of
    where history.changed_date <= as_of.as_of_date

),

latest_change as (

    select * from known_changes
    where recency_rank = 1

),

final as (

    select
        as_of.as_of_date,
        opportunities.opportunity_id,
        opportunities.opportunity_name,
        opportunities.crm_customer_id,
        opportunities.customer_key,
        opportunities.channel,
        opportunities.sales_rep_id,
        opportunities.expected_amount_gross,
        opportunities.created_at,
        latest_change.stage_id,
        latest_change.stage_name,
        latest_change.stage_order,
        latest_change.stage_win_probability,
        latest_change.end_state,
        latest_change.end_state_name,
        latest_change.end_state = 0 as is_open,
        latest_change.end_state = 1 as is_won,
        latest_change.end_state = 2 as is_lost,
        latest_change.end_state = 3 as is_invalid,
        case when latest_change.is_closing_change then latest_change.changed_at end as closed_at,
        latest_change.changed_at as last_changed_at,
        {{ dbt.datediff('latest_change.changed_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_change
    from opportunities
    inner join latest_change
        on opportunities.opportunity_id = latest_change.opportunity_id
    cross join as_of

)

select * from final
