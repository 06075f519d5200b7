{%- set channels = crm_source_channels() -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'customer_data') }}

),

latest as (

    -- WukongCRM rewrites a field's row (new id) when the value is edited: the latest value of
    -- each (customer, field) counts, whatever its id
    {{ latest_version('source', ['batch_id', 'field_id']) }}

),

pivoted as (

    -- one row per customer (batch_id): the five custom fields WukongCRM keeps as rows
    select
        cast(batch_id as varchar) as batch_id,
        max(case when field_id = 1 then trim(value) end) as source_label,
        max(case when field_id = 2 then trim(value) end) as industry,
        max(case when field_id = 3 then upper(trim(value)) end) as customer_level,
        max(case when field_id = 4 then upper(trim(value)) end) as erp_customer_code,
        max(case when field_id = 5 then value end) as tax_id_entered,
        count(*) as field_count,
        max(_loaded_at) as loaded_at
    from latest
    group by batch_id

),

normalised as (

    select
        *,
        {{ normalise_tax_id('tax_id_entered') }} as tax_id
    from pivoted

),

final as (

    select
        batch_id,
        source_label,
        {{ decode('source_label', channels) }} as source_channel,
        industry,
        customer_level,
        erp_customer_code,
        tax_id_entered,
        tax_id,
        {{ is_valid_tax_id('tax_id') }} as is_valid_tax_id,
        cast(field_count as integer) as field_count,
        loaded_at
    from normalised

)

select * from final
