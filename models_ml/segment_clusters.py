"""Behavioural clusters of the buying customers (scikit-learn), named from their profiles.

The RFM grid (``models_ml.rfm``, ``rfm-1``) cuts customers along fixed quintiles; the clusters
let the data say which groups there are. Features are the RFM measures and the tenure, each
log-transformed (order values and counts are heavy-tailed) and standardised; k-means with the k
of the best silhouette in ``K_RANGE`` (silhouette on a fixed random sample, so a large company
costs no more than a medium one). Clusters are numbered by value (1 = the most revenue in the
last 12 months per customer) and named by ``cluster_name`` from fixed rules on their medians,
so the same data always gives the same names.

Margin is profiled but not a feature: the margin rate mostly says which products a customer
buys, and clusters of buying behaviour are easier to act on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from models_ml.model_runs import NotEnoughData

MODEL_VERSION = "segments-1"
K_RANGE = range(3, 9)  # fewer than 3 says little; more than 8 nobody reads
SILHOUETTE_SAMPLE = 5000
RANDOM_STATE = 42
MIN_CUSTOMERS = 30
FEATURES = ("recency_days", "frequency", "monetary", "tenure_days")

# naming rules (days and ratios to the median customer)
ACTIVE_DAYS = 90
LAPSING_DAYS = 365
NEW_TENURE_DAYS = 180
# value index = share of revenue / share of customers (1 = an average cluster)
HIGH_VALUE_INDEX = 1.25
LOW_VALUE_INDEX = 0.75


@dataclass(frozen=True)
class ClusterModel:
    """Scaler and k-means fitted at one date, with the cluster ids and names by k-means label."""

    scaler: StandardScaler
    kmeans: KMeans
    cluster_ids: dict[int, int]
    names: dict[int, str]
    silhouettes: dict[int, float]

    @property
    def k(self) -> int:
        return int(self.kmeans.n_clusters)

    def assign(self, features: pl.DataFrame) -> pl.DataFrame:
        """``features`` with ``cluster_id`` and ``cluster_name`` of the nearest centre."""
        labels = self.kmeans.predict(self.scaler.transform(feature_matrix(features)))
        ids = [self.cluster_ids[int(label)] for label in labels]
        return features.with_columns(
            pl.Series("cluster_id", ids, dtype=pl.Int32),
            pl.Series("cluster_name", [self.names[i] for i in ids], dtype=pl.String),
        )


def feature_matrix(features: pl.DataFrame) -> np.ndarray:
    """log(1 + measure) of each feature; negative monetary values (returns) count as zero."""
    return np.column_stack(
        [
            np.log1p(np.clip(features[name].cast(pl.Float64).to_numpy(), 0, None))
            for name in FEATURES
        ]
    )


def choose_k(scaled: np.ndarray) -> tuple[dict[int, float], dict[int, KMeans]]:
    """Silhouette of k-means for every k of ``K_RANGE`` the data can support."""
    rng = np.random.default_rng(RANDOM_STATE)
    sample = (
        rng.choice(len(scaled), SILHOUETTE_SAMPLE, replace=False)
        if len(scaled) > SILHOUETTE_SAMPLE
        else np.arange(len(scaled))
    )
    scores: dict[int, float] = {}
    fits: dict[int, KMeans] = {}
    for k in K_RANGE:
        if k >= len(np.unique(scaled, axis=0)):
            break
        fitted = KMeans(n_clusters=k, n_init=4, random_state=RANDOM_STATE).fit(scaled)
        scores[k] = float(silhouette_score(scaled[sample], fitted.labels_[sample]))
        fits[k] = fitted
    return scores, fits


def fit_clusters(features: pl.DataFrame) -> ClusterModel:
    """Fit the scaler and k-means with the best k on the customers of ``features``."""
    if features.height < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"only {features.height} buying customers; clustering needs at least {MIN_CUSTOMERS}"
        )
    matrix = feature_matrix(features)
    scaler = StandardScaler().fit(matrix)
    scaled = scaler.transform(matrix)
    silhouettes, fits = choose_k(scaled)
    if not silhouettes:
        raise NotEnoughData("the customers' RFM measures are too alike to form three clusters")
    best = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    kmeans = fits[best]
    labelled = features.with_columns(pl.Series("label", kmeans.labels_, dtype=pl.Int32))
    # number clusters by value so ids are stable across refits of the same data
    order = (
        labelled.group_by("label")
        .agg(pl.col("monetary").cast(pl.Float64).mean().alias("value"))
        .sort(["value", "label"], descending=[True, False])["label"]
        .to_list()
    )
    cluster_ids = {label: rank + 1 for rank, label in enumerate(order)}
    profiles = profile_clusters(
        labelled.with_columns(pl.col("label").replace_strict(cluster_ids).alias("cluster_id"))
    )
    names = dict(zip(profiles["cluster_id"], name_clusters(profiles), strict=True))
    return ClusterModel(scaler, kmeans, cluster_ids, names, silhouettes)


def profile_clusters(assigned: pl.DataFrame) -> pl.DataFrame:
    """Size, value and medians of every cluster (``assigned`` has a ``cluster_id``)."""
    total_customers = assigned.height
    total_value = float(assigned["monetary"].cast(pl.Float64).sum()) or 1.0
    margin = pl.col("margin_rate") if "margin_rate" in assigned.columns else pl.lit(None)
    return (
        assigned.group_by("cluster_id")
        .agg(
            pl.len().alias("customers"),
            pl.col("monetary").cast(pl.Float64).sum().alias("revenue_12m"),
            pl.col("monetary").cast(pl.Float64).median().alias("median_revenue_12m"),
            pl.col("recency_days").median().alias("median_recency_days"),
            pl.col("frequency").median().alias("median_frequency"),
            pl.col("tenure_days").median().alias("median_tenure_days"),
            pl.col("average_order_value").median().alias("median_order_value"),
            margin.cast(pl.Float64).median().alias("median_margin_rate"),
        )
        .with_columns(
            (pl.col("customers") / total_customers).alias("customer_share"),
            (pl.col("revenue_12m") / total_value).alias("revenue_share"),
        )
        .sort("cluster_id")
    )


def _value_word(profile: dict, reference_order: float) -> str:
    if (profile["median_revenue_12m"] or 0.0) <= 0:
        # nothing bought in the year: judge by the size of their past orders
        order_value = profile["median_order_value"] or 0.0
        return "high-spend" if order_value >= reference_order else "low-spend"
    index = profile["revenue_share"] / profile["customer_share"]
    if index >= HIGH_VALUE_INDEX:
        return "high-value"
    if index >= LOW_VALUE_INDEX:
        return "mid-value"
    return "low-value"


def name_clusters(profiles: pl.DataFrame) -> list[str]:
    """A readable, unique name per profile row, from fixed rules on its medians.

    Recency: active (median last order within 90 days), lapsing (within a year), lapsed.
    Value: the value index, share of 12-month revenue / share of customers: high-value (1.25
    or more), mid-value, low-value (under 0.75); clusters that bought nothing in the year are
    high- or low-spend by their median order value against the size-weighted median of the
    clusters' medians. Frequency: frequent (median orders a year at least the size-weighted
    median of the clusters that bought), occasional (fewer, but some), nothing when none.
    New: median tenure under 180 days. Equal names get the cluster id.
    """
    rows = profiles.to_dicts()

    def weighted_median(column: str) -> float:
        # zeros left out: clusters that bought nothing in the year would drag it to zero
        pairs = sorted((r[column], r["customers"]) for r in rows if (r[column] or 0) > 0)
        half, seen = sum(c for _, c in pairs) / 2, 0
        for value, count in pairs:
            seen += count
            if seen >= half:
                return float(value)
        return 0.0

    reference_order = weighted_median("median_order_value")
    reference_frequency = max(weighted_median("median_frequency"), 1.0)
    names = []
    for row in rows:
        recency = row["median_recency_days"]
        words = ["new"] if row["median_tenure_days"] < NEW_TENURE_DAYS else []
        words.append(
            "active"
            if recency <= ACTIVE_DAYS
            else "lapsing"
            if recency <= LAPSING_DAYS
            else "lapsed"
        )
        words.append(_value_word(row, reference_order))
        frequency = row["median_frequency"]
        if frequency >= reference_frequency:
            words.append("frequent")
        elif frequency > 0:
            words.append("occasional")
        names.append(" ".join(words))
    counts = {name: names.count(name) for name in names}
    return [
        f"{name} ({row['cluster_id']})" if counts[name] > 1 else name
        for name, row in zip(names, rows, strict=True)
    ]
