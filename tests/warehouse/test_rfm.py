"""The RFM model (``ml.rfm``) against the landed orders and the simulator's truth.

Recency, frequency and monetary value are recomputed here from the raw ERP orders in SQL written
independently of the model; only the record -> golden customer mapping is taken from the
warehouse. The segments are judged against what the simulator knows and the extracts do not
show: which customers have truly churned and how much each one buys.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from models_ml.rfm_segments import MODEL_VERSION, SEGMENTS, WINDOW_DAYS
from tests.warehouse.conftest import TinyWarehouse

RFM = "ml.rfm"
C360 = "customer.rpt_customer_360"
KEY_MAP = "intermediate.int_identity__customer_key_map"
# approved, not cancelled (作废) orders: the rule of fct_order_lines and the customer 360
LANDED_ORDERS = f"""
    select key_map.customer_key, orders.order_no, cast(orders.order_date as date) as order_date,
           sum(cast(orders.net_amount as decimal(18, 2))) as net_amount
    from raw_erp.sales_orders as orders
    join {KEY_MAP} as key_map
        on key_map.source_system = 'erp' and key_map.source_record_id = orders.customer_code
    where orders.doc_status = 'C' and coalesce(orders.cancel_status, 'A') <> 'B'
        and cast(orders.order_date as date) <= ?
    group by all
