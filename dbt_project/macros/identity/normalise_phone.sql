{#- A phone number as digits only, without the +86 / 0086 country prefix.

    `+86 138-1234-5678` -> `13812345678`; landlines keep their leading 0 (`021-12345678` ->
    `02112345678`). Empty input gives null. Used as a candidate key only, never a match alone. -#}
{% macro normalise_phone(expression) -%}
    {%- set digits = "regexp_replace(" ~ expression ~ ", '[^0-9]', '', 'g')" -%}
    nullif(
        case
            when length({{ digits }}) = 15 and {{ digits }} like '0086%'
                then substr({{ digits }}, 5)
            when length({{ digits }}) = 13 and {{ digits }} like '86%'
                then substr({{ digits }}, 3)
            else {{ digits }}
        end,
        ''
    )
{%- endmacro %}
