-- One row per CRM activity (follow-ups, check-ins, stage-change notes) that is not
-- soft-deleted, attached to the golden customer directly or through its opportunity.

with

activities as (

    select * from {{ ref('stg_crm__activities') }}
    where not is_deleted

),

opportunities as (

    select
        opportunity_id,
        customer_id
    from {{ ref('stg_crm__opportunities') }}

),

key_map as (

    select
        source_record_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

with_customer as (

    select
        activities.*,
        coalesce(activities.customer_id, opportunities.customer_id) as crm_customer_id
    from activities
    left join opportunities
        on activities.opportunity_id = opportunities.opportunity_id

),

final as (

    select
        cast(with_customer.activity_id as bigint) as activity_id,
        cast(with_customer.activity_kind as integer) as activity_kind,
        cast(with_customer.activity_kind_name as varchar) as activity_kind_name,
        cast(with_customer.is_followup as boolean) as is_followup,
        cast(with_customer.entity_type_name as varchar) as entity_type_name,
        cast(with_customer.entity_id as bigint) as entity_id,
        cast(with_customer.opportunity_id as bigint) as opportunity_id,
        cast(with_customer.crm_customer_id as varchar) as crm_customer_id,
        cast(key_map.customer_key as varchar) as customer_key,
        cast(with_customer.category_name as varchar) as category_name,
        cast(with_customer.created_by_user_id as bigint) as sales_rep_id,
        cast(with_customer.created_at as timestamp) as created_at,
        cast(with_customer.created_at as date) as activity_date,
        cast(with_customer.next_followup_at as timestamp) as next_followup_at
    from with_customer
    left join key_map
        on cast(with_customer.crm_customer_id as varchar) = key_map.source_record_id

)

select * from final
