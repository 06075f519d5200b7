"""The Splink model of identity resolution as data: the compared fields with their levels and
documented prior m probabilities, the blocking rules and the EM training blocks, and the Splink
settings dictionary built from them (see :mod:`models_ml.identity` for how they are used)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# only pairs with a CRM record on at least one side: the ERP holds one record per company
NOT_ERP_ERP = "(l.source_system = 'crm' or r.source_system = 'crm')"
# blocking rules: each survives one variant at a time (a typo in the name still shares a fuzzy
# key, a typo in the credit code still shares its head or tail, every phone and e-mail counts)
BLOCKING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("l.name_core = r.name_core", ()),
    ("l.phone_list = r.phone_list", ("phone_list",)),
    ("l.email_list = r.email_list", ("email_list",)),
    ("l.tax_head = r.tax_head", ()),
    ("l.tax_tail = r.tax_tail", ()),
    ("l.fuzzy_keys = r.fuzzy_keys", ("fuzzy_keys",)),
    ("l.address_normalised = r.address_normalised", ()),
)
# training blocks: EM learns the m of every comparison that is not part of the block
EM_BLOCKS = ("l.name_core = r.name_core", "l.tax_head = r.tax_head")
# the prior is estimated from the data (see estimate_prior): this is only its starting value
START_PRIOR = 1e-4
PRIOR_ITERATIONS = 50
# Below this many records the model is not estimated from the extract, it is read as part of a
# population this large: documented m and u (u = the medium sample's random-sampling estimates,
# rounded), name frequencies and the prior relative to this many records. In a small extract
# dense in duplicates, random pairs are often matches (u estimates come out as match rates) and
# every name is on two or three records (an exact name weighed about nothing): 15 of 22 true
# pairs linked in the bring-your-own test of issue 13.
# OFF (0) for now: with documented u a shared switchboard and address outweigh a different
# name, so a record without a credit code chained a sister company (its own valid code, same
# switchboard and building) into its parent's golden customer in the bring-your-own test. It
# comes back with a rule that keeps two valid codes out of one cluster, not only out of one link.
SMALL_EXTRACT_RECORDS = 0


@dataclass(frozen=True)
class Level:
    """One comparison level: SQL over ``<col>_l`` / ``<col>_r``, its label, its prior m and its
    documented u (see :data:`SMALL_EXTRACT_RECORDS`)."""

    label: str
    sql: str
    m: float | None = None  # None: the null level (no evidence either way)
    tf_column: str | None = None
    u: float | None = None


@dataclass(frozen=True)
class Comparison:
    """One compared field: its levels in order, the first level that holds wins."""

    name: str
    levels: tuple[Level, ...]


def _null(*columns: str) -> Level:
    condition = " or ".join(f"{c}_l is null or {c}_r is null" for c in columns)
    return Level("null", condition)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "name",
        (
            _null("name_core"),
            Level(
                "exact name",
                "name_core_l = name_core_r and name_branch_l = name_branch_r",
                0.735,
                "name_core",
                u=1e-5,
            ),
            Level("same name, another branch", "name_core_l = name_core_r", 0.005, u=2e-6),
            Level(
                "one character apart",
                "damerau_levenshtein(name_core_l, name_core_r) <= 1",
                0.12,
                u=5e-4,
            ),
            Level(
                "similar (Jaro-Winkler >= 0.88)",
                "jaro_winkler_similarity(name_core_l, name_core_r) >= 0.88",
                0.06,
                u=1.5e-4,
            ),
            Level("different", "else", 0.08, u=0.9993),
        ),
    ),
    Comparison(
        "phone",
        (
            _null("phone_list"),
            Level(
                "shared phone",
                "len(list_intersect(phone_list_l, phone_list_r)) >= 1",
                0.75,
                u=1.2e-5,
            ),
            Level("different", "else", 0.25, u=1.0),
        ),
    ),
    Comparison(
        "email",
        (
            _null("email_list"),
            Level(
                "shared e-mail",
                "len(list_intersect(email_list_l, email_list_r)) >= 1",
                0.75,
                u=1e-5,
            ),
            Level(
                "same company mail domain",
                "len(list_intersect(domain_list_l, domain_list_r)) >= 1",
                # rare among true pairs (EM on medium: about 0), common among sister companies
                0.01,
                u=2.6e-5,
            ),
            Level("different", "else", 0.24, u=1.0),
        ),
    ),
    Comparison(
        "address",
        (
            _null("address_normalised"),
            Level("exact", "address_normalised_l = address_normalised_r", 0.90, u=1e-5),
            Level(
                "similar (Jaro-Winkler >= 0.9)",
                "jaro_winkler_similarity(address_normalised_l, address_normalised_r) >= 0.9",
                0.05,
                u=8e-4,
            ),
            Level("different", "else", 0.05, u=0.9992),
        ),
    ),
    Comparison(
        "region",
        (
            Level(
                "null",
                "(city_l is null or city_r is null) and (province_l is null or province_r is null)",
            ),
            Level("same city", "city_l = city_r", 0.93, u=0.048),
            Level("same province", "province_l = province_r", 0.04, u=0.05),
            Level("different", "else", 0.03, u=0.902),
        ),
    ),
    Comparison(
        "tax_id",
        (
            _null("tax_entered"),
            Level("same valid code", "tax_id_l = tax_id_r", 0.88, u=1.3e-5),
            Level(
                "one typo apart",
                "(tax_id_l is null or tax_id_r is null)"
                " and damerau_levenshtein(tax_entered_l, tax_entered_r) <= 1",
                0.08,
                u=1e-5,
            ),
            Level("two valid codes differ", "tax_id_l <> tax_id_r", 0.01, u=0.954),
            Level("different", "else", 0.03, u=0.046),
        ),
    ),
)


def splink_settings(prior_probability: float = 1e-4, documented_u: bool = False) -> dict[str, Any]:
    """The Splink settings dictionary: comparisons with their prior m (and, with
    ``documented_u``, their documented u), blocking rules."""
    comparisons = []
    for comparison in COMPARISONS:
        levels = []
        for level in comparison.levels:
            entry: dict[str, Any] = {
                "sql_condition": "ELSE" if level.sql == "else" else level.sql,
                "label_for_charts": level.label,
            }
            if level.m is None:
                entry["is_null_level"] = True
            else:
                entry["m_probability"] = level.m
                if documented_u and level.u is not None:
                    entry["u_probability"] = level.u
            if level.tf_column:
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
            levels.append(entry)
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_key",
        "probability_two_random_records_match": prior_probability,
        "blocking_rules_to_generate_predictions": [
            {
                "blocking_rule": f"{rule} and {NOT_ERP_ERP}",
                **({"arrays_to_explode": list(arrays)} if arrays else {}),
            }
            for rule, arrays in BLOCKING_RULES
        ],
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
    }
