{#- A where clause keeping the raw rows landed after the newest row this incremental model holds.

    Raw tables are append-only and every landing run stamps its rows with one `_loaded_at`
    (the second it started). A build never overlaps a landing (DuckDB lets one process write
    the build file), so every row newer than the model's latest `loaded_at` is new since the
    last build: a new key, or a new version of a key the model already holds, which
    `delete+insert` on the model's unique key then replaces. An empty model (its raw table
    had not landed yet) takes everything. Outside an incremental run (first build,
    `--full-refresh`) it renders nothing: every row. Put it right after `from raw_source(...)`. -#}
{% macro landed_since_last_build() -%}
    {%- if is_incremental() %}
    where _loaded_at > (
        select coalesce(max(built.loaded_at), cast('1900-01-01' as timestamp))
        from {{ this }} as built
    )
    {%- endif -%}
{%- endmacro %}
