with

source as (

    select * from {{ raw_source('raw_crm', 'users') }}

),

latest as (

    {{ latest_version('source', ['user_id']) }}

),

renamed as (

    select
        cast(user_id as bigint) as user_id,
        cast(realname as varchar) as user_name,
        cast(dept_id as bigint) as dept_id,
        cast(mobile as varchar) as mobile,
        cast(status as integer) as status,
        cast(create_time as timestamp) as created_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        user_id,
        user_name,
        dept_id,
        mobile,
        {{ normalise_phone('mobile') }} as mobile_normalised,
        status,
        {{ decode('status', {0: 'disabled', 1: 'active'}) }} as status_name,
        status = 1 as is_active,
        created_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
