-- The golden customer: one row per customer_key of int_identity__customer_key_map, each
-- attribute picked from the records the key unifies by the survivorship rules documented in
-- dim_customer.yml.

with

key_map as (

    select * from {{ ref('int_identity__customer_key_map') }}

),

records as (

    select * from {{ ref('int_identity__records') }}

),

crm as (

    select
        key_map.customer_key,
        records.record_key,
        records.region,
        customers.customer_name,
        customers.owner_user_id,
        customers.has_won_deal,
        customers.first_deal_at,
        customers.mobile_normalised,
        customers.telephone_normalised,
        customers.email_normalised,
        customers.address,
        customers.is_deleted,
        records.is_branch,
        customers.created_at,
        customers.updated_at,
        custom_fields.customer_level,
        custom_fields.industry,
        custom_fields.source_channel,
        -- the valid code of the custom field or of a flat tax-number column
        records.tax_id
    from {{ ref('stg_crm__customers') }} as customers
    inner join key_map
        on
            key_map.source_system = 'crm'
            and cast(customers.customer_id as varchar) = key_map.source_record_id
    inner join records
        on key_map.record_key = records.record_key
    left join {{ ref('stg_crm__customer_fields') }} as custom_fields
        on customers.batch_id = custom_fields.batch_id

),

erp as (

    select
        key_map.customer_key,
        records.record_key,
        records.region,
        customers.customer_name,
        case when customers.is_valid_tax_id then customers.tax_id end as tax_id,
        customers.customer_type,
        customers.industry,
        customers.salesperson,
        customers.phone_normalised,
        customers.address,
        customers.is_disabled,
        cast(customers.created_date as timestamp) as created_at
    from {{ ref('stg_erp__customers') }} as customers
    inner join key_map
        on
            key_map.source_system = 'erp'
            and customers.erp_customer_code = key_map.source_record_id
    inner join records
        on key_map.record_key = records.record_key

),

-- Candidate values per attribute. The winner has the lowest source_rank, then the newest
-- observed_at (or the oldest, where newest_first is false), then the lowest record key.
candidates as (

    -- ERP wins the legal master data: name, credit code, type, region, industry
    select
        customer_key,
        record_key,
        'customer_name' as attribute_name,
        customer_name as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'customer_name' as attribute_name,
        customer_name as attribute_value,
        case when is_deleted then 4 when is_branch then 3 else 2 end as source_rank,
        created_at as observed_at,
        false as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'tax_id' as attribute_name,
        tax_id as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'tax_id' as attribute_name,
        tax_id as attribute_value,
        2 as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'customer_type' as attribute_name,
        customer_type as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'region' as attribute_name,
        region as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'region' as attribute_name,
        region as attribute_value,
        case when is_deleted then 3 else 2 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'industry' as attribute_name,
        industry as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'industry' as attribute_name,
        industry as attribute_value,
        case when is_deleted then 3 else 2 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    -- the CRM wins the sales relationship: owner and level of the newest live record
    select
        customer_key,
        record_key,
        'owner_user_id' as attribute_name,
        cast(owner_user_id as varchar) as attribute_value,
        case when is_deleted then 2 else 1 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'customer_level' as attribute_name,
        customer_level as attribute_value,
        case when is_deleted then 2 else 1 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    -- how the customer came: the channel of its first CRM record
    select
        customer_key,
        record_key,
        'source_channel' as attribute_name,
        source_channel as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from crm
    union all
    -- contact points: the newest non-empty value of a live record, whatever the system
    select
        customer_key,
        record_key,
        'phone' as attribute_name,
        coalesce(mobile_normalised, telephone_normalised) as attribute_value,
        case when is_deleted then 2 else 1 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'phone' as attribute_name,
        phone_normalised as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        true as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'email' as attribute_name,
        email_normalised as attribute_value,
        case when is_deleted then 2 else 1 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'address' as attribute_name,
        address as attribute_value,
        case when is_deleted then 2 else 1 end as source_rank,
        updated_at as observed_at,
        true as newest_first
    from crm
    union all
    select
        customer_key,
        record_key,
        'address' as attribute_name,
        address as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        true as newest_first
    from erp
    union all
    select
        customer_key,
        record_key,
        'erp_salesperson' as attribute_name,
        salesperson as attribute_value,
        1 as source_rank,
        created_at as observed_at,
        false as newest_first
    from erp

),

ranked as (

    select
        customer_key,
        attribute_name,
        attribute_value,
        row_number() over (
            partition by customer_key, attribute_name
            order by
                source_rank asc,
                case when newest_first then observed_at end desc nulls last,
                case when not newest_first then observed_at end asc nulls last,
                record_key asc
        ) as value_rank
    from candidates
    where attribute_value is not null and attribute_value <> ''

),

