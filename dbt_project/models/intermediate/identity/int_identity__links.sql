-- Every link between two customer records, with the rule that made it and the evidence:
-- deterministic links first (the ERP code kept in the CRM custom field, the same valid credit
-- code), then Splink pairs at or above the match probability threshold, then the analysts'
-- force_match overrides; force_split overrides remove whatever linked the two records directly.
-- One row per linked pair, left record key < right record key.
-- Evidence beats a typed field: an ERP code typed into the CRM does not link when the two records
-- carry different valid credit codes (int_identity__conflicts lists those for review), and no
-- Splink score links two records with different valid credit codes.
-- TANDEM_IDENTITY_CUSTOMER_ENTITY (TandemSettings.identity_customer_entity) says whether a
-- branch (…分公司 with its own credit code) is its own customer (`legal_entity`, the default)
-- or part of its parent's (`group`: rule `branch_of`).

{%- set threshold = var('identity_match_probability', 0.99) %}
{%- set customer_entity = env_var('TANDEM_IDENTITY_CUSTOMER_ENTITY', 'legal_entity') %}

with

records as (

    select * from {{ ref('int_identity__records') }}

),

scored_pairs as (

    select
        left_system || ':' || left_record_id as left_record_key,
        right_system || ':' || right_record_id as right_record_key,
        *
    from {{ raw_source('identity', 'match_pairs') }}

),

overrides as (

    select
        action,
        case
            when left_system || ':' || left_record_id < right_system || ':' || right_record_id
                then left_system || ':' || left_record_id
            else right_system || ':' || right_record_id
        end as left_record_key,
        case
            when left_system || ':' || left_record_id < right_system || ':' || right_record_id
                then right_system || ':' || right_record_id
            else left_system || ':' || left_record_id
        end as right_record_key,
        reason
    from {{ ref('identity_overrides') }}

),

erp_code_links as (

    select
        crm.record_key as left_record_key,
        erp.record_key as right_record_key,
        'erp_code' as link_rule,
        1 as rule_priority,
        cast(null as varchar) as reason
    from records as crm
    inner join records as erp
        on
            crm.claimed_erp_customer_code = erp.source_record_id
            and erp.source_system = 'erp'
    where
        crm.source_system = 'crm'
        -- the int_identity__conflicts condition: credit codes that name two companies
        and (
            not {{ tax_ids_contradict('crm.tax_id_entered', 'crm.tax_id', 'erp.tax_id') }}
            {%- if customer_entity == 'group' %}
                or crm.is_branch
            {%- endif %}
        )

),

-- group mode only: a branch record links to the records of its parent's name
branch_links as (

    select
        case
            when branch.record_key < parent.record_key then branch.record_key
            else parent.record_key
        end as left_record_key,
        case
            when branch.record_key < parent.record_key then parent.record_key
            else branch.record_key
        end as right_record_key,
        'branch_of' as link_rule,
        2 as rule_priority,
        cast(null as varchar) as reason
    from records as branch
    inner join records as parent
        on branch.name_base = parent.name_base
    where
        {{ 'true' if customer_entity == 'group' else 'false' }}
        and branch.is_branch
        and not parent.is_branch
        and (branch.source_system = 'crm' or parent.source_system = 'crm')

),

-- every record with a valid credit code links to one anchor record of that code (an ERP
-- record when there is one): a star, not all pairs, so a shared code costs n - 1 links
tax_id_anchors as (

    select
        tax_id,
        min(case when source_system = 'erp' then '0' else '1' end || record_key) as anchor
    from records
    where tax_id is not null
    group by 1

),

tax_id_links as (

    select
        case
            when records.record_key < substr(anchors.anchor, 2) then records.record_key
            else substr(anchors.anchor, 2)
        end as left_record_key,
        case
            when records.record_key < substr(anchors.anchor, 2) then substr(anchors.anchor, 2)
            else records.record_key
        end as right_record_key,
        'tax_id' as link_rule,
        2 as rule_priority,
        cast(null as varchar) as reason
    from records
    inner join tax_id_anchors as anchors
        on records.tax_id = anchors.tax_id
    where records.record_key <> substr(anchors.anchor, 2)

),

splink_links as (

    select
        scored_pairs.left_record_key,
        scored_pairs.right_record_key,
        'splink' as link_rule,
        3 as rule_priority,
        cast(null as varchar) as reason
    from scored_pairs
    left join records as left_records
        on scored_pairs.left_record_key = left_records.record_key
    left join records as right_records
        on scored_pairs.right_record_key = right_records.record_key
    where
        scored_pairs.match_probability >= {{ threshold }}
        -- two different valid credit codes are two legal entities, whatever else they share
        -- (a switchboard, an address, a brand): a score never links them
        and not coalesce(left_records.tax_id <> right_records.tax_id, false)

),

forced_links as (

    select
        left_record_key,
        right_record_key,
        'force_match' as link_rule,
        0 as rule_priority,
        reason
    from overrides
    where action = 'force_match'

),

candidate_links as (

    select * from forced_links
    union all
    select * from erp_code_links
    union all
    select * from tax_id_links
    union all
    select * from branch_links
    union all
    select * from splink_links

),

ranked as (

    select
        *,
        row_number() over (
            partition by left_record_key, right_record_key
            order by rule_priority
        ) as rule_rank,
        count(*) over (partition by left_record_key, right_record_key) as rule_count
    from candidate_links

),

-- force_split wins over every rule: the pair is not linked directly
kept as (

    select ranked.*
    from ranked
    left join overrides as splits
        on
            ranked.left_record_key = splits.left_record_key
            and ranked.right_record_key = splits.right_record_key
            and splits.action = 'force_split'
    where ranked.rule_rank = 1 and splits.action is null

),

final as (

    select
        kept.left_record_key || '~' || kept.right_record_key as link_id,
        kept.left_record_key,
        kept.right_record_key,
        left_records.source_system as left_system,
        left_records.source_record_id as left_record_id,
        right_records.source_system as right_system,
        right_records.source_record_id as right_record_id,
        kept.link_rule,
        cast(kept.rule_count as integer) as rule_count,
        kept.reason as override_reason,
        scored_pairs.match_probability,
        scored_pairs.match_weight,
        scored_pairs.name_level,
        scored_pairs.name_weight,
        scored_pairs.phone_level,
        scored_pairs.phone_weight,
        scored_pairs.email_level,
        scored_pairs.email_weight,
        scored_pairs.address_level,
        scored_pairs.address_weight,
        scored_pairs.region_level,
        scored_pairs.region_weight,
        scored_pairs.tax_id_level,
        scored_pairs.tax_id_weight,
        scored_pairs.model_version
    from kept
    -- an override may name a record that no longer exists: no link then
    inner join records as left_records
        on kept.left_record_key = left_records.record_key
    inner join records as right_records
        on kept.right_record_key = right_records.record_key
    left join scored_pairs
        on
            kept.left_record_key = scored_pairs.left_record_key
            and kept.right_record_key = scored_pairs.right_record_key

)

select * from final
