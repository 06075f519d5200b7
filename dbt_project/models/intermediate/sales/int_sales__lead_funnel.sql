-- Every funnel step each lead reached by the end of the as-of date, with when it reached it.
-- A lead reaches an opportunity stage (or won) when any opportunity of the golden customer it
-- converted into entered that stage (or was won); the first time counts.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

steps as (

    select * from {{ ref('int_sales__funnel_steps') }}

),

leads as (

    select leads.*
    from {{ ref('int_sales__leads') }} as leads
    cross join as_of
    where leads.lead_date <= as_of.as_of_date

),

converted_leads as (

    select leads.*
    from leads
    cross join as_of
    where leads.is_converted and leads.converted_date <= as_of.as_of_date

),

known_changes as (

    select
        opportunities.customer_key,
        history.stage_id,
        history.end_state,
        history.changed_at
    from {{ ref('int_sales__opportunity_stage_history') }} as history
    inner join {{ ref('int_sales__opportunities') }} as opportunities
        on history.opportunity_id = opportunities.opportunity_id
    cross join as_of
    where history.changed_date <= as_of.as_of_date

),

customer_milestones as (

    select
        customer_key,
        'stage_' || cast(stage_id as varchar) as step_code,
        min(changed_at) as reached_at
    from known_changes
    group by customer_key, stage_id

    union all

    select
        customer_key,
        'won' as step_code,
        min(changed_at) as reached_at
    from known_changes
    where end_state = 1
    group by customer_key

),

reached as (

    select
        lead_id,
        channel,
        'lead' as step_code,
        created_at as reached_at
    from leads

    union all

    select
        lead_id,
        channel,
        'converted' as step_code,
        converted_at as reached_at
    from converted_leads

    union all

    select
        converted_leads.lead_id,
        converted_leads.channel,
        customer_milestones.step_code,
        customer_milestones.reached_at
    from converted_leads
    inner join customer_milestones
        on converted_leads.customer_key = customer_milestones.customer_key

),

ordered as (

    select
        reached.lead_id,
        reached.channel,
        steps.step_order,
        steps.step_code,
        reached.reached_at,
        lag(reached.reached_at) over (
            partition by reached.lead_id order by steps.step_order
        ) as previous_reached_at
    from reached
    inner join steps
        on reached.step_code = steps.step_code

),

final as (

    select
        ordered.lead_id,
        ordered.channel,
        ordered.step_order,
        ordered.step_code,
        ordered.reached_at,
        ordered.previous_reached_at,
        {{ dbt.datediff('cast(ordered.previous_reached_at as date)',
                        'cast(ordered.reached_at as date)', 'day') }} as days_from_previous,
        as_of.as_of_date
    from ordered
    cross join as_of

)

select * from final