golden as (

    select
        customer_key,
        max(case when attribute_name = 'customer_name' then attribute_value end) as customer_name,
        max(case when attribute_name = 'tax_id' then attribute_value end) as tax_id,
        max(case when attribute_name = 'customer_type' then attribute_value end) as customer_type,
        max(case when attribute_name = 'region' then attribute_value end) as region,
        max(case when attribute_name = 'industry' then attribute_value end) as industry,
        max(case when attribute_name = 'owner_user_id' then attribute_value end) as owner_user_id,
        max(case when attribute_name = 'customer_level' then attribute_value end) as customer_level,
        max(case when attribute_name = 'source_channel' then attribute_value end) as source_channel,
        max(case when attribute_name = 'phone' then attribute_value end) as phone,
        max(case when attribute_name = 'email' then attribute_value end) as email,
        max(case when attribute_name = 'address' then attribute_value end) as address,
        max(case when attribute_name = 'erp_salesperson' then attribute_value end)
            as erp_salesperson
    from ranked
    where value_rank = 1
    group by 1

),

crm_summary as (

    select
        customer_key,
        count(*) as crm_record_count,
        sum(case when is_deleted then 1 else 0 end) as deleted_crm_record_count,
        max(case when has_won_deal then 1 else 0 end) = 1 as has_won_deal,
        min(first_deal_at) as first_deal_at,
        min(created_at) as first_seen_at,
        {{ dbt.listagg('record_key', "','", 'order by record_key') }} as crm_record_keys
    from crm
    group by 1

),

erp_summary as (

    select
        customer_key,
        count(*) as erp_record_count,
        min(case when is_disabled then 1 else 0 end) = 1 as is_erp_disabled,
        min(created_at) as first_seen_at,
        {{ dbt.listagg('record_key', "','", 'order by record_key') }} as erp_record_keys
    from erp
    group by 1

),

customers as (

    select distinct customer_key
    from key_map

),

final as (

    select
        cast(customers.customer_key as varchar) as customer_key,
        cast(golden.customer_name as varchar) as customer_name,
        cast(
            case when erp_summary.customer_key is not null then 'erp' else 'crm' end as varchar
        ) as customer_name_source,
        cast(golden.tax_id as varchar) as tax_id,
        cast(
            coalesce(
                golden.customer_type,
                case when golden.tax_id is not null then 'company' end,
                'unknown'
            ) as varchar
        ) as customer_type,
        cast(golden.region as varchar) as region,
        cast(golden.industry as varchar) as industry,
        cast(golden.customer_level as varchar) as customer_level,
        cast(golden.owner_user_id as bigint) as owner_user_id,
        cast(golden.erp_salesperson as varchar) as erp_salesperson,
        cast(
            case
                when erp_summary.is_erp_disabled then 'disabled'
                when erp_summary.customer_key is not null or crm_summary.has_won_deal
                    then 'active'
                when crm_summary.deleted_crm_record_count = crm_summary.crm_record_count
                    then 'deleted'
                else 'prospect'
            end as varchar
        ) as customer_status,
        cast(golden.source_channel as varchar) as source_channel,
        cast(golden.phone as varchar) as phone,
        cast(golden.email as varchar) as email,
        cast(golden.address as varchar) as address,
        cast(
            case
                when crm_summary.first_seen_at is null then erp_summary.first_seen_at
                when erp_summary.first_seen_at is null then crm_summary.first_seen_at
                when crm_summary.first_seen_at < erp_summary.first_seen_at
                    then crm_summary.first_seen_at
                else erp_summary.first_seen_at
            end as date
        ) as first_seen_date,
        cast(crm_summary.first_deal_at as date) as first_deal_date,
        cast(coalesce(crm_summary.has_won_deal, false) as boolean) as has_won_deal,
        cast(coalesce(crm_summary.crm_record_count, 0) as bigint) as crm_record_count,
        cast(coalesce(crm_summary.deleted_crm_record_count, 0) as bigint)
            as deleted_crm_record_count,
        cast(coalesce(erp_summary.erp_record_count, 0) as bigint) as erp_record_count,
        cast(crm_summary.crm_record_keys as varchar) as crm_record_keys,
        cast(erp_summary.erp_record_keys as varchar) as erp_record_keys,
        cast(
            erp_summary.customer_key is null
            and crm_summary.deleted_crm_record_count = crm_summary.crm_record_count
            as boolean
        ) as is_deleted
    from customers
    left join golden
        on customers.customer_key = golden.customer_key
    left join crm_summary
        on customers.customer_key = crm_summary.customer_key
    left join erp_summary
        on customers.customer_key = erp_summary.customer_key

)

select * from final
