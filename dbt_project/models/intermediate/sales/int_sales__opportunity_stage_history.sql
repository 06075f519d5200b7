-- One row per stage change of a live opportunity (soft-deleted opportunities are left out):
-- the stage entered, when, and how long the opportunity stayed until its next change. Changes
-- are ordered by their auto-increment id, the order the CRM recorded them in: two changes on
-- one day may carry clock times in the other order.

with

stage_changes as (

    select * from {{ ref('stg_crm__opportunity_stage_changes') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

stages as (

    select * from {{ ref('stg_crm__business_stages') }}

),

live_changes as (

    select
        stage_changes.*,
        row_number() over (
            partition by stage_changes.opportunity_id
            order by stage_changes.stage_change_id
        ) as change_sequence,
        lead(stage_changes.changed_at) over (
            partition by stage_changes.opportunity_id
            order by stage_changes.stage_change_id
        ) as next_changed_at
    from stage_changes
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id
    where not opportunities.is_deleted

),

final as (

    select
        cast(live_changes.stage_change_id as bigint) as stage_change_id,
        cast(live_changes.opportunity_id as bigint) as opportunity_id,
        cast(live_changes.change_sequence as bigint) as change_sequence,
        cast(live_changes.stage_id as bigint) as stage_id,
        cast(stages.stage_name as varchar) as stage_name,
        cast(stages.stage_order as integer) as stage_order,
        cast(stages.win_rate_pct / 100 as decimal(5, 4)) as stage_win_probability,
        cast(live_changes.end_state as integer) as end_state,
        cast(live_changes.end_state_name as varchar) as end_state_name,
        cast(live_changes.is_closing_change as boolean) as is_closing_change,
        cast(live_changes.changed_at as timestamp) as changed_at,
        cast(live_changes.changed_at as date) as changed_date,
        cast(live_changes.next_changed_at as timestamp) as next_changed_at,
        cast(
            {{ dbt.datediff('cast(live_changes.changed_at as date)',
                            'cast(live_changes.next_changed_at as date)', 'day') }}
            as bigint
        ) as days_to_next_change,
        cast(live_changes.next_changed_at is null as boolean) as is_latest_change,
        cast(live_changes.changed_by_user_id as bigint) as changed_by_user_id
    from live_changes
    left join stages
        on live_changes.stage_id = stages.stage_id

)

select * from final
