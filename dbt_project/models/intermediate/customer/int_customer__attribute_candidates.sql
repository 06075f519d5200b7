-- Every candidate value of every golden attribute, with what ranks it: the survivorship
-- rules of dim_customer.yml written as data, one row per record, attribute and value.
-- int_customer__golden_attributes picks the winner: the lowest source_rank, then the newest
-- observed_at (or the oldest, where newest_first is false), then the lowest record key.

with

crm as (

    select * from {{ ref('int_customer__crm_records') }}

),

erp as (

    select * from {{ ref('int_customer__erp_records') }}

),

final as (

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

)

select * from final
