"""The clusters, segment history and migration of the tiny company against ``ml.rfm``, its own
definitions and the simulator's truth."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models_ml import segment_clusters
from tests.warehouse.conftest import TinyWarehouse


@pytest.fixture(scope="module")
def as_of(tiny_warehouse: TinyWarehouse) -> dt.date:
    return tiny_warehouse.scalar("select as_of_date from core.dim_as_of_date")


def test_every_rfm_customer_has_one_cluster_and_the_same_segment(
    tiny_warehouse: TinyWarehouse,
) -> None:
    rfm = dict(tiny_warehouse.rows("select customer_key, segment from ml.rfm"))
    clusters = tiny_warehouse.rows(
        "select customer_key, rfm_segment, cluster_id, cluster_name from ml.customer_clusters"
    )
    assert len(clusters) == len(rfm) > 100
    assert {key: segment for key, segment, _, _ in clusters} == rfm
    profiles = dict(tiny_warehouse.rows("select cluster_id, cluster_name from ml.cluster_profiles"))
    assert {(cid, name) for _, _, cid, name in clusters} == set(profiles.items())


def test_profiles_add_up_and_are_named_by_their_rules(tiny_warehouse: TinyWarehouse) -> None:
    profiles = tiny_warehouse.rows(
        "select cluster_id, cluster_name, customers, customer_share, revenue_share,"
        " median_recency_days from ml.cluster_profiles order by cluster_id"
    )
    k = len(profiles)
    assert k in segment_clusters.K_RANGE
    assert [p[0] for p in profiles] == list(range(1, k + 1))
    assert sum(p[2] for p in profiles) == tiny_warehouse.scalar("select count(*) from ml.rfm")
    assert sum(p[3] for p in profiles) == pytest.approx(1.0)
    assert sum(p[4] for p in profiles) == pytest.approx(1.0)
    assert len({p[1] for p in profiles}) == k
    for _, name, _, _, _, recency in profiles:
        word = "active" if recency <= 90 else "lapsing" if recency <= 365 else "lapsed"
        assert word in name.split()
    # cluster 1 holds the most revenue per customer; the tiny company has lapsed customers
    assert profiles[0][4] / profiles[0][3] == max(p[4] / p[3] for p in profiles)
    assert any("lapsed" in p[1] for p in profiles)
    run = tiny_warehouse.rows(
        "select status, metrics from ml.model_runs where model = 'segments'"
        " order by run_at desc limit 1"
    )[0]
    metrics = json.loads(run[1])
    assert run[0] == "ok"
    assert metrics["k"] == k
    assert metrics["silhouette"] == max(metrics["silhouette_by_k"].values())


def test_history_has_every_customer_at_every_month_end_since_their_first_order(
    tiny_warehouse: TinyWarehouse, as_of: dt.date
) -> None:
    counts = tiny_warehouse.rows(
        """
        select month_end, count(*), count(distinct customer_key),
            (select count(distinct customer_key) from core.fct_order_lines
             where is_approved and customer_key is not null and order_date <= month_end)
        from ml.segment_history group by 1 order by 1
        """
    )
    assert len(counts) >= 24  # the tiny company has three years of orders
    for _, rows, distinct, buyers in counts:
        assert rows == distinct == buyers
    assert counts[-1][0] <= as_of
    assert [c[1] for c in counts] == sorted(c[1] for c in counts)  # nobody ever leaves
    if counts[-1][0] == as_of:
        # at the as-of date the history agrees with ml.rfm
        differ = tiny_warehouse.scalar(
            "select count(*) from ml.segment_history as h join ml.rfm as r using (customer_key)"
            " where h.month_end = ? and h.rfm_segment <> r.segment",
            [as_of],
        )
        assert differ == 0


def test_migration_totals_equal_the_customers_present_at_both_dates(
    tiny_warehouse: TinyWarehouse,
) -> None:
    for dimension in ("rfm", "cluster"):
        from_date, to_date, customers, revenue_from, revenue_to = tiny_warehouse.rows(
            "select min(from_date), min(to_date), sum(customers), sum(revenue_from),"
            " sum(revenue_to) from ml.segment_migration where dimension = ?",
            [dimension],
        )[0]
        both = tiny_warehouse.rows(
            """
            select count(*), sum(f.revenue_12m), sum(t.revenue_12m)
            from ml.segment_history as f
            join ml.segment_history as t using (customer_key)
            where f.month_end = ? and t.month_end = ?
            """,
            [from_date, to_date],
        )[0]
        assert (to_date - from_date).days in (28, 29, 30, 31)
        assert customers == both[0] > 100
        assert revenue_from == pytest.approx(both[1])
        assert revenue_to == pytest.approx(both[2])
    # the diagonal of the RFM matrix: customers who kept their segment
    stayed = tiny_warehouse.scalar(
        "select sum(customers) from ml.segment_migration"
        " where dimension = 'rfm' and from_segment = to_segment"
    )
    assert 0 < stayed < customers
