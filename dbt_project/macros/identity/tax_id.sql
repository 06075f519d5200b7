{#- 统一社会信用代码 (unified social credit code) uppercased, without blanks (empty -> null). -#}
{% macro normalise_tax_id(expression) -%}
    nullif(upper(replace(trim({{ expression }}), ' ', '')), '')
{%- endmacro %}

{#- True when an already normalised credit code passes the GB 32100-2015 check.

    18 characters of the alphabet 0-9 A-H J-N P Q R T U W X Y (31 symbols, value = position);
    the 18th is the check character: (31 - sum(value_i * 3^i mod 31) mod 31) mod 31 over the
    first 17. Plain SQL (length, substr, strpos, translate), so it runs on DuckDB and
    PostgreSQL alike. Null in, null out. -#}
{% macro is_valid_tax_id(normalised_code) -%}
    {%- set alphabet = "'0123456789ABCDEFGHJKLMNPQRTUWXY'" -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    case
        when {{ normalised_code }} is null then null
        when length({{ normalised_code }}) <> 18 then false
        when length(translate({{ normalised_code }}, {{ alphabet }}, '')) <> 0 then false
        else
            mod(
                31 - mod(
                    {%- for weight in weights %}
                    (strpos({{ alphabet }}, substr({{ normalised_code }}, {{ loop.index }}, 1)) - 1)
                    * {{ weight }}{% if not loop.last %} +{% endif %}
                    {%- endfor %},
                    31
                ),
                31
            ) = strpos({{ alphabet }}, substr({{ normalised_code }}, 18, 1)) - 1
    end
{%- endmacro %}

{#- True when the credit codes of two records name different companies: `entered` (a record's
    code as entered, normalised) against `valid` (the other record's valid code). Both valid
    and different; or `entered` invalid but 18 characters that differ from `valid` in three or
    more positions (a substituted character changes one position, a swap two: a branch's own
    mistyped code is not the parent's). A dropped character (17) decides nothing. Plain SQL,
    portable to PostgreSQL. -#}
{% macro tax_ids_contradict(entered, entered_valid, valid) -%}
    (
        {{ valid }} is not null
        and (
            ({{ entered_valid }} is not null and {{ entered_valid }} <> {{ valid }})
            or (
                {{ entered_valid }} is null
                and length({{ entered }}) = 18
                and (
                    {%- for position in range(1, 19) %}
                    case
                        when substr({{ entered }}, {{ position }}, 1)
                            <> substr({{ valid }}, {{ position }}, 1) then 1
                        else 0
                    end{% if not loop.last %} +{% endif %}
                    {%- endfor %}
                ) >= 3
            )
        )
    )
{%- endmacro %}
