-- One row per CRM contact and channel it can be reached on (mobile, email), with the consent
-- the CRM holds for the contact. A withdrawal date always wins over a consent flag: a contact
-- who unsubscribed is withdrawn even if the flag was never reset.

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

consent as (

    select
        contact_id,
        customer_id,
        contact_name,
        job_title,
        mobile_normalised,
        email_normalised,
        source_file,
        case
            when unsubscribed_at is not null then 'withdrawn'
            when has_marketing_consent then 'consented'
            when marketing_consent = 0 then 'opted_out'
            else 'unknown'
        end as consent_status,
        coalesce(unsubscribed_at, updated_at, created_at) as consent_recorded_at
    from contacts

),

mobile_channel as (

    select
        contact_id,
        customer_id,
        contact_name,
        job_title,
        consent_status,
        consent_recorded_at,
        source_file,
        'mobile' as channel,
        -- mainland mobiles are 11 digits starting with 1; anything else cannot be put in E.164
        -- (a whole-string match written with regexp_replace, which DuckDB and PostgreSQL share)
        case
            when regexp_replace(mobile_normalised, '^1[3-9][0-9]{9}$', '', 'g') = ''
                then '+86' || mobile_normalised
        end as mobile_e164,
        cast(null as varchar) as email
    from consent
    where mobile_normalised is not null

),

email_channel as (

    select
        contact_id,
        customer_id,
        contact_name,
        job_title,
        consent_status,
        consent_recorded_at,
        source_file,
        'email' as channel,
        cast(null as varchar) as mobile_e164,
        case when email_normalised like '_%@_%._%' then email_normalised end as email
    from consent
    where email_normalised is not null

),

final as (

    select * from mobile_channel
    union all
    select * from email_channel

)

select * from final
