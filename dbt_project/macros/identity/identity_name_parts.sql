{#- The parts of an already normalised company name (see normalise_company_name) that the
    matcher compares.

    identity_name_base: the name without the legal form, after a trailing branch has been cut
    (int_identity__records cuts `<known city>分公司` first), so `上海锦晟建设工程有限公司广州分公司`
    and `上海锦晟建设工程` compare equal (the simulator's truth counts a branch as the same
    customer).
    identity_name_core: the base without the record's region as a leading prefix or as a
    bracketed city, so `济南至诚医药` and `至诚医药(济南)` both become `至诚医药`.
    Plain regexp_replace / substr / replace: identical on DuckDB and PostgreSQL. -#}
{% macro identity_name_base(name_without_branch) -%}
    nullif(
        regexp_replace({{ name_without_branch }}, '(股份有限公司|有限责任公司|有限公司)$', ''),
        ''
    )
{%- endmacro %}

{% macro identity_name_core(name_base, region) -%}
    coalesce(
        nullif(
            replace(
                case
                    when {{ region }} is not null
                        and length({{ name_base }}) > length({{ region }}) + 1
                        and substr({{ name_base }}, 1, length({{ region }})) = {{ region }}
                        then substr({{ name_base }}, length({{ region }}) + 1)
                    else {{ name_base }}
                end,
                '(' || coalesce({{ region }}, '') || ')',
                ''
            ),
            ''
        ),
        {{ name_base }}
    )
{%- endmacro %}

{#- The city an address starts with (`济南市科技园...` -> `济南`), or null. -#}
{% macro region_from_address(address) -%}
    case
        when strpos({{ address }}, '市') between 3 and 5
            then substr({{ address }}, 1, strpos({{ address }}, '市') - 1)
    end
{%- endmacro %}
