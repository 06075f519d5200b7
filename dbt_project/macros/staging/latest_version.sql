{#- Keep the latest version of every row of a raw table (or CTE).

    Raw tables are append-only: a re-sent document lands again from a newer file, so one key can
    have several versions. The newest landing wins (`_loaded_at`), and within one landing the
    later row of the file (`_row_number`). Returns a select of every column of `relation` plus
    `version_rank` (always 1), restricted to the latest versions.

    Nearly every key has one version, so only the keys landed more than once go through the
    window (sorting every row of a 3-million-row ledger for a handful of re-sent documents cost
    about a third of the model's time). Key columns compare with `is not distinct from`, so a
    null key is one key here as it is one partition of the window.

    key_columns: the entity's primary key, as in its ingestion contract. -#}
{% macro latest_version(relation, key_columns) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set same_key -%}
        {%- for column in key_columns -%}
            resent_keys.{{ column }} is not distinct from versioned_rows.{{ column }}
            {%- if not loop.last %} and {% endif -%}
        {%- endfor -%}
    {%- endset -%}
    with resent_keys as (
        select {{ keys }}
        from {{ relation }}
        group by {{ keys }}
        having count(*) > 1
    )

    select
        versioned_rows.*,
        1 as version_rank
    from {{ relation }} as versioned_rows
    where not exists (select 1 from resent_keys where {{ same_key }})

    union all

    select *
    from (
        select
            versioned_rows.*,
            row_number() over (
                partition by {{ keys }}
                order by _loaded_at desc, _row_number desc
            ) as version_rank
        from {{ relation }} as versioned_rows
        where exists (select 1 from resent_keys where {{ same_key }})
    ) as ranked_versions
    where version_rank = 1
{%- endmacro %}
