{#- The as-of date configured for date-dependent models, as a `YYYY-MM-DD` string, or
    an empty string when none is set.

    Order of precedence: the dbt var `as_of_date` (`--vars '{as_of_date: 2026-06-30}'`), then the
    environment variable TANDEM_AS_OF_DATE that orchestration/settings.py defines (the pipeline
    passes its environment to dbt). When both are empty, int_core__as_of_date falls back to the latest
    business day in the data. Models read int_core__as_of_date, never this macro. -#}
{% macro configured_as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- set value = '' if value is none else (value | string | trim) -%}
    {%- if value == '' or value | lower == 'none' -%}
        {#- an empty var (e.g. a unit test's override) falls through to the environment -#}
        {%- set value = env_var('TANDEM_AS_OF_DATE', '') | trim -%}
    {%- endif -%}
    {%- if value != '' and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date / TANDEM_AS_OF_DATE must be a date written YYYY-MM-DD, got '"
            ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
