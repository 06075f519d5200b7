-- The steps of the sales funnel in order: lead, converted to a customer, each opportunity
-- stage of the CRM's stage flow, won.

with

stages as (

    select * from {{ ref('stg_crm__business_stages') }}

),

stage_steps as (

    select
        stage_id,
        stage_name,
        row_number() over (order by stage_order, stage_id) as stage_position
    from stages

),

steps as (

    select
        1 as step_order,
        'lead' as step_code,
        'Lead' as step_name,
        cast(null as bigint) as stage_id

    union all

    select
        2 as step_order,
        'converted' as step_code,
        'Converted to customer' as step_name,
        cast(null as bigint) as stage_id

    union all

    select
        2 + stage_position as step_order,
        'stage_' || cast(stage_id as varchar) as step_code,
        stage_name as step_name,
        stage_id
    from stage_steps

    union all

    select
        3 + count(*) as step_order,
        'won' as step_code,
        'Won' as step_name,
        cast(null as bigint) as stage_id
    from stage_steps

),

final as (

    select
        cast(step_order as integer) as step_order,
        cast(step_code as varchar) as step_code,
        cast(step_name as varchar) as step_name,
        cast(stage_id as bigint) as stage_id
    from steps

)

select * from final
