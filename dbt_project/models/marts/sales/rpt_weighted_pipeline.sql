-- Open pipeline at the as-of date per channel, rep and stage, weighted by the stage's win
-- probability (the CRM's stage rate): the revenue the open deals are expected to bring.

with

states as (

    select * from {{ ref('int_sales__opportunity_states') }}
    where is_open

),

grouped as (

    select
        as_of_date,
        channel,
        sales_rep_id,
        stage_id,
        max(stage_name) as stage_name,
        max(stage_order) as stage_order,
        max(stage_win_probability) as stage_win_probability,
        count(*) as open_count,
        sum(expected_amount_gross) as amount_gross,
        sum(expected_amount_gross * stage_win_probability) as weighted_amount_gross
    from states
    group by 1, 2, 3, 4

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        cast(channel as varchar) as channel,
        cast(sales_rep_id as bigint) as sales_rep_id,
        cast(stage_id as bigint) as stage_id,
        cast(stage_name as varchar) as stage_name,
        cast(stage_order as integer) as stage_order,
        cast(stage_win_probability as decimal(5, 4)) as stage_win_probability,
        cast(open_count as bigint) as open_count,
        cast(amount_gross as decimal(18, 2)) as amount_gross,
        cast(weighted_amount_gross as decimal(18, 2)) as weighted_amount_gross
    from grouped

)

select * from final
