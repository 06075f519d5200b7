{%- set end_states = {0: 'open', 1: 'won', 2: 'lost', 3: 'invalid'} -%}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='stage_change_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ raw_source('raw_crm', 'opportunity_stage_changes') }}
    {{ landed_since_last_build() }}

),

latest as (

    {{ latest_version('source', ['change_id']) }}

),

renamed as (

    select
        cast(change_id as bigint) as stage_change_id,
        cast(business_id as bigint) as opportunity_id,
        cast(status_id as bigint) as stage_id,
        cast(is_end as integer) as end_state,
        cast(create_time as timestamp) as changed_at,
        cast(create_user_id as bigint) as changed_by_user_id,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        stage_change_id,
        opportunity_id,
        stage_id,
        end_state,
        {{ decode('end_state', end_states) }} as end_state_name,
        end_state in (1, 2, 3) as is_closing_change,
        changed_at,
        changed_by_user_id,
        source_file,
        loaded_at
    from renamed

)

select * from final
