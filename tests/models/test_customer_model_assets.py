"""The CLV and segments assets in a real Dagster materialization on a small DuckDB file: too
little data is a recorded skip with its reason, never a failed run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from orchestration.assets.customer_models import ml_clv, ml_segments

AS_OF = dt.date(2026, 3, 31)


def write_orders(path: Path, orders: list[tuple[str, str, dt.date, float]]) -> None:
    """A warehouse with just what the two models read: order lines and the as-of date."""
    con = duckdb.connect(str(path))
    con.execute("create schema core")
    con.execute(f"create table core.dim_as_of_date as select date '{AS_OF}' as as_of_date")
    con.execute(
        """
        create table core.fct_order_lines (
            customer_key varchar, order_id varchar, order_date date, is_approved boolean,
            net_amount decimal(18, 2), standard_cost_amount decimal(18, 2)
        )
        """
    )
    con.executemany(
        "insert into core.fct_order_lines values (?, ?, ?, true, ?, ?)",
        [(c, o, d, v, round(v * 0.7, 2)) for c, o, d, v in orders],
    )
    con.close()


def materialize(path: Path) -> dict[str, dict]:
    result = dg.materialize(
        [ml_clv, ml_segments], resources={"duckdb": DuckDBResource(database=str(path))}
    )
    assert result.success
    return {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


def test_too_few_customers_are_skipped_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    write_orders(
        path,
        [
            ("K1", "SO1", dt.date(2026, 1, 5), 100.0),
            ("K1", "SO2", dt.date(2026, 2, 9), 80.0),
            ("K2", "SO3", dt.date(2026, 3, 2), 50.0),
        ],
    )
    metadata = materialize(path)
    clv_status = metadata["ml_clv"]["status"].value
    assert clv_status == (
        "skipped: only 2 customers bought on or before 2026-03-31; CLV needs at least 50"
    )
    segments_status = metadata["ml_segments"]["status"].value
    assert segments_status == ("skipped: only 2 buying customers; clustering needs at least 30")
    con = duckdb.connect(str(path), read_only=True)
    try:
        runs = con.execute(
            "select model, status, reason, rows_written, as_of_date from ml.model_runs order by 1"
        ).fetchall()
        # readers of ml.clv find an empty table with its contract columns, not an error
        clv_columns = [row[0] for row in con.execute("describe ml.clv").fetchall()]
        clv_rows = con.execute("select count(*) from ml.clv").fetchall()[0][0]
    finally:
        con.close()
    assert runs == [
        ("clv", "skipped", clv_status.removeprefix("skipped: "), 0, AS_OF),
        ("segments", "skipped", segments_status.removeprefix("skipped: "), 0, AS_OF),
    ]
    assert clv_columns[:7] == [
        "customer_key",
        "as_of_date",
        "model_version",
        "p_alive",
        "expected_purchases_12m",
        "clv_12m_revenue",
        "clv_12m_margin",
    ]
    assert clv_rows == 0


def test_a_skip_empties_the_scores_of_an_earlier_run(tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    write_orders(path, [("K1", "SO1", dt.date(2026, 1, 5), 100.0)])
    con = duckdb.connect(str(path))
    con.execute("create schema ml")
    con.execute(
        "create table ml.clv as select 'OLD' as customer_key, date '2025-12-31' as as_of_date,"
        " 'clv-1' as model_version, 0.5 as p_alive, 1.0 as expected_purchases_12m,"
        " 10.0 as clv_12m_revenue, 3.0 as clv_12m_margin"
    )
    con.close()
    metadata = materialize(path)
    assert metadata["ml_clv"]["status"].value.startswith("skipped: only 1 customers")
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from ml.clv").fetchall()[0][0] == 0
        reason = con.execute(
            "select reason, metrics from ml.model_runs where model = 'clv'"
        ).fetchall()[0]
    finally:
        con.close()
    assert "CLV needs at least 50" in reason[0]
    assert json.loads(reason[1]) == {}
