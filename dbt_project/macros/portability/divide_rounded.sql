{#- numerator / denominator rounded to `scale` decimals (half away from zero), the same on
    DuckDB and PostgreSQL; null when the denominator is 0 or null.

    DuckDB divides decimals in DOUBLE, so `cast(a / b as decimal(18, 2))` can land one cent
    away from PostgreSQL's exact numeric division where the quotient ends in a half
    (2.675 is 2.67499... as a double). Here both operands become whole numbers at
    `input_scale` decimals (money and rates have at most 4) and the quotient is an integer
    division, which both engines do exactly. The result is a decimal with `scale` decimals;
    cast it to the column's type as usual. -#}
{% macro divide_rounded(numerator, denominator, scale=2, input_scale=4) -%}
    {%- set factor = 10 ** input_scale -%}
    {#- widened first: yuan amounts times 10^input_scale overflow a decimal(18, x). The cast to
        input_scale decimals rounds (half away from zero on both engines), so the product is a
        whole number and needs no round(), which cost DuckDB half the macro's time. -#}
    {%- set wide = "decimal(38, " ~ input_scale ~ ")" -%}
    {%- set n = tandem_whole_number(
        "cast((" ~ numerator ~ ") as " ~ wide ~ ") * " ~ factor
    ) -%}
    {%- set d = tandem_whole_number(
        "cast((" ~ denominator ~ ") as " ~ wide ~ ") * " ~ factor
    ) -%}
    {{ whole_quotient_rounded(n, d, scale) }}
{%- endmacro %}

{#- amount * part / whole rounded to the fen, where all three are money (at most 2 decimals):
    the pro-rata share of an amount. Equal to divide_rounded('amount * part', 'whole'), but each
    operand becomes whole fen as a bigint first and only their product is widened, which DuckDB
    does about three times faster than scaling a decimal(38) product. -#}
{% macro money_share(amount, part, whole) -%}
    {%- set n = tandem_whole_number("cast((" ~ amount ~ ") * 100 as bigint)")
        ~ " * cast((" ~ part ~ ") * 100 as bigint)" -%}
    {%- set d = tandem_whole_number("cast((" ~ whole ~ ") * 100 as bigint)") ~ " * 100" -%}
    {{ whole_quotient_rounded(n, d, 2) }}
{%- endmacro %}

{#- n / d rounded half away from zero to `scale` decimals, for whole-number expressions n and d
    (of tandem_whole_number's type); null when d is 0 or null. -#}
{% macro whole_quotient_rounded(n, d, scale) -%}
    case
        when {{ d }} = 0 then null
        else
            sign({{ n }}) * sign({{ d }})
            * {{ tandem_whole_number(
                tandem_integer_division(
                    "2 * abs(" ~ n ~ ") * " ~ (10 ** scale) ~ " + abs(" ~ d ~ ")",
                    "2 * abs(" ~ d ~ ")"
                )
            ) }}
            * {{ "1" if scale == 0 else "0." ~ "0" * (scale - 1) ~ "1" }}
    end
{%- endmacro %}

{#- An exact whole-number type wide enough for money scaled to fen and beyond. -#}
{% macro tandem_whole_number(expression) -%}
    {{ return(adapter.dispatch('tandem_whole_number')(expression)) }}
{%- endmacro %}

{% macro default__tandem_whole_number(expression) -%}
    cast({{ expression }} as numeric(38, 0))
{%- endmacro %}

{% macro duckdb__tandem_whole_number(expression) -%}
    cast({{ expression }} as hugeint)
{%- endmacro %}

{#- Integer division of two non-negative whole numbers (DuckDB's `/` is a float division). -#}
{% macro tandem_integer_division(numerator, denominator) -%}
    {{ return(adapter.dispatch('tandem_integer_division')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__tandem_integer_division(numerator, denominator) -%}
    div({{ numerator }}, {{ denominator }})
{%- endmacro %}

{% macro duckdb__tandem_integer_division(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}
