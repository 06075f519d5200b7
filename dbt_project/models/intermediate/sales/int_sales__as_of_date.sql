-- The one as-of date every date-dependent sales model uses: the configured one (dbt var
-- as_of_date / TANDEM_AS_OF_DATE), else the latest day the CRM recorded anything (a lead, a
-- stage change or an activity), so an unset date means "as of the end of the data".

with

stage_changes as (

    select max(cast(changed_at as date)) as latest_date
    from {{ ref('stg_crm__opportunity_stage_changes') }}

),

activities as (

    select max(cast(created_at as date)) as latest_date
    from {{ ref('stg_crm__activities') }}

),

leads as (

    select max(cast(created_at as date)) as latest_date
    from {{ ref('stg_crm__leads') }}

),

latest as (

    select max(latest_date) as latest_date
    from (
        select latest_date from stage_changes
        union all
        select latest_date from activities
        union all
        select latest_date from leads
    ) as dates

),

final as (

    select
        cast(coalesce({{ configured_as_of_date() }}, latest.latest_date) as date) as as_of_date,
        {{ configured_as_of_date() }} is not null as is_configured,
        cast(latest.latest_date as date) as latest_data_date
    from latest

)

select * from final
