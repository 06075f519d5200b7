"""Probabilistic identity resolution of CRM and ERP customer records with Splink on DuckDB.

dbt phase 1 builds ``intermediate.int_identity__records`` (one row per CRM or ERP customer record
with normalised names, phones, e-mails, address, region and tax id). :func:`score_record_pairs`
turns those records into scored candidate pairs with the evidence of every compared field;
:func:`write_match_pairs` stores them as ``identity.match_pairs`` in the build file, where dbt
phase 2 reads them as a source, adds the deterministic links and the analyst overrides, and
clusters the links into golden customers.

The model is a Fellegi-Sunter model (Splink 5): u probabilities come from random record pairs,
m probabilities from expectation maximisation on pairs blocked by phone and by name, starting
from the documented priors in :data:`COMPARISONS`. Nothing is trained on the simulator's truth.
ERP-ERP pairs are never scored: the ERP keeps one record per company.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

MODEL_VERSION = "identity-splink-1"
RECORDS_TABLE = "intermediate.int_identity__records"
PAIRS_SCHEMA = "identity"
PAIRS_TABLE = "match_pairs"
# pairs below this probability are not kept: they are neither links nor useful near misses
MIN_STORED_PROBABILITY = 0.01
RANDOM_SEED = 42
# random record pairs for the u probabilities: enough for levels seen in 1 of 10^5 pairs, and a
# fixed cost (a few seconds) whatever the scale
U_SAMPLE_PAIRS = 5e5
# a mail domain on more records than this is a public provider, not a company's own domain
MAX_RECORDS_PER_COMPANY_DOMAIN = 10

logger = logging.getLogger(__name__)

# only pairs with a CRM record on at least one side: the ERP holds one record per company
_NOT_ERP_ERP = "(l.source_system = 'crm' or r.source_system = 'crm')"
BLOCKING_RULES = (
    "l.name_core = r.name_core",
    "l.primary_phone = r.primary_phone",
    "l.address_normalised = r.address_normalised",
    "l.email = r.email",
    "l.tax_id_prefix = r.tax_id_prefix",
)
# training blocks: EM learns the m of every comparison that is not part of the block
EM_BLOCKS = ("l.primary_phone = r.primary_phone", "l.name_core = r.name_core")
# deterministic rules for the prior probability that two random records match
PRIOR_RULES = ("l.name_core = r.name_core and l.primary_phone = r.primary_phone",)
PRIOR_RECALL = 0.8


@dataclass(frozen=True)
class Level:
    """One comparison level: SQL over ``<col>_l`` / ``<col>_r``, its label and its prior m."""

    label: str
    sql: str
    m: float | None = None  # None: the null level (no evidence either way)
    tf_column: str | None = None


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
            Level("exact base name", "name_base_l = name_base_r", 0.80, "name_base"),
            Level("same name without region", "name_core_l = name_core_r", 0.08),
            Level("one character apart", "levenshtein(name_core_l, name_core_r) <= 1", 0.07),
            Level(
                "similar (Jaro-Winkler >= 0.85)",
                "jaro_winkler_similarity(name_core_l, name_core_r) >= 0.85",
                0.03,
            ),
            Level("different", "else", 0.02),
        ),
    ),
    Comparison(
        "phone",
        (
            _null("phone_list"),
            Level("shared phone", "len(list_intersect(phone_list_l, phone_list_r)) >= 1", 0.85),
            Level("different", "else", 0.15),
        ),
    ),
    Comparison(
        "email",
        (
            _null("email_list"),
            Level("shared e-mail", "len(list_intersect(email_list_l, email_list_r)) >= 1", 0.80),
            Level(
                "same company mail domain",
                "len(list_intersect(domain_list_l, domain_list_r)) >= 1",
                0.10,
            ),
            Level("different", "else", 0.10),
        ),
    ),
    Comparison(
        "address",
        (
            _null("address_normalised"),
            Level("exact", "address_normalised_l = address_normalised_r", 0.90),
            Level(
                "similar (Jaro-Winkler >= 0.9)",
                "jaro_winkler_similarity(address_normalised_l, address_normalised_r) >= 0.9",
                0.05,
            ),
            Level("different", "else", 0.05),
        ),
    ),
    Comparison(
        "region",
        (
            _null("region"),
            Level("same", "region_l = region_r", 0.97),
            Level("different", "else", 0.03),
        ),
    ),
    Comparison(
        "tax_id",
        (
            _null("tax_id_prefix"),
            Level("same valid code", "tax_id_l = tax_id_r", 0.90),
            Level("same first 17 characters", "tax_id_prefix_l = tax_id_prefix_r", 0.07),
            Level("different", "else", 0.03),
        ),
    ),
)

PAIR_COLUMNS: dict[str, pl.DataType] = {
    "left_system": pl.Utf8(),
    "left_record_id": pl.Utf8(),
    "right_system": pl.Utf8(),
    "right_record_id": pl.Utf8(),
    "match_weight": pl.Float64(),
    "match_probability": pl.Float64(),
    **{
        column: dtype
        for comparison in COMPARISONS
        for column, dtype in (
            (f"{comparison.name}_level", pl.Utf8()),
            (f"{comparison.name}_weight", pl.Float64()),
        )
    },
    "model_version": pl.Utf8(),
}
_DUCKDB_TYPES = {pl.Utf8(): "varchar", pl.Float64(): "double"}


def splink_settings(prior_probability: float = 1e-4) -> dict[str, Any]:
    """The Splink settings dictionary: comparisons with their prior m, blocking rules."""
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
            {"blocking_rule": f"{rule} and {_NOT_ERP_ERP}"} for rule in BLOCKING_RULES
        ],
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
    }


def empty_pairs() -> pl.DataFrame:
    """A pairs frame with the stored columns and no rows."""
    return pl.DataFrame(schema=PAIR_COLUMNS)


def _prepare(con: duckdb.DuckDBPyConnection, records: pl.DataFrame) -> None:
    """Records as Splink's input table: '|'-joined phones and e-mails become lists."""
    con.register("records_in", records.to_arrow())
    # a domain many records share is a public mail provider (qq.com, 163.com): no evidence
    con.execute(
        f"""
        create or replace table company_domains as
        select domain
        from (
            select distinct record_key, split_part(unnest(string_split(emails, '|')), '@', 2)
                as domain
            from records_in
        )
        where domain <> ''
        group by domain
        having count(*) <= {MAX_RECORDS_PER_COMPANY_DOMAIN}
        """
    )
    con.execute(
        """
        create or replace table records as
        select
            record_key,
            source_system,
            name_base,
            name_core,
            primary_phone,
            nullif(list_filter(string_split(coalesce(phones, ''), '|'), lambda x: x <> ''), [])
                as phone_list,
            email,
            nullif(list_filter(string_split(coalesce(emails, ''), '|'), lambda x: x <> ''), [])
                as email_list,
            domains.domain_list,
            email_domain,
            address_normalised,
            region,
            tax_id,
            tax_id_prefix
        from records_in
        left join (
            select record_key, list(distinct domain) as domain_list
            from (
                select record_key, split_part(unnest(string_split(emails, '|')), '@', 2)
                    as domain
                from records_in
            )
            where domain in (select domain from company_domains)
            group by record_key
        ) as domains using (record_key)
        """
    )
    con.unregister("records_in")


