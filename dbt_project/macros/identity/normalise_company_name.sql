{#- A company name reduced to what identifies the company, for matching duplicates.

    1. full-width ASCII (！ .. ～, including （）［］) to half-width and the ideographic space to a
       space: DuckDB has no NFKC, so translate() covers the range input methods produce;
       【】 become [];
    2. lowercase (Latin tags such as AI / ai) and no blanks;
    3. drop status markers that users append to retired records: -已转出, [已删除], (作废);
    4. drop the legal form at the end: 股份有限公司, 有限责任公司, 有限公司.
    Branches (分公司) and the bracketed city stay: they may be different legal entities. -#}
{% macro normalise_company_name(expression) -%}
    {%- set full_width = "！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　【】" -%}
    {%- set half_width = "!\"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~ []" -%}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    lower(translate(trim({{ expression }}), '{{ full_width }}', '{{ half_width }}')),
                    '\s+', '', 'g'
                ),
                '(-已转出|\[已删除\]|\(作废\))+$', ''
            ),
            '(股份有限公司|有限责任公司|有限公司)$', ''
        ),
        ''
    )
{%- endmacro %}
