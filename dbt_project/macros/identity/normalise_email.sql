{#- An e-mail address lowercased and trimmed (empty -> null). -#}
{% macro normalise_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{#- The domain of an already normalised e-mail address (null without an @). -#}
{% macro email_domain(normalised_email) -%}
    nullif(split_part({{ normalised_email }}, '@', 2), '')
{%- endmacro %}