def _train(frame: Any, settings: dict[str, Any]) -> Any:
    """A linker trained from ``settings``: the prior by deterministic rules, u by random sampling,
    m by EM. A step that fails is logged and undone: the linker is rebuilt from the model as it
    stood before the step, so a half-applied step cannot leave it broken (on the large sample,
    EM on the name block underflowed and Splink had already dropped the name comparison)."""
    from splink import Linker

    steps = [
        (
            "prior probability",
            lambda linker: linker.training.estimate_probability_two_random_records_match(
                [f"{rule} and {_NOT_ERP_ERP}" for rule in PRIOR_RULES], recall=PRIOR_RECALL
            ),
        ),
        (
            "u (random sampling)",
            lambda linker: linker.training.estimate_u_using_random_sampling(
                max_pairs=U_SAMPLE_PAIRS, seed=RANDOM_SEED, num_chunks=1
            ),
        ),
        *(
            (
                f"m (EM on {block})",
                lambda linker, block=block: (
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        f"{block} and {_NOT_ERP_ERP}", record_sample_proportion=1.0
                    )
                ),
            )
            for block in EM_BLOCKS
        ),
    ]
    linker = Linker(frame, settings, log_level=logging.WARNING)
    for name, step in steps:
        before = linker.misc.save_model_to_json()
        try:
            step(linker)
        except Exception as error:
            logger.warning("identity: %s not estimated, earlier estimates kept (%s)", name, error)
            linker = Linker(frame, before, log_level=logging.WARNING)
    return linker


_MATCHING_COLUMNS = (
    "name_base",
    "name_core",
    "phone_list",
    "email_list",
    "domain_list",
    "address_normalised",
    "region",
    "tax_id",
    "tax_id_prefix",
)


def _with_levels_sql(predictions: str) -> str:
    """Splink 5 keeps each field's match weight but not its level: name the level again by
    evaluating the same level conditions, first that holds wins, over the pair's records."""
    sides = ",\n".join(
        f"{side}.{column} as {column}_{side}" for column in _MATCHING_COLUMNS for side in ("l", "r")
    )
    cases = []
    for comparison in COMPARISONS:
        whens = "\n".join(
            f"when {level.sql} then '{level.label}'"
            for level in comparison.levels
            if level.sql != "else"
        )
        cases.append(f"case\n{whens}\nelse 'different' end as {comparison.name}_level")
    return f"""
        with pairs as (
            select p.*, {sides}
            from {predictions} as p
            join records as l on l.record_key = p.record_key_l
            join records as r on r.record_key = p.record_key_r
        )
        select *, {", ".join(cases)}
        from pairs
    """


