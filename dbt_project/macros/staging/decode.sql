{#- Decode a status code into a readable label with a CASE expression.

    mapping: {code: label}; integer codes are compared as numbers, text codes as text. A code
    the mapping does not know decodes to null (the accepted_values test on the code column
    reports it). -#}
{% macro decode(expression, mapping) -%}
    case {{ expression }}
    {%- for code, label in mapping.items() %}
        when {% if code is string %}'{{ code }}'{% else %}{{ code }}{% endif %} then '{{ label }}'
    {%- endfor %}
    end
{%- endmacro %}
