{#- The configured as-of date as a SQL date literal, or null when none is configured.

    Read from the dbt var `as_of_date`, which defaults to the environment variable
    TANDEM_AS_OF_DATE (the pipeline exports it from orchestration/settings.py). Unset or empty
    means "no explicit date": int_sales__as_of_date then takes the latest date in the data. -#}
{% macro configured_as_of_date() -%}
    {%- set value = (var('as_of_date', env_var('TANDEM_AS_OF_DATE', '')) or '') | string | trim -%}
    {%- if value == '' or value | lower == 'none' -%}
        cast(null as date)
    {%- elif modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        cast('{{ value }}' as date)
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date must be a date written YYYY-MM-DD (dbt var as_of_date or the "
            ~ "environment variable TANDEM_AS_OF_DATE), got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Days without a stage change after which an open opportunity counts as stuck.

    dbt var `stuck_after_days`, default 90 (the sales team's rule of thumb, and the threshold
    the sample-data simulator uses for its stuck deals). -#}
{% macro stuck_after_days() -%}
    {%- set value = var('stuck_after_days', 90) | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', value) -%}
        {{ exceptions.raise_compiler_error(
            "stuck_after_days must be a whole number of days, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ value | int }}
{%- endmacro %}
