-- Every candidate value of every golden attribute, with what ranks it: one row per record,
-- attribute and value, one union branch per entry of customer_survivorship_rules() (the rules
-- of dim_customer.yml as data). int_customer__golden_attributes picks the winner: the lowest
-- source_rank, then the newest observed_at (or the oldest, where newest_first is false), then
-- the lowest record key.

with

crm as (

    select * from {{ ref('int_customer__crm_records') }}

),

erp as (

    select * from {{ ref('int_customer__erp_records') }}

),

final as (

    {% for rule in customer_survivorship_rules() %}
        select
            customer_key,
            record_key,
            '{{ rule.attribute }}' as attribute_name,
            cast({{ rule.value }} as varchar) as attribute_value,
            {{ rule.rank }} as source_rank,
            {{ rule.observed_at }} as observed_at,
            {{ 'true' if rule.newest_first else 'false' }} as newest_first
        from {{ rule.source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
