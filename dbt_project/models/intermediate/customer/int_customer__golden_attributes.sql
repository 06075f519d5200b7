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
        {% for attribute in customer_golden_attributes() %}
            max(case when attribute_name = '{{ attribute }}' then attribute_value end)
                as {{ attribute }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from ranked
    where value_rank = 1
    group by customer_key

)

select * from final
