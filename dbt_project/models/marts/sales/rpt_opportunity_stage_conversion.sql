-- Per channel and opportunity stage at the as-of date: how many opportunities entered the
-- stage, how many went on to a later stage or were won, and how long they stayed in it.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

states as (

    select * from {{ ref('int_sales__opportunity_states') }}

),

known_entries as (

    -- stage entries recorded on or before the as-of date (closing changes are not entries)
    select
        history.opportunity_id,
        history.stage_id,
        history.stage_name,
        history.stage_order,
        -- a stay counts once it has ended by the as-of date
        case
            when cast(history.next_changed_at as date) <= as_of.as_of_date
                then history.days_to_next_change
        end as days_in_stage,
        max(history.stage_order) over (partition by history.opportunity_id) as max_stage_order
    from {{ ref('fct_opportunity_stage_history') }} as history
    cross join as_of
    where history.changed_date <= as_of.as_of_date and not history.is_closing_change

),

entries as (

    select
        states.channel,
        states.is_won,
        states.is_open,
        known_entries.*
    from known_entries
    inner join states
        on known_entries.opportunity_id = states.opportunity_id

),

per_stage as (

    select
        channel,
        stage_id,
        max(stage_name) as stage_name,
        max(stage_order) as stage_order,
        count(distinct opportunity_id) as entered_count,
        count(distinct case when max_stage_order > stage_order then opportunity_id end)
            as advanced_count,
        count(distinct case when is_won then opportunity_id end) as won_count,
        count(distinct case when is_open then opportunity_id end) as open_count,
        count(days_in_stage) as completed_stay_count,
        sum(days_in_stage) as total_days_in_stage,
        percentile_cont(0.5) within group (order by days_in_stage) as median_days_in_stage
    from entries
    group by channel, stage_id

),

final as (

    select
        as_of.as_of_date,
        cast(per_stage.channel as varchar) as channel,
        cast(per_stage.stage_id as bigint) as stage_id,
        cast(per_stage.stage_name as varchar) as stage_name,
        cast(per_stage.stage_order as integer) as stage_order,
        cast(per_stage.entered_count as bigint) as entered_count,
        cast(per_stage.advanced_count as bigint) as advanced_count,
        cast(per_stage.won_count as bigint) as won_count,
        cast(per_stage.open_count as bigint) as open_count,
        cast(
            {{ divide_rounded('per_stage.advanced_count', 'per_stage.entered_count', 4) }}
            as decimal(9, 4)
        ) as advance_rate,
        cast(
            {{ divide_rounded('per_stage.won_count', 'per_stage.entered_count', 4) }}
            as decimal(9, 4)
        ) as win_rate_from_stage,
        cast(per_stage.completed_stay_count as bigint) as completed_stay_count,
        cast(
            case
                when per_stage.completed_stay_count > 0
                    then {{ divide_rounded('per_stage.total_days_in_stage',
                                          'per_stage.completed_stay_count', 1) }}
            end as decimal(10, 1)
        ) as avg_days_in_stage,
        cast(per_stage.median_days_in_stage as decimal(10, 1)) as median_days_in_stage
    from per_stage
    cross join as_of

)

select * from final
