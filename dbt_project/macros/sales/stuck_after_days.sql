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
