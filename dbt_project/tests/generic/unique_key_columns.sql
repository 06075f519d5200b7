{#- Fails with one row per combination of `columns` that occurs more than once (a composite key
    that is not unique). Plain SQL, so it runs on DuckDB and PostgreSQL alike. -#}
{% test unique_key_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
