{#- Rows of `model` (a key map with source_system, source_record_id, customer_key) that break a
    force_split override: the two records still share a customer because other links join them.
    Each row names the pair, so the analyst can split the remaining link too. -#}
{% test identity_force_split_respected(model) %}

select
    splits.left_system,
    splits.left_record_id,
    splits.right_system,
    splits.right_record_id,
    left_map.customer_key
from {{ ref('identity_overrides') }} as splits
inner join {{ model }} as left_map
    on
        splits.left_system = left_map.source_system
        and splits.left_record_id = left_map.source_record_id
inner join {{ model }} as right_map
    on
        splits.right_system = right_map.source_system
        and splits.right_record_id = right_map.source_record_id
where
    splits.action = 'force_split'
    and left_map.customer_key = right_map.customer_key

{% endtest %}
