"""The churn early warning (``ml.churn_*``) as the real pipeline published it for the tiny company.

Judged against the simulator's truth: the customers the truth says have already churned must
score high, and the validated model must beat the trivial forecast (every customer at the
test cutoff's own churn rate, a constant no model without hindsight can know).
"""

from __future__ import annotations

from sklearn.metrics import roc_auc_score

from models_ml.churn import MODEL_VERSION
from tests.warehouse.conftest import TinyWarehouse


def test_every_active_buyer_has_a_probability_and_high_risk_has_reasons(
    tiny_warehouse: TinyWarehouse,
):
    rows = tiny_warehouse.rows(
        "select churn_probability, risk_band, reason_1, len(reasons), model_version,"
        " value_at_risk, churn_probability * clv_12m_margin from ml.churn_scores"
    )
    assert len(rows) >= 100  # tiny: about 130 buyers ordered in the last year
    assert all(0.0 <= r[0] <= 1.0 for r in rows)
    assert {r[4] for r in rows} == {MODEL_VERSION}
    high = [r for r in rows if r[1] == "high"]
    assert len(high) >= 5
    assert all(r[2] and r[3] >= 1 for r in high)
    # value at risk is probability x CLV margin where ml.clv has one, else empty (never invented)
    assert all((r[5] is None) == (r[6] is None) for r in rows)
    assert all(r[5] is None or abs(r[5] - r[6]) < 1e-6 for r in rows)


def test_the_run_is_recorded_with_its_validation(tiny_warehouse: TinyWarehouse):
    status, rows_written = tiny_warehouse.rows(
        "select status, rows_written from ml.model_runs where model = 'churn'"
    )[0]
    assert status == "ok"
    assert rows_written == tiny_warehouse.scalar("select count(*) from ml.churn_scores")
    cutoffs = tiny_warehouse.rows(
        "select model, count(distinct cutoff) from ml.churn_validation group by 1 order by 1"
    )
    assert cutoffs == [("gradient_boosting", 3), ("logistic", 3)]
    bins = tiny_warehouse.scalar("select sum(customers) from ml.churn_reliability")
    assert bins == tiny_warehouse.scalar("select sum(customers) from ml.churn_validation")


def test_the_model_beats_the_trivial_forecast(tiny_warehouse: TinyWarehouse):
    brier, constant, auc = tiny_warehouse.rows(
        """
        select avg(brier), avg(churn_rate * (1 - churn_rate)), avg(roc_auc)
        from ml.churn_validation
        where model = (select any_value(model) from ml.churn_scores)
        """
    )[0]
    assert brier < constant - 0.01  # measured: 0.215 against 0.240
    assert auc >= 0.62  # measured: 0.69


def test_customers_the_truth_says_are_gone_score_high(tiny_warehouse: TinyWarehouse):
    truth = tiny_warehouse.truth
    rows = tiny_warehouse.rows(
        f"""
        with keys as (
            select key_map.customer_key, mode(identity.true_customer_id) as true_customer_id
            from '{truth}/identity.parquet' as identity
            join intermediate.int_identity__customer_key_map as key_map
                on key_map.source_system = 'erp'
                and key_map.source_record_id = identity.record_id
            where identity.system = 'erp'
            group by key_map.customer_key
        )
        select scores.churn_probability, not monthly.alive
        from ml.churn_scores as scores
        join keys using (customer_key)
        join '{truth}/churn_monthly.parquet' as monthly
            on monthly.true_customer_id = keys.true_customer_id
            and monthly.month = date_trunc('month', scores.as_of_date)
        """
    )
    gone = [r[1] for r in rows]
    assert 5 <= sum(gone) < len(rows)
    assert roc_auc_score(gone, [r[0] for r in rows]) >= 0.8  # measured: 0.92
