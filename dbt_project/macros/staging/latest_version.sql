{#- Keep the latest version of every row of a raw table (or CTE).

    Raw tables are append-only: a re-sent document lands again from a newer file, so one key can
    have several versions. The newest landing wins (`_loaded_at`), and within one landing the
    later row of the file (`_row_number`). Returns a select of every column of `relation` plus
    `version_rank` (always 1), restricted to the latest versions.

    key_columns: the entity's primary key, as in its ingestion contract. -#}
{% macro latest_version(relation, key_columns) -%}
    select *
    from (
        select
            versioned_rows.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at desc, _row_number desc
            ) as version_rank
        from {{ relation }} as versioned_rows
    ) as ranked_versions
    where version_rank = 1
{%- endmacro %}
