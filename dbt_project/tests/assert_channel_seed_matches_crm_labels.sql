-- The channels seed and the crm_source_channels macro staging decodes with name the same
-- label -> code pairs: a row here is a pair only one of them knows.

with

seed_pairs as (

    select
        crm_source_label,
        channel
    from {{ ref('channels') }}
    where crm_source_label is not null

),

macro_pairs as (

    {% for label, channel in crm_source_channels().items() %}
        select
            '{{ label }}' as crm_source_label,
            '{{ channel }}' as channel
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

only_seed as (

    select * from seed_pairs
    except
    select * from macro_pairs

),

only_macro as (

    select * from macro_pairs
    except
    select * from seed_pairs

)

select * from only_seed
union all
select * from only_macro
