-- One row per service ticket (工单) with the golden customer, response and resolution times in
-- hours and whether it was resolved within its SLA.

with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

key_map as (

    select
        source_record_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

timed as (

    select
        tickets.*,
        {{ dbt.datediff('tickets.created_at', 'tickets.first_response_at', 'second') }}
            as first_response_seconds,
        {{ dbt.datediff('tickets.created_at', 'tickets.resolved_at', 'second') }}
            as resolution_seconds
    from tickets

),

final as (

    select
        cast(timed.ticket_id as bigint) as ticket_id,
        cast(timed.ticket_no as varchar) as ticket_no,
        cast(timed.customer_id as varchar) as crm_customer_id,
        cast(key_map.customer_key as varchar) as customer_key,
        cast(timed.contact_id as bigint) as contact_id,
        cast(timed.category_name as varchar) as category_name,
        cast(timed.priority as integer) as priority,
        cast(timed.priority_name as varchar) as priority_name,
        cast(timed.status_name as varchar) as status_name,
        cast(timed.is_resolved as boolean) as is_resolved,
        cast(timed.sla_hours as integer) as sla_hours,
        cast(timed.created_at as timestamp) as created_at,
        cast(timed.created_at as date) as ticket_date,
        cast(timed.first_response_at as timestamp) as first_response_at,
        cast(timed.resolved_at as timestamp) as resolved_at,
        cast({{ divide_rounded('timed.first_response_seconds', 3600, 2) }} as decimal(18, 2))
            as first_response_hours,
        cast({{ divide_rounded('timed.resolution_seconds', 3600, 2) }} as decimal(18, 2))
            as resolution_hours,
        cast(
            case
                when timed.is_resolved and timed.resolved_at is not null
                    then timed.resolution_seconds <= 3600 * timed.sla_hours
            end as boolean
        ) as is_within_sla,
        cast(timed.satisfaction_score as integer) as satisfaction_score,
        cast(timed.owner_user_id as bigint) as owner_user_id
    from timed
    left join key_map
        on cast(timed.customer_id as varchar) = key_map.source_record_id

)

select * from final
