"""The CLV model (``ml.clv``) of the tiny company against its landed orders and the truth.

Purchases are recounted from the raw ERP orders in SQL written independently of the model; the
holdout is judged against the simulator's true monthly orders, which the pipeline never reads.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pytest

from models_ml import clv
from tests.warehouse.conftest import TinyWarehouse

KEY_MAP = "intermediate.int_identity__customer_key_map"
# purchase days: approved, not cancelled orders with a positive net value on the day
PURCHASE_DAYS = f"""
    select key_map.customer_key, cast(orders.order_date as date) as order_date
    from raw_erp.sales_orders as orders
    join {KEY_MAP} as key_map
        on key_map.source_system = 'erp' and key_map.source_record_id = orders.customer_code
    where orders.doc_status = 'C' and coalesce(orders.cancel_status, 'A') <> 'B'
        and cast(orders.order_date as date) <= ?
    group by all
    having sum(cast(orders.net_amount as decimal(18, 2))) > 0
"""


@pytest.fixture(scope="module")
def as_of(tiny_warehouse: TinyWarehouse) -> dt.date:
    return tiny_warehouse.scalar("select as_of_date from core.dim_as_of_date")


def test_every_buying_customer_is_scored_once_with_its_purchases(
    tiny_warehouse: TinyWarehouse, as_of: dt.date
) -> None:
    expected = {
        key: (days - 1, first, last)
        for key, days, first, last in tiny_warehouse.build_rows(
            f"select customer_key, count(*), min(order_date), max(order_date)"
            f" from ({PURCHASE_DAYS}) group by 1",
            [as_of],
        )
    }
    assert len(expected) > 100
    scored = {
        key: (frequency, first, last)
        for key, frequency, first, last in tiny_warehouse.rows(
            "select customer_key, frequency, first_order_date, last_order_date from ml.clv"
        )
    }
    assert scored == expected
    stamps = tiny_warehouse.rows("select distinct as_of_date, model_version from ml.clv")
    assert stamps == [(as_of, clv.MODEL_VERSION)]


def test_scores_are_probabilities_and_values_that_add_up(tiny_warehouse: TinyWarehouse) -> None:
    rows = tiny_warehouse.rows(
        "select frequency, p_alive, expected_purchases_12m, clv_12m_revenue, clv_12m_margin,"
        " expected_order_value, margin_rate from ml.clv"
    )
    for frequency, alive, purchases, revenue, margin, order_value, rate in rows:
        assert 0 <= alive <= 1
        if frequency == 0:
            assert alive == 1.0  # no repeat purchase: cannot have dropped out yet
        assert purchases >= 0
        # discounted at 10% a year over 12 months: between 1/1.1 and 1 of the undiscounted
        assert purchases * order_value / 1.1 <= revenue + 1e-6
        assert revenue <= purchases * order_value + 1e-6
        assert margin == pytest.approx(revenue * rate, rel=1e-9, abs=1e-6)
    alive = np.array([r[1] for r in rows])
    assert 0.3 < alive.mean() < 0.95
    assert (alive < 0.2).sum() >= 10  # the long-lapsed customers of the tiny company


def test_run_is_recorded_with_parameters_and_a_holdout_within_ten_percent(
    tiny_warehouse: TinyWarehouse,
) -> None:
    status, parameters, metrics, rows = tiny_warehouse.rows(
        "select status, parameters, metrics, rows_written from ml.model_runs"
        " where model = 'clv' order by run_at desc limit 1"
    )[0]
    parameters, metrics = json.loads(parameters), json.loads(metrics)
    assert status == "ok"
    assert rows == tiny_warehouse.scalar("select count(*) from ml.clv")
    stored = dict(tiny_warehouse.rows("select parameter, value from ml.clv_parameters"))
    for name in ("r", "alpha", "a", "b"):
        assert stored[name] == pytest.approx(parameters[f"bgnbd_{name}"])
    # landed purchases after the cut-off, predicted from the orders before it
    assert abs(metrics["holdout_total_error"]) <= 0.10
    assert metrics["holdout_correlation"] > 0.5


def test_holdout_against_the_true_orders(tiny_warehouse: TinyWarehouse, as_of: dt.date) -> None:
    from bench.customer_models import clv_against_truth, true_status

    # the truth join goes through the key map, which only the build file holds
    con = duckdb.connect(str(tiny_warehouse.settings.build_db), read_only=True)
    try:
        judged = clv_against_truth(con, tiny_warehouse.truth, as_of, 365)
        status = true_status(con, tiny_warehouse.truth, as_of)
    finally:
        con.close()
    assert judged["customers"] > 100
    assert abs(judged["total_error"]) <= 0.10
    assert judged["correlation"] > 0.5
    assert judged["mae"] < 3.5
    # P(alive) ranks the truly alive above the truly churned
    assert judged["alive_auc"] > 0.8
    assert status.height > 100


def test_fit_check_compares_counts_of_the_same_customers(tiny_warehouse: TinyWarehouse) -> None:
    counts = tiny_warehouse.rows(
        "select sum(actual), sum(model), count(*) from ml.clv_fit_check"
        " where check_name = 'repeat_count'"
    )[0]
    customers = tiny_warehouse.scalar("select count(*) from ml.clv")
    assert counts[0] == customers
    assert counts[1] == pytest.approx(customers, rel=1e-6)
    assert counts[2] == 8
    holdout = tiny_warehouse.scalar(
        "select count(*) from ml.clv_fit_check where check_name = 'holdout_by_frequency'"
    )
    assert holdout >= 5
