{#-
    A win-rate report by one grouping column at the as-of date: won / (won + lost) over the
    opportunities of int_sales__opportunity_states closed by then, with open, invalid and
    amount counts. Rows whose grouping value is null are left out.
-#}
{% macro win_rate_report(group_column, group_type) %}

with

states as (

    select * from {{ ref('int_sales__opportunity_states') }}

),

per_group as (

    select
        as_of_date,
        {{ group_column }},
        count(*) as opportunity_count,
        sum(case when is_open then 1 else 0 end) as open_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when is_lost then 1 else 0 end) as lost_count,
        sum(case when is_invalid then 1 else 0 end) as invalid_count,
        sum(case when is_won then expected_amount_gross else 0 end) as won_amount_gross,
        sum(case when is_lost then expected_amount_gross else 0 end) as lost_amount_gross
    from states
    where {{ group_column }} is not null
    group by 1, 2

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        cast({{ group_column }} as {{ group_type }}) as {{ group_column }},
        cast(opportunity_count as bigint) as opportunity_count,
        cast(open_count as bigint) as open_count,
        cast(won_count as bigint) as won_count,
        cast(lost_count as bigint) as lost_count,
        cast(invalid_count as bigint) as invalid_count,
        cast(
            case
                when won_count + lost_count > 0
                    then {{ divide_rounded('won_count', 'won_count + lost_count', 4) }}
            end as decimal(9, 4)
        ) as win_rate,
        cast(won_amount_gross as decimal(18, 2)) as won_amount_gross,
        cast(lost_amount_gross as decimal(18, 2)) as lost_amount_gross
    from per_group

)

select * from final

{% endmacro %}
