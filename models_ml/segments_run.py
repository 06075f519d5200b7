"""One segments run against a warehouse: clusters, profiles, month-end history and migration.

``build_segments`` is what the Dagster asset ``ml_segments`` runs. It writes

- ``ml.customer_clusters``: every buying customer's cluster and RFM segment at the as-of date;
- ``ml.cluster_profiles``: size, value, medians and the name of every cluster;
- ``ml.segment_history``: RFM segment and cluster of every customer at every month end;
- ``ml.segment_migration``: the from/to matrix (customers, revenue) between the last two month
  ends, for the RFM segments and for the clusters (``models_ml.segment_history.
  migration_matrix`` gives it between any two month ends).

The model card is ``docs/models/segments.md``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models_ml import segment_clusters
from models_ml.clv_run import write_tables
from models_ml.model_runs import ModelRun, NotEnoughData
from models_ml.rfm import score_rfm
from models_ml.segment_history import (
    DIMENSIONS,
    membership,
    migration_matrix,
    month_ends,
    snapshot_features,
)

MODEL = "segments"
MIN_MONTH_ENDS = 2


def build_segments(con, as_of: dt.date) -> tuple[dict[str, pl.DataFrame], ModelRun]:
    """Fit the clusters at ``as_of``, place every customer at every month end, write the tables.

    Raises :class:`NotEnoughData` (and writes nothing) without enough customers or month ends.
    """
    first = con.execute(
        "select min(order_date) from core.fct_order_lines"
        " where is_approved and customer_key is not null and order_date <= ?",
        [as_of],
    ).fetchall()[0][0]
    if first is None:
        raise NotEnoughData(f"no approved order on or before {as_of}: nobody to segment")
    ends = month_ends(first, as_of)
    if len(ends) < MIN_MONTH_ENDS:
        raise NotEnoughData(
            f"orders from {first} to {as_of} cover {len(ends)} month end(s); migration needs"
            f" at least {MIN_MONTH_ENDS}"
        )
    snapshots = snapshot_features(con, sorted({*ends, as_of}))
    current = snapshots.filter(pl.col("snapshot_date") == as_of).drop("snapshot_date")
    model = segment_clusters.fit_clusters(current)

    rfm = score_rfm(current, as_of).select("customer_key", pl.col("segment").alias("rfm_segment"))
    customers = (
        model.assign(current)
        .join(rfm, on="customer_key")
        .with_columns(
            pl.lit(as_of).alias("as_of_date"),
            pl.lit(segment_clusters.MODEL_VERSION).alias("model_version"),
        )
        .sort("customer_key")
    )
    profiles = (
        segment_clusters.profile_clusters(customers)
        .with_columns(
            pl.col("cluster_id").replace_strict(model.names).alias("cluster_name"),
            pl.lit(as_of).alias("as_of_date"),
            pl.lit(segment_clusters.MODEL_VERSION).alias("model_version"),
        )
        .select("cluster_id", "cluster_name", pl.exclude("cluster_id", "cluster_name"))
    )
    history = membership(snapshots.filter(pl.col("snapshot_date").is_in(ends)), model).with_columns(
        pl.lit(segment_clusters.MODEL_VERSION).alias("model_version")
    )
    migration = pl.concat(
        [migration_matrix(history, ends[-2], ends[-1], dimension) for dimension in DIMENSIONS]
    )
    tables = {
        "customer_clusters": customers,
        "cluster_profiles": profiles,
        "segment_history": history,
        "segment_migration": migration,
    }
    write_tables(con, tables)
    run = ModelRun(
        MODEL,
        segment_clusters.MODEL_VERSION,
        as_of,
        parameters={
            "features": list(segment_clusters.FEATURES),
            "transform": "log1p, standardised",
            "algorithm": "k-means (n_init=4)",
            "k_range": [min(segment_clusters.K_RANGE), max(segment_clusters.K_RANGE)],
            "silhouette_sample": segment_clusters.SILHOUETTE_SAMPLE,
            "random_state": segment_clusters.RANDOM_STATE,
            "k": model.k,
        },
        data_window=f"orders {first} .. {as_of}; {len(ends)} month ends",
        metrics={
            "k": model.k,
            "silhouette": model.silhouettes[model.k],
            "silhouette_by_k": {str(k): v for k, v in model.silhouettes.items()},
            "clusters": {
                name: size
                for name, size in profiles.select("cluster_name", "customers").iter_rows()
            },
            "customers": customers.height,
            "month_ends": len(ends),
            "history_rows": history.height,
        },
        rows_written=customers.height,
    )
    return tables, run
