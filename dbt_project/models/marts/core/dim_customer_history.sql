-- How each golden customer's owner, level and status changed between pipeline runs: the rows
-- of the dbt snapshot snp_customer_status, renamed to valid_from / valid_to.

with

snapshot as (

    select * from {{ ref('snp_customer_status') }}

),

final as (

    select
        cast(dbt_scd_id as varchar) as customer_version_id,
        cast(customer_key as varchar) as customer_key,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(customer_level as varchar) as customer_level,
        cast(customer_status as varchar) as customer_status,
        cast(dbt_valid_from as timestamp) as valid_from,
        cast(dbt_valid_to as timestamp) as valid_to,
        cast(dbt_valid_to is null as boolean) as is_current
    from snapshot

)

select * from final
