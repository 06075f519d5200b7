-- The evidence behind every golden customer: one row per link between two records, with the
-- rule that made it and, where Splink scored the pair, the match probability and the level and
-- weight of every compared field. The Customer 360 shows these rows to explain a merge.

with

links as (

    select * from {{ ref('int_identity__links') }}

),

key_map as (

    select * from {{ ref('int_identity__customer_key_map') }}

),

final as (

    select
        cast(links.link_id as varchar) as link_id,
        cast(key_map.customer_key as varchar) as customer_key,
        cast(links.left_system as varchar) as left_system,
        cast(links.left_record_id as varchar) as left_record_id,
        cast(links.right_system as varchar) as right_system,
        cast(links.right_record_id as varchar) as right_record_id,
        cast(
            case
                when links.left_system = 'crm' and links.right_system = 'crm' then 'crm-crm'
                when links.left_system = 'erp' and links.right_system = 'erp' then 'erp-erp'
                else 'crm-erp'
            end as varchar
        ) as link_type,
        cast(links.link_rule as varchar) as link_rule,
        cast(links.rule_count as integer) as rule_count,
        cast(links.override_reason as varchar) as override_reason,
        cast(links.match_probability as double precision) as match_probability,
        cast(links.match_weight as double precision) as match_weight,
        cast(links.name_level as varchar) as name_level,
        cast(links.name_weight as double precision) as name_weight,
        cast(links.phone_level as varchar) as phone_level,
        cast(links.phone_weight as double precision) as phone_weight,
        cast(links.email_level as varchar) as email_level,
        cast(links.email_weight as double precision) as email_weight,
        cast(links.address_level as varchar) as address_level,
        cast(links.address_weight as double precision) as address_weight,
        cast(links.region_level as varchar) as region_level,
        cast(links.region_weight as double precision) as region_weight,
        cast(links.tax_id_level as varchar) as tax_id_level,
        cast(links.tax_id_weight as double precision) as tax_id_weight,
        cast(links.model_version as varchar) as model_version
    from links
    inner join key_map
        on
            links.left_system = key_map.source_system
            and links.left_record_id = key_map.source_record_id

)

select * from final
