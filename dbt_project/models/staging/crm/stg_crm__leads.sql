{%- set channels = crm_source_channels() -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'leads') }}

),

latest as (

    {{ latest_version('source', ['leads_id']) }}

),

renamed as (

    select
        cast(leads_id as bigint) as lead_id,
        cast(leads_name as varchar) as lead_name,
        cast(customer_id as varchar) as customer_id,
        cast(contact_name as varchar) as contact_name,
        cast(mobile as varchar) as mobile,
        cast(email as varchar) as email,
        cast(source as varchar) as source_label,
        lower(cast(utm_source as varchar)) as utm_source,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(is_transform as integer) as is_transform,
        cast(status as integer) as status,
        cast(create_time as timestamp) as created_at,
        cast(update_time as timestamp) as updated_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

normalised as (

    select
        *,
        {{ normalise_company_name('lead_name') }} as name_normalised,
        {{ normalise_phone('mobile') }} as mobile_normalised,
        {{ normalise_email('email') }} as email_normalised
    from renamed

),

final as (

    select
        lead_id,
        lead_name,
        name_normalised,
        customer_id,
        contact_name,
        mobile,
        mobile_normalised,
        email,
        email_normalised,
        {{ email_domain('email_normalised') }} as email_domain,
        source_label,
        {{ decode('source_label', channels) }} as source_channel,
        utm_source,
        utm_source is not null as has_utm_source,
        owner_user_id,
        is_transform,
        is_transform = 1 as is_converted,
        status,
        {{ decode('status', {1: 'normal', 3: 'deleted'}) }} as status_name,
        status = 3 as is_deleted,
        created_at,
        updated_at,
        case when is_transform = 1 then updated_at end as converted_at,
        source_file,
        loaded_at
    from normalised

)

select * from final
