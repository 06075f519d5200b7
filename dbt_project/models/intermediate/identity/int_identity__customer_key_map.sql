-- Every customer record of every source system and the golden customer it belongs to. Facts
-- and marts reach customers only through this map. A cluster of linked records (see
-- int_identity__links / int_identity__clusters) gets the key of its ERP record, `E-<客户编码>`
-- (the lowest code when an override joined two), else `C-<lowest CRM customer_id>`: the key
-- stays put as long as the record behind it does.

with

records as (

    select * from {{ ref('int_identity__records') }}

),

clustered as (

    select
        records.record_key,
        records.source_system,
        records.source_record_id,
        coalesce(clusters.cluster_id, records.record_key) as cluster_id,
        coalesce(clusters.cluster_size, 1) as cluster_size
    from records
    left join {{ ref('int_identity__clusters') }} as clusters
        on records.record_key = clusters.record_key

),

cluster_keys as (

    select
        cluster_id,
        min(case when source_system = 'erp' then source_record_id end) as erp_customer_code,
        -- the lowest CRM id, numeric order for numeric ids (shorter first), and alphanumeric
        -- ids (CRM9384657) alike: left-padded to one width, compared, unpadded
        ltrim(
            min(case when source_system = 'crm' then lpad(source_record_id, 64, ' ') end)
        ) as crm_customer_id
    from clustered
    group by 1

),

final as (

    select
        clustered.source_system,
        clustered.source_record_id,
        case
            when cluster_keys.erp_customer_code is not null
                then 'E-' || cluster_keys.erp_customer_code
            else 'C-' || cluster_keys.crm_customer_id
        end as customer_key,
        clustered.record_key,
        clustered.cluster_size
    from clustered
    inner join cluster_keys
        on clustered.cluster_id = cluster_keys.cluster_id

)

select * from final
