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
import math
from typing import Any

import duckdb
import numpy as np
import polars as pl

from models_ml.identity_features import record_features
from models_ml.identity_settings import (
    COMPARISONS,
    EM_BLOCKS,
    NOT_ERP_ERP,
    PRIOR_ITERATIONS,
    SMALL_EXTRACT_RECORDS,
    START_PRIOR,
    splink_settings,
)

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

logger = logging.getLogger(__name__)

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


def empty_pairs() -> pl.DataFrame:
    """A pairs frame with the stored columns and no rows."""
    return pl.DataFrame(schema=PAIR_COLUMNS)


def _prepare(con: duckdb.DuckDBPyConnection, records: pl.DataFrame) -> None:
    """Records as Splink's input table: the compared attributes of :mod:`identity_features`."""
    features = record_features(records)
    con.register("features_in", features.to_arrow())
    con.execute("create or replace table records as select * from features_in")
    con.unregister("features_in")


def _train(frame: Any, settings: dict[str, Any]) -> Any:
    """A linker trained from ``settings``: the prior by deterministic rules, u by random sampling,
    m by EM. A step that fails is logged and undone: the linker is rebuilt from the model as it
    stood before the step, so a half-applied step cannot leave it broken (on the large sample,
    EM on the name block underflowed and Splink had already dropped the name comparison)."""
    from splink import Linker

    steps = [
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
                        f"{block} and {NOT_ERP_ERP}", record_sample_proportion=1.0
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
    "name_core",
    "name_branch",
    "phone_list",
    "email_list",
    "domain_list",
    "address_normalised",
    "city",
    "province",
    "tax_id",
    "tax_entered",
)


def _with_levels_sql(predictions: str, prior: float) -> str:
    """Splink 5 keeps each field's match weight but not its level: name the level again by
    evaluating the same level conditions, first that holds wins, over the pair's records.
    Match weight and probability are recomputed with the estimated ``prior``; pairs below
    :data:`MIN_STORED_PROBABILITY` are dropped."""
    sides = ",\n".join(
        f"{side}.{column} as {column}_{side}" for column in _MATCHING_COLUMNS for side in ("l", "r")
    )
    prior_weight = math.log2(prior / (1.0 - prior))
    evidence = _field_weight_sql()
    cases = []
    for comparison in COMPARISONS:
        whens = "\n".join(
            f"when {level.sql} then '{level.label}'"
            for level in comparison.levels
            if level.sql != "else"
        )
        cases.append(f"case\n{whens}\nelse 'different' end as {comparison.name}_level")
    return f"""
        with weighted as (
            select
                * exclude (match_weight, match_probability),
                {prior_weight} + {evidence} as match_weight
            from {predictions}
        ),
        kept as (
            select *, 1.0 / (1.0 + pow(2.0, -match_weight)) as match_probability
            from weighted
            where 1.0 / (1.0 + pow(2.0, -match_weight)) >= {MIN_STORED_PROBABILITY}
        ),
        pairs as (
            select p.*, {sides}
            from kept as p
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
        small = records.height < SMALL_EXTRACT_RECORDS
        if small:
            linker = _documented_linker(frame, db_api, con)
        else:
            linker = _train(frame, splink_settings(START_PRIOR))
        predicted = linker.inference.predict()  # every blocked pair: the prior needs them all
        evidence = _field_weight_sql()
        weights = con.sql(f"select {evidence} as w from {predicted.physical_name}").fetchnumpy()
        pairs = _pair_count(records)
        if small:  # the prior of the population the extract is read as a part of
            pairs *= (SMALL_EXTRACT_RECORDS / records.height) ** 2
        prior = estimate_prior(np.asarray(weights["w"], dtype=float), pairs)
        logger.info("identity: estimated prior probability of a match %.3g", prior)
        scored = con.sql(_with_levels_sql(predicted.physical_name, prior)).pl()
    finally:
        con.close()
    return _to_pairs(scored)


def _documented_linker(frame: Any, db_api: Any, con: duckdb.DuckDBPyConnection) -> Any:
    """A linker for a small extract (see :data:`SMALL_EXTRACT_RECORDS`): documented m and u, no
    estimation, and name frequencies counted against that many records, so a legal name on two
    records of a 41-record extract is as rare as on two of 10,000."""
    from splink import Linker

    linker = Linker(
        frame, splink_settings(START_PRIOR, documented_u=True), log_level=logging.WARNING
    )
    for level in (level for comparison in COMPARISONS for level in comparison.levels):
        if level.tf_column is None:
            continue
        column = level.tf_column
        con.execute(
            f"create or replace table tf_{column} as select {column}, "
            f"count(*) / greatest({SMALL_EXTRACT_RECORDS}, (select count(*) from records)) "
            f"as tf_{column} from records where {column} is not null group by 1"
        )
        lookup = db_api.register(f"tf_{column}", table_name=f"tf_lookup_{column}")
        linker.table_management.register_term_frequency_lookup(lookup, column)
    return linker


def _pair_count(records: pl.DataFrame) -> float:
    """Pairs Splink could compare: all pairs but ERP-ERP ones."""
    n = records.height
    n_erp = records.filter(pl.col("source_system") == "erp").height
    return n * (n - 1) / 2 - n_erp * (n_erp - 1) / 2


def _field_weight_sql() -> str:
    """The sum of every field's match weight (term-frequency adjustment included), no prior."""
    terms = []
    for comparison in COMPARISONS:
        terms.append(f"coalesce(mw_{comparison.name}, 0)")
        if any(level.tf_column for level in comparison.levels):
            terms.append(f"coalesce(mw_tf_adj_{comparison.name}, 0)")
    return " + ".join(terms)


def estimate_prior(
    field_weights: np.ndarray,
    total_pairs: float,
    start: float = START_PRIOR,
    iterations: int = PRIOR_ITERATIONS,
) -> float:
    """The probability that two random records match, estimated from the data.

    ``field_weights`` are the summed field match weights (log2 Bayes factors) of every blocked
    pair; pairs no blocking rule reaches count as non-matches. The prior is the fixed point of
    prior = (sum of the pairs' match probabilities under that prior) / total pairs, found by
    iteration (an EM step on the mixing proportion with the m and u probabilities held).
    """
    if total_pairs <= 0 or field_weights.size == 0:
        return start
    factors = np.exp2(np.clip(field_weights, -60.0, 60.0))
    prior = start
    for _ in range(iterations):
        odds = prior / (1.0 - prior)
        expected = float(np.sum(odds * factors / (1.0 + odds * factors)))
        updated = min(max(expected / total_pairs, 1e-12), 0.5)
        if abs(updated - prior) <= 1e-6 * prior:
            return updated
        prior = updated
    return prior


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
