-- Open opportunities at the as-of date whose stage has not changed for more than
-- stuck_after_days days (dbt var, default 90): the deals a manager should chase or close.

with

states as (

    select * from {{ ref('int_sales__opportunity_states') }}

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        cast({{ stuck_after_days() }} as integer) as stuck_after_days,
        cast(opportunity_id as bigint) as opportunity_id,
        cast(opportunity_name as varchar) as opportunity_name,
        cast(crm_customer_id as varchar) as crm_customer_id,
        cast(customer_key as varchar) as customer_key,
        cast(channel as varchar) as channel,
        cast(sales_rep_id as bigint) as sales_rep_id,
        cast(stage_id as bigint) as stage_id,
        cast(stage_name as varchar) as stage_name,
        cast(stage_win_probability as decimal(5, 4)) as stage_win_probability,
        cast(expected_amount_gross as decimal(18, 2)) as expected_amount_gross,
        cast(expected_amount_gross * stage_win_probability as decimal(18, 2))
            as weighted_amount_gross,
        cast(created_at as date) as created_date,
        cast(last_changed_at as timestamp) as last_changed_at,
        cast(days_since_last_change as bigint) as days_since_last_change
    from states
    where is_open and days_since_last_change > {{ stuck_after_days() }}

)

select * from final
