"""Clustering, naming and migration of the segments model on small frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_ml import segment_clusters
from models_ml.model_runs import NotEnoughData
from models_ml.segment_history import migration_matrix, month_ends


def profile(cluster_id: int, customers: int, **medians: float) -> dict:
    base = {
        "cluster_id": cluster_id,
        "customers": customers,
        "median_revenue_12m": 10_000.0,
        "median_recency_days": 30.0,
        "median_frequency": 4.0,
        "median_tenure_days": 700.0,
        "median_order_value": 2_000.0,
        "customer_share": 0.2,
        "revenue_share": 0.2,
    }
    return base | medians


def test_names_follow_the_rules_on_the_profile() -> None:
    profiles = pl.DataFrame(
        [
            profile(1, 100, customer_share=0.1, revenue_share=0.5, median_frequency=20.0),
            profile(2, 300, customer_share=0.3, revenue_share=0.35),
            profile(
                3,
                200,
                customer_share=0.2,
                revenue_share=0.1,
                median_frequency=1.0,
                median_recency_days=200,
            ),
            profile(
                4,
                250,
                customer_share=0.35,
                revenue_share=0.0,
                median_revenue_12m=0.0,
                median_frequency=0.0,
                median_recency_days=800,
                median_order_value=500.0,
            ),
            profile(5, 50, median_recency_days=20, median_tenure_days=60, median_frequency=2.0),
        ]
    )
    assert segment_clusters.name_clusters(profiles) == [
        "active high-value frequent",
        "active mid-value frequent",
        "lapsing low-value occasional",
        "lapsed low-spend",
        "new active mid-value occasional",
    ]


def test_equal_names_are_told_apart_by_cluster_id() -> None:
    profiles = pl.DataFrame(
        [profile(1, 10), profile(2, 10), profile(3, 10, median_recency_days=999)]
    )
    names = segment_clusters.name_clusters(profiles)
    assert names[0] == "active mid-value frequent (1)"
    assert names[1] == "active mid-value frequent (2)"
    assert names[2].startswith("lapsed")
    assert len(set(names)) == 3


def synthetic_customers(seed: int = 1) -> pl.DataFrame:
    """Three obvious groups: big frequent recent buyers, small occasional ones, long-lapsed."""
    rng = np.random.default_rng(seed)
    groups = [
        (60, (5, 10), (40, 50), (400_000, 500_000), (1500, 1600)),
        (120, (60, 80), (3, 5), (8_000, 12_000), (300, 330)),
        (90, (600, 700), (0, 0), (0, 0), (900, 950)),
    ]
    rows = []
    for size, recency, frequency, monetary, tenure in groups:
        for _ in range(size):
            rows.append(
                {
                    "customer_key": f"C{len(rows):04d}",
                    "recency_days": int(rng.integers(*recency, endpoint=True)),
                    "frequency": int(rng.integers(*frequency, endpoint=True)),
                    "monetary": float(rng.uniform(*monetary)),
                    "tenure_days": int(rng.integers(*tenure)),
                    "average_order_value": float(rng.uniform(3_000, 9_000)),
                    "margin_rate": 0.3,
                }
            )
    return pl.DataFrame(rows)


def test_clusters_find_the_planted_groups_numbered_by_value() -> None:
    customers = synthetic_customers()
    model = segment_clusters.fit_clusters(customers)
    assert model.k == 3
    assert model.silhouettes[3] == max(model.silhouettes.values())
    assert set(model.silhouettes) == set(segment_clusters.K_RANGE)
    assigned = model.assign(customers)
    planted = [0] * 60 + [1] * 120 + [2] * 90
    by_group = assigned.with_columns(pl.Series("planted", planted))
    pairs = by_group.group_by("planted").agg(pl.col("cluster_id").unique())
    assert sorted((p, list(ids)) for p, ids in pairs.iter_rows()) == [
        (0, [1]),
        (1, [2]),
        (2, [3]),
    ]
    assert model.names[1] == "active high-value frequent"
    assert model.names[3].startswith("lapsed")
    profiles = segment_clusters.profile_clusters(assigned)
    assert profiles["customers"].to_list() == [60, 120, 90]
    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    assert profiles["revenue_share"].sum() == pytest.approx(1.0)
    # the same data gives the same clusters and names
    again = segment_clusters.fit_clusters(customers)
    assert again.names == model.names
    assert again.assign(customers)["cluster_id"].to_list() == assigned["cluster_id"].to_list()


def test_too_few_customers_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData, match="only 10 buying customers"):
        segment_clusters.fit_clusters(synthetic_customers().head(10))


def test_month_ends_cover_every_month_up_to_the_date() -> None:
    assert month_ends(dt.date(2025, 11, 15), dt.date(2026, 2, 28)) == [
        dt.date(2025, 11, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
    ]
    assert month_ends(dt.date(2026, 2, 1), dt.date(2026, 2, 27)) == []


def test_migration_matrix_counts_customers_and_revenue_between_two_dates() -> None:
    jan, feb = dt.date(2026, 1, 31), dt.date(2026, 2, 28)
    history = pl.DataFrame(
        {
            "month_end": [jan, jan, jan, feb, feb, feb, feb],
            "customer_key": ["A", "B", "C", "A", "B", "C", "D"],
            "rfm_segment": ["loyal", "loyal", "lost", "loyal", "at_risk", "lost", "new"],
            "cluster_name": ["x", "x", "y", "x", "y", "y", "x"],
            "revenue_12m": [100.0, 50.0, 0.0, 120.0, 40.0, 0.0, 10.0],
        }
    )
    matrix = migration_matrix(history, jan, feb)
    rows = {(r["from_segment"], r["to_segment"]): r for r in matrix.iter_rows(named=True)}
    assert set(rows) == {("loyal", "loyal"), ("loyal", "at_risk"), ("lost", "lost")}
    assert rows[("loyal", "at_risk")]["customers"] == 1
    assert rows[("loyal", "at_risk")]["revenue_from"] == 50.0
    assert rows[("loyal", "at_risk")]["revenue_to"] == 40.0
    # D is new in February: present at one date only, so outside the matrix
    assert matrix["customers"].sum() == 3
    assert matrix["revenue_to"].sum() == 160.0
    clusters = migration_matrix(history, jan, feb, "cluster")
    assert {(r[3], r[4], r[5]) for r in clusters.iter_rows()} == {
        ("x", "x", 1),
        ("x", "y", 1),
        ("y", "y", 1),
    }
    with pytest.raises(ValueError, match="dimension"):
        migration_matrix(history, jan, feb, "colour")
