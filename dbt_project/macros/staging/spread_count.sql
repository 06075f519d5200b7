{#- The share of a whole-number total that falls on one day when spread evenly over `days`.

    Every day gets the integer quotient; the first (total mod days) days get one more, so the
    shares are whole numbers and add up to the total exactly. Null stays null. -#}
{% macro spread_count(total, days, day_offset) -%}
    cast(({{ total }} - mod({{ total }}, {{ days }})) / {{ days }} as bigint)
    + case when {{ day_offset }} < mod({{ total }}, {{ days }}) then 1 else 0 end
{%- endmacro %}
