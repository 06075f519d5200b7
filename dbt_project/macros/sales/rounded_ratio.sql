{#- numerator / denominator rounded half up to `decimals` places, the same on every database.

    DuckDB divides decimals in double precision, so a quotient that lies exactly on a rounding
    boundary (0.00625) can round down there and up on PostgreSQL. This rounds in whole numbers
    instead: floor((2 * 10^d * n + den) / (2 * den)) / 10^d. Both arguments must be whole
    numbers (counts, sums of days, seconds) and the denominator positive; guard zero yourself. -#}
{% macro rounded_ratio(numerator, denominator, decimals) -%}
    {%- set scale = 10 ** decimals -%}
    cast(
        cast(
            floor(
                cast(2 * {{ scale }} * ({{ numerator }}) + ({{ denominator }}) as double precision)
                / (2 * ({{ denominator }}))
            ) as bigint
        ) as decimal(18, {{ decimals }})
    ) / {{ scale }}
{%- endmacro %}
