{%- set end_states = {0: 'open', 1: 'won', 2: 'lost', 3: 'invalid'} -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'opportunities') }}

),

latest as (

    {{ latest_version('source', ['business_id']) }}

),

renamed as (

    select
        cast(business_id as bigint) as opportunity_id,
        cast(business_name as varchar) as opportunity_name,
        cast(customer_id as varchar) as customer_id,
        cast(type_id as bigint) as stage_group_id,
        cast(status_id as bigint) as stage_id,
        cast(money as decimal(18, 2)) as expected_amount_gross,
        cast(deal_date as date) as deal_date,
        cast(is_end as integer) as end_state,
        cast(status as integer) as status,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(create_time as timestamp) as created_at,
        cast(update_time as timestamp) as updated_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        opportunity_id,
        opportunity_name,
        customer_id,
        stage_group_id,
        stage_id,
        expected_amount_gross,
        deal_date,
        end_state,
        {{ decode('end_state', end_states) }} as end_state_name,
        end_state = 0 as is_open,
        end_state = 1 as is_won,
        end_state = 2 as is_lost,
        status,
        {{ decode('status', {1: 'normal', 3: 'deleted'}) }} as status_name,
        status = 3 as is_deleted,
        owner_user_id,
        created_at,
        updated_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
