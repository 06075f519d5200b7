-- The winning value of every golden attribute, one row per customer: the candidate with the
-- lowest source_rank, then the newest (or oldest) observed_at, then the lowest record key.

with

candidates as (

    select * from {{ ref('int_customer__attribute_candidates') }}

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

final as (

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

)

select * from final
