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
