-- One row per opportunity that is not soft-deleted, with its state as the CRM holds it now
-- (as-of views of the same opportunities are in the sales marts), its golden customer and
-- acquisition channel, and when it closed according to the stage history.

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted

),

stages as (

    select * from {{ ref('stg_crm__business_stages') }}

),

customer_channels as (

    select * from {{ ref('int_sales__customer_channels') }}

),

stage_changes as (

    select * from {{ ref('stg_crm__opportunity_stage_changes') }}

),

change_summary as (

    select
        opportunity_id,
        count(*) as stage_change_count,
        max(changed_at) as last_changed_at,
        min(case when is_closing_change then changed_at end) as closed_at
    from stage_changes
    group by 1

),

final as (

    select
        cast(opportunities.opportunity_id as bigint) as opportunity_id,
        cast(opportunities.opportunity_name as varchar) as opportunity_name,
        cast(opportunities.customer_id as varchar) as crm_customer_id,
        cast(customer_channels.customer_key as varchar) as customer_key,
        cast(coalesce(customer_channels.channel, 'unknown') as varchar) as channel,
        cast(opportunities.owner_user_id as bigint) as sales_rep_id,
        cast(opportunities.stage_id as bigint) as stage_id,
        cast(stages.stage_name as varchar) as stage_name,
        cast(stages.win_rate_pct / 100 as decimal(5, 4)) as stage_win_probability,
        cast(opportunities.end_state as integer) as end_state,
        cast(opportunities.end_state_name as varchar) as end_state_name,
        cast(opportunities.is_open as boolean) as is_open,
        cast(opportunities.is_won as boolean) as is_won,
        cast(opportunities.is_lost as boolean) as is_lost,
        cast(opportunities.end_state = 3 as boolean) as is_invalid,
        cast(opportunities.expected_amount_gross as decimal(18, 2)) as expected_amount_gross,
        cast(opportunities.created_at as timestamp) as created_at,
        cast(opportunities.created_at as date) as created_date,
        cast(change_summary.closed_at as timestamp) as closed_at,
        cast(change_summary.closed_at as date) as closed_date,
        cast(opportunities.deal_date as date) as deal_date,
        cast(
            {{ dbt.datediff('cast(opportunities.created_at as date)',
                            'cast(change_summary.closed_at as date)', 'day') }}
            as bigint
        ) as days_to_close,
        cast(coalesce(change_summary.stage_change_count, 0) as bigint) as stage_change_count,
        cast(change_summary.last_changed_at as timestamp) as last_changed_at
    from opportunities
    left join stages
        on opportunities.stage_id = stages.stage_id
    left join customer_channels
        on opportunities.customer_id = customer_channels.customer_id
    left join change_summary
        on opportunities.opportunity_id = change_summary.opportunity_id

)

select * from final