"""
ACTIVE_SEGMENTS = ("champions", "loyal", "potential_loyalist", "new")


@pytest.fixture(scope="module")
def as_of(tiny_warehouse: TinyWarehouse) -> dt.date:
    dates = tiny_warehouse.rows(f"select distinct as_of_date from {RFM}")
    assert len(dates) == 1
    assert dates[0][0] == tiny_warehouse.scalar("select as_of_date from core.dim_as_of_date")
    return dates[0][0]


@pytest.fixture(scope="module")
def truth(tiny_warehouse: TinyWarehouse, as_of: dt.date) -> dict[str, tuple[bool, float]]:
    """Golden customer -> (truly churned by the as-of date, true orders x spend per month)."""
    return {
        key: (churned, value)
        for key, churned, value in tiny_warehouse.build_rows(
            "select customer_key, bool_and(churn_month is not null and churn_month <= ?), "
            f"max(purchase_rate * spend_level) from ({tiny_warehouse.true_companies()}) group by 1",
            [as_of],
        )
    }


def test_every_customer_with_an_order_is_scored_once(tiny_warehouse: TinyWarehouse, as_of) -> None:
    buyers = dict(
        (key, (count, first, last))
        for key, count, first, last in tiny_warehouse.build_rows(
            f"select customer_key, count(*), min(order_date), max(order_date) "
            f"from ({LANDED_ORDERS}) group by 1",
            [as_of],
        )
    )
    assert len(buyers) > 100  # the tiny company has ~170 buyers
    scored = dict(
        (key, (count, first, last))
        for key, count, first, last in tiny_warehouse.rows(
            f"select customer_key, lifetime_orders, first_order_date, last_order_date from {RFM}"
        )
    )
    assert scored == buyers
    # the customer 360 counts the same orders
    c360 = dict(
        tiny_warehouse.rows(f"select customer_key, order_count from {C360} where order_count > 0")
    )
    assert c360 == {key: count for key, (count, _, _) in scored.items()}


def test_recency_frequency_and_monetary_equal_the_landed_orders(
    tiny_warehouse: TinyWarehouse, as_of: dt.date
) -> None:
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS)
    expected = {
        key: (recency, frequency, monetary)
        for key, recency, frequency, monetary in tiny_warehouse.build_rows(
            f"""
            select customer_key, ? - max(order_date),
                   count(*) filter (where order_date > ?),
                   coalesce(sum(net_amount) filter (where order_date > ?), 0)
            from ({LANDED_ORDERS}) group by 1
            """,
            [as_of, window_start, window_start, as_of],
        )
    }
    actual = {
        key: (recency, frequency, monetary)
        for key, recency, frequency, monetary in tiny_warehouse.rows(
            f"select customer_key, recency_days, frequency, monetary from {RFM}"
        )
    }
    assert actual == expected
    assert sum(f for _, f, _ in actual.values()) > 0
    assert all(isinstance(m, Decimal) for _, _, m in actual.values())  # money stays exact


def test_scores_are_quintiles_ordered_like_their_measures(tiny_warehouse: TinyWarehouse) -> None:
    rows = tiny_warehouse.rows(
        f"select recency_days, frequency, monetary, r_score, f_score, m_score, fm_score, rfm_cell "
        f"from {RFM}"
    )
    count = len(rows)
    for measure, score, sign in ((0, 3, -1), (1, 4, 1), (2, 5, 1)):
        values = sorted(sign * row[measure] for row in rows)
        for row in rows:
            # quintile by rank: the share of customers with a strictly worse measure; ties share
            worse = sum(1 for v in values if v < sign * row[measure])
            assert row[score] == 1 + 5 * worse // count, (measure, row)
        assert {row[score] for row in rows} >= {1, 5}
    for row in rows:
        assert row[6] == (row[4] + row[5] + 1) // 2
        assert row[7] == f"{row[3]}{row[4]}{row[5]}"


def test_segments_follow_the_true_churn_and_value(
    tiny_warehouse: TinyWarehouse, truth: dict[str, tuple[bool, float]]
) -> None:
    by_segment: dict[str, list[tuple[bool, float]]] = {}
    for key, segment in tiny_warehouse.rows(f"select customer_key, segment from {RFM}"):
        by_segment.setdefault(segment, []).append(truth[key])

    def churned_share(segments: tuple[str, ...]) -> float:
        members = [c for s in segments for c, _ in by_segment.get(s, [])]
        return sum(members) / len(members)

    def median_value(segments: tuple[str, ...]) -> float:
        values = sorted(v for s in segments for _, v in by_segment.get(s, []))
        return values[len(values) // 2]

    everyone = tuple(by_segment)
    # customers long gone are Lost; the recent, frequent ones are truly alive
    assert len(by_segment["lost"]) >= 10
    assert churned_share(("lost",)) >= 0.8
    assert churned_share(ACTIVE_SEGMENTS) <= 0.1
    assert churned_share(everyone) > 0.2
    # champions truly buy more (orders per month x order size) than the customers overall
    assert median_value(("champions",)) >= 2 * median_value(everyone)


def test_segments_are_catalogued_and_stamped(tiny_warehouse: TinyWarehouse) -> None:
    catalogue = tiny_warehouse.rows(
        "select segment, segment_label, meaning, suggested_action from ml.rfm_segments "
        "order by sort_order"
    )
    assert [row[0] for row in catalogue] == [s.key for s in SEGMENTS]
    assert all(row[2] and row[3] for row in catalogue)
    used = tiny_warehouse.rows(
        f"select distinct r.segment, r.segment_label = s.segment_label, r.model_version, "
        f"r.window_days from {RFM} as r left join ml.rfm_segments as s using (segment)"
    )
    assert len(used) >= 6
    assert {(same, version, window) for _, same, version, window in used} == {
        (True, MODEL_VERSION, WINDOW_DAYS)
    }


def test_pandas_notebook_scores_the_same_customers_the_same_way(
    tiny_warehouse: TinyWarehouse,
) -> None:
    # bench/ compares this model with a pandas notebook doing the same work; the ratio only
    # means something if both compute the same table
    from bench.pandas_notebook import RFM_INPUTS, load_inputs, rfm

    notebook = rfm(load_inputs(tiny_warehouse.settings.serving_db, RFM_INPUTS))
    con = duckdb.connect(str(tiny_warehouse.settings.serving_db), read_only=True)
    try:
        model = con.sql(f"select * from {RFM}").df()
    finally:
        con.close()
    exact = ["r_score", "f_score", "m_score", "fm_score", "segment", "recency_days", "frequency"]
    ours = model.set_index("customer_key").sort_index()
    theirs = notebook.set_index("customer_key").sort_index()
    assert list(ours.index) == list(theirs.index)
    for column in exact:
        assert (ours[column].astype(str) == theirs[column].astype(str)).all(), column
    assert (ours["monetary"].astype(float) - theirs["monetary"]).abs().max() < 0.011
