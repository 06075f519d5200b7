{#- `source()` of a raw table, or an empty, typed stand-in when the table was never landed.
    (Also used for `identity.match_pairs`: a plain `dbt build` without the pipeline's Python
    identity step still builds, on deterministic links alone.)

    A raw table exists only after a file of its entity has landed (a quarantined file creates
    none, e.g. a receipts extract cut off mid-row and nothing else). Staging must still build so
    that the sources that did land flow through. The stand-in takes its columns and types from
    the source's YAML (`data_type` of every column, lineage columns included), so downstream
    models see the same shape either way. -#}
{% macro raw_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {#- parsing, or a unit test (its fixture is a CTE): nothing to look up -#}
        {{ relation }}
    {%- elif load_relation(relation) is not none -%}
        {{ relation }}
    {%- else -%}
        {%- set node = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name)
            | first -%}
        {%- set columns = node.columns.values() | list -%}
        {%- if columns | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw table " ~ relation ~ " does not exist and its source YAML declares no"
                ~ " columns to build an empty stand-in from: land a file of this entity first"
            ) }}
        {%- endif -%}
        {{ log("source table " ~ relation ~ " is missing (nothing landed, or its Python step"
            ~ " has not run): " ~ this ~ " reads it as empty", info=true) }}
        (
            select
            {%- for column in columns %}
                cast(null as {{ column.data_type }}) as {{ column.name }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
            where 1 = 0
        ) as missing_raw_table
    {%- endif -%}
{%- endmacro %}
