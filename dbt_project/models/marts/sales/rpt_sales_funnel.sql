-- Lead-to-won funnel per channel at the as-of date: how many leads reached each step, the
-- conversion from the step before and from the lead, and the days the step took.

with

steps as (

    select * from {{ ref('int_sales__funnel_steps') }}

),

lead_funnel as (

    select * from {{ ref('int_sales__lead_funnel') }}

),

as_of as (

    -- every lead row carries the as-of date it was cut at; no lead, no channel, no row
    select distinct as_of_date from lead_funnel

),

channels as (

    select distinct channel
    from lead_funnel
    where step_code = 'lead'

),

per_step as (

    select
        channel,
        step_order,
        count(*) as reached_count,
        sum(days_from_previous) as total_days_from_previous,
        count(days_from_previous) as timed_count,
        percentile_cont(0.5) within group (order by days_from_previous)
            as median_days_from_previous
    from lead_funnel
    group by 1, 2

),

spine as (

    select
        channels.channel,
        steps.step_order,
        steps.step_code,
        steps.step_name,
        coalesce(per_step.reached_count, 0) as reached_count,
        per_step.total_days_from_previous,
        per_step.timed_count,
        per_step.median_days_from_previous
    from channels
    cross join steps
    left join per_step
        on
            channels.channel = per_step.channel
            and steps.step_order = per_step.step_order

),

with_previous as (

    select
        *,
        lag(reached_count) over (partition by channel order by step_order) as previous_count,
        first_value(reached_count) over (partition by channel order by step_order) as lead_count
    from spine

),

final as (

    select
        as_of.as_of_date,
        cast(with_previous.channel as varchar) as channel,
        cast(with_previous.step_order as integer) as step_order,
        cast(with_previous.step_code as varchar) as step_code,
        cast(with_previous.step_name as varchar) as step_name,
        cast(with_previous.reached_count as bigint) as reached_count,
        cast(with_previous.previous_count as bigint) as previous_step_count,
        cast(
            case
                when with_previous.previous_count > 0
                    then {{ divide_rounded('with_previous.reached_count',
                                          'with_previous.previous_count', 4) }}
            end as decimal(9, 4)
        ) as conversion_from_previous,
        cast(
            case
                when with_previous.lead_count > 0
                    then {{ divide_rounded('with_previous.reached_count',
                                          'with_previous.lead_count', 4) }}
            end as decimal(9, 4)
        ) as conversion_from_lead,
        cast(
            case
                when with_previous.timed_count > 0
                    then {{ divide_rounded('with_previous.total_days_from_previous',
                                          'with_previous.timed_count', 1) }}
            end as decimal(10, 1)
        ) as avg_days_from_previous,
        cast(with_previous.median_days_from_previous as decimal(10, 1))
            as median_days_from_previous
    from with_previous
    cross join as_of

)

select * from final