def score_record_pairs(records: pl.DataFrame) -> pl.DataFrame:
    """Scored candidate pairs of customer records, with the evidence per compared field.

    ``records`` has the columns of ``int_identity__records``. Returns one row per candidate pair
    (left record key < right record key, never ERP-ERP) with match weight and probability and,
    per comparison, the level reached and its match weight (log2 Bayes factor, term-frequency
    adjustment included). Returns an empty frame when there is nothing to compare.
    """
    if records.height < 2 or records.filter(pl.col("source_system") == "crm").is_empty():
        return empty_pairs()

    from splink import DuckDBAPI

    con = duckdb.connect()
    try:
        _prepare(con, records)
        db_api = DuckDBAPI(connection=con)
        frame = db_api.register("records", table_name="customer_records")
        linker = _train(frame, splink_settings())
        predicted = linker.inference.predict(threshold_match_probability=MIN_STORED_PROBABILITY)
        scored = con.sql(_with_levels_sql(predicted.physical_name)).pl()
    finally:
        con.close()
    return _to_pairs(scored)


def _to_pairs(scored: pl.DataFrame) -> pl.DataFrame:
    if scored.is_empty():
        return empty_pairs()
    columns = [
        pl.col("record_key_l").str.split_exact(":", 1).struct.field("field_0").alias("left_system"),
        pl.col("record_key_l")
        .str.split_exact(":", 1)
        .struct.field("field_1")
        .alias("left_record_id"),
        pl.col("record_key_r")
        .str.split_exact(":", 1)
        .struct.field("field_0")
        .alias("right_system"),
        pl.col("record_key_r")
        .str.split_exact(":", 1)
        .struct.field("field_1")
        .alias("right_record_id"),
        pl.col("match_weight").cast(pl.Float64),
        pl.col("match_probability").cast(pl.Float64),
    ]
    for comparison in COMPARISONS:
        name = comparison.name
        columns.append(pl.col(f"{name}_level"))
        weight = pl.col(f"mw_{name}").cast(pl.Float64)
        tf_column = f"mw_tf_adj_{name}"
        if tf_column in scored.columns:
            weight = weight + pl.col(tf_column).cast(pl.Float64).fill_null(0.0)
        columns.append(weight.fill_null(0.0).alias(f"{name}_weight"))
    columns.append(pl.lit(MODEL_VERSION).alias("model_version"))
    pairs = scored.select(columns)
    # left key < right key, whatever order Splink chose
    swap = (pl.col("left_system") + ":" + pl.col("left_record_id")) > (
        pl.col("right_system") + ":" + pl.col("right_record_id")
    )
    pairs = pairs.with_columns(
        pl.when(swap).then(pl.col("right_system")).otherwise(pl.col("left_system")).alias("ls"),
        pl.when(swap)
        .then(pl.col("right_record_id"))
        .otherwise(pl.col("left_record_id"))
        .alias("lr"),
        pl.when(swap).then(pl.col("left_system")).otherwise(pl.col("right_system")).alias("rs"),
        pl.when(swap)
        .then(pl.col("left_record_id"))
        .otherwise(pl.col("right_record_id"))
        .alias("rr"),
    )
    pairs = pairs.with_columns(
        left_system=pl.col("ls"),
        left_record_id=pl.col("lr"),
        right_system=pl.col("rs"),
        right_record_id=pl.col("rr"),
    ).select(list(PAIR_COLUMNS))
    return pairs.sort(["left_system", "left_record_id", "right_system", "right_record_id"])


def read_records(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The records phase 1 built (empty frame if the table has no rows)."""
    return con.sql(f"select * from {RECORDS_TABLE}").pl()


def write_match_pairs(con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame) -> int:
    """Replace ``identity.match_pairs`` with ``pairs`` (typed even when empty); return rows."""
    columns = ",\n    ".join(
        f"{name} {_DUCKDB_TYPES[dtype]}" for name, dtype in PAIR_COLUMNS.items()
    )
    con.execute(f"create schema if not exists {PAIRS_SCHEMA}")
    con.execute(f"create or replace table {PAIRS_SCHEMA}.{PAIRS_TABLE} (\n    {columns}\n)")
    if not pairs.is_empty():
        con.register("pairs_in", pairs.select(list(PAIR_COLUMNS)).to_arrow())
        con.execute(f"insert into {PAIRS_SCHEMA}.{PAIRS_TABLE} select * from pairs_in")
        con.unregister("pairs_in")
    return pairs.height
