with

source as (

    select * from {{ raw_source('raw_crm', 'contacts') }}

),

latest as (

    {{ latest_version('source', ['contacts_id']) }}

),

renamed as (

    select
        cast(contacts_id as bigint) as contact_id,
        cast(customer_id as varchar) as customer_id,
        cast(name as varchar) as contact_name,
        cast(mobile as varchar) as mobile,
        cast(email as varchar) as email,
        cast(post as varchar) as job_title,
        cast(marketing_consent as integer) as marketing_consent,
        cast(unsubscribe_time as timestamp) as unsubscribed_at,
        cast(create_time as timestamp) as created_at,
        cast(update_time as timestamp) as updated_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

normalised as (

    select
        *,
        {{ normalise_phone('mobile') }} as mobile_normalised,
        {{ normalise_email('email') }} as email_normalised
    from renamed

),

final as (

    select
        contact_id,
        customer_id,
        contact_name,
        job_title,
        mobile,
        mobile_normalised,
        email,
        email_normalised,
        {{ email_domain('email_normalised') }} as email_domain,
        marketing_consent,
        coalesce(marketing_consent = 1, false) as has_marketing_consent,
        unsubscribed_at,
        created_at,
        updated_at,
        source_file,
        loaded_at
    from normalised

)

select * from final
