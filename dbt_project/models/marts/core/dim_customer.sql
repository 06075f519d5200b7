-- The golden customer: one row per customer_key of int_identity__customer_key_map, its
-- attributes chosen by the survivorship rules (int_customer__golden_attributes, documented in
-- dim_customer.yml) and its record counts and keys from both systems.

with

key_map as (

    select * from {{ ref('int_identity__customer_key_map') }}

),

golden as (

    select * from {{ ref('int_customer__golden_attributes') }}

),

crm as (

    select * from {{ ref('int_customer__crm_records') }}

),

erp as (

    select * from {{ ref('int_customer__erp_records') }}

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
