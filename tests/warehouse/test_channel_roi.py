"""Channel ROI tables on the tiny company: they exist, add up, match the truth, and skip clearly.

The pipeline run of the session fixture materialised ``ml_channel_attribution`` and
``ml_channel_mmm``; the totals are recomputed here from the marts and the simulator's truth.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from models_ml import channel_mmm, channel_roi
from models_ml.attribution import HEURISTIC_MODELS
from tests.warehouse.conftest import TinyWarehouse

TABLES = (
    "channel_journeys",
    "channel_touches",
    "channel_attribution",
    "channel_campaign_attribution",
    "channel_roi",
    "channel_response_curves",
    "channel_budget_plan",
)
MODELS = (*HEURISTIC_MODELS, "markov", "shapley")


def test_every_channel_table_is_published(tiny_warehouse: TinyWarehouse) -> None:
    published = {
        name
        for (name,) in tiny_warehouse.rows(
            "select table_name from information_schema.tables where table_schema = 'ml'"
        )
    }
    assert set(TABLES) <= published
    runs = dict(
        tiny_warehouse.rows("select model, status from ml.model_runs where model like 'channel_%'")
    )
    assert runs == {"channel_attribution": "ok", "channel_mmm": "ok"}


def test_attribution_adds_up_to_the_journeys(tiny_warehouse: TinyWarehouse) -> None:
    conversions, margin, revenue = tiny_warehouse.rows(
        "select count(*), sum(gross_margin), sum(net_revenue)"
        " from ml.channel_journeys where is_converted"
    )[0]
    # the journeys' value is the ERP's: approved invoice lines of the converted customers
    erp_margin = tiny_warehouse.scalar(
        """
        select sum(gross_margin_amount) from core.fct_invoice_lines
        where is_approved and invoice_date <= (select as_of_date from core.dim_as_of_date)
            and customer_key in (select customer_key from ml.channel_journeys where is_converted)
        """
    )
    assert margin == pytest.approx(float(erp_margin), abs=0.01)
    assert conversions > 50
    per_model = {
        model: (c, m, r)
        for model, c, m, r in tiny_warehouse.rows(
            "select model, sum(conversions), sum(gross_margin), sum(net_revenue)"
            " from ml.channel_attribution group by model"
        )
    }
    assert set(per_model) == set(MODELS)
    for model, (c, m, r) in per_model.items():
        assert c == pytest.approx(conversions), model
        assert m == pytest.approx(margin, rel=1e-9), model
        assert r == pytest.approx(revenue, rel=1e-9), model
    # every paid channel's spend appears once per model, equal to the mart's
    mart_spend = tiny_warehouse.scalar("select sum(spend_yuan) from core.fct_marketing_spend")
    spends = tiny_warehouse.rows(
        "select model, sum(spend) from ml.channel_attribution group by model"
    )
    assert all(s == pytest.approx(float(mart_spend)) for _, s in spends)


def test_first_touch_roi_matches_the_simulator(tiny_warehouse: TinyWarehouse) -> None:
    truth = dict(
        tiny_warehouse.rows(
            f"select channel, gross_margin from '{tiny_warehouse.truth}/channels.parquet'"
            " where spend > 0"
        )
    )
    attributed = dict(
        tiny_warehouse.rows(
            "select channel, gross_margin from ml.channel_roi where method = 'first_touch'"
        )
    )
    assert set(attributed) == set(truth)
    for channel, margin in truth.items():
        # identity resolution and the as-of cut are the only differences from the truth
        assert attributed[channel] == pytest.approx(margin, rel=0.05), channel


def test_mmm_on_tiny_models_what_it_can_and_says_why_not_the_rest(
    tiny_warehouse: TinyWarehouse,
) -> None:
    metrics = json.loads(
        tiny_warehouse.scalar(
            "select metrics from ml.model_runs where model = 'channel_mmm'"
            " order by run_at desc limit 1"
        )
    )
    modelled = {
        c for (c,) in tiny_warehouse.rows("select channel from ml.channel_roi where method = 'mmm'")
    }
    reasons = metrics["skipped"]
    for channel in ("oceanengine", "baidu", "tencent", "tradeshow"):
        said = [r for r in reasons if r.startswith(f"{channel}: ")]
        assert (channel in modelled) != bool(said), channel
        for reason in said:
            assert f"valuing a lead needs at least {channel_mmm.MIN_CONVERSIONS}" in reason
    plan = tiny_warehouse.rows(
        "select current_spend, planned_spend from ml.channel_budget_plan where channel = 'total'"
    )
    assert plan and plan[0][1] == pytest.approx(plan[0][0])


def test_too_few_weeks_is_a_recorded_skip(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(tiny_warehouse.settings.serving_db, copy)
    con = duckdb.connect(str(copy))
    try:
        first = con.execute("select min(spend_date) from core.fct_marketing_spend").fetchall()[0][0]
        early = first + dt.timedelta(days=200)
        result, run = channel_roi.run_step(con, "mmm", early)
        assert result is None and run.status == "skipped"
        assert run.reason.endswith(
            f"complete weeks of spend before {early}; the marketing-mix model needs at least 52"
            " (a year) to separate spend from season"
        )
        latest = con.execute(
            "select status, reason from ml.model_runs where model = 'channel_mmm'"
            " order by run_at desc limit 1"
        ).fetchall()[0]
        assert latest == ("skipped", run.reason)
        # attribution's ROI still publishes; the MMM's own tables are empty
        methods = {m for (m,) in con.execute("select method from ml.channel_roi").fetchall()}
        assert methods == set(MODELS)
        assert con.execute("select count(*) from ml.channel_budget_plan").fetchall()[0][0] == 0
    finally:
        con.close()
