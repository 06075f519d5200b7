"""Channel ROI end to end: read the marts, attribute, fit the MMM, write the ``ml.*`` tables.

Two steps, one per Dagster asset, each recorded in ``ml.model_runs``:

- ``build_attribution`` writes ``ml.channel_journeys``, ``ml.channel_touches``,
  ``ml.channel_attribution`` (model x channel x conversion month) and
  ``ml.channel_campaign_attribution`` (rule-based models x channel x campaign x month).
- ``build_mmm`` reads the journeys back, fits the per-channel MMM and writes ``ml.channel_roi``
  (one row per method and paid channel over the whole window: the MMM with its interval beside
  every attribution model), ``ml.channel_response_curves`` and ``ml.channel_budget_plan``.
  Without enough weeks it raises ``NotEnoughData`` after writing the attribution rows of
  ``ml.channel_roi``, so the dashboards still see what attribution says.

The model card is ``docs/models/channel_roi.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from models_ml import channel_journeys as cj
from models_ml import channel_mmm, mmm
from models_ml.model_runs import ModelRun, NotEnoughData, record_model_run

ATTRIBUTION_MODEL = "channel_attribution"
MMM_MODEL = "channel_mmm"
ATTRIBUTION_TABLES = (
    "channel_journeys",
    "channel_touches",
    "channel_attribution",
    "channel_campaign_attribution",
)


@dataclass
class StepResult:
    """What a step wrote and why parts of it were skipped."""

    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


def _write(con, table: str, frame: pl.DataFrame) -> int:
    con.execute("create schema if not exists ml")
    con.register("_frame", frame.to_arrow())
    con.execute(f"create or replace table ml.{table} as select * from _frame")
    con.unregister("_frame")
    return frame.height


def build_attribution(con, as_of: dt.date) -> StepResult:
    """Journeys and every attribution model's credit, written to ``ml``; raises NotEnoughData
    when no journey converted (nothing to attribute)."""
    touches = cj.journey_touches(con, as_of)
    journey_frame = cj.journeys(touches, as_of)
    converted = int(journey_frame["is_converted"].sum()) if journey_frame.height else 0
    if converted == 0:
        # journeys of an earlier build must not feed this build's MMM
        for table in ATTRIBUTION_TABLES:
            con.execute(f"drop table if exists ml.{table}")
        raise NotEnoughData(
            f"no lead became a customer with a won deal by {as_of}: nothing to attribute"
        )
    spend = con.sql(cj.SPEND_SQL, params={"as_of": as_of}).pl()
    shares = con.sql(cj.CAMPAIGN_SHARES_SQL, params={"as_of": as_of}).pl()
    credits = cj.rule_credits(touches)
    by_month, skipped = cj.attribution(credits, journey_frame, spend)
    by_campaign = cj.campaign_attribution(credits, journey_frame, shares, spend)
    stamp = {"as_of_date": pl.lit(as_of), "model_version": pl.lit(cj.MODEL_VERSION)}
    result = StepResult(skipped=[f"markov and shapley for {s}" for s in skipped])
    paid = set(spend.filter(pl.col("spend") > 0)["channel"].unique().to_list())
    for channel in sorted(set(journey_frame["first_channel"].unique().to_list()) - paid):
        result.skipped.append(f"{channel}: no spend, so no CAC, ROAS or ROI")
    result.rows = {
        "channel_journeys": _write(con, "channel_journeys", journey_frame),
        "channel_touches": _write(con, "channel_touches", touches.with_columns(**stamp)),
        "channel_attribution": _write(con, "channel_attribution", by_month.with_columns(**stamp)),
        "channel_campaign_attribution": _write(
            con, "channel_campaign_attribution", by_campaign.with_columns(**stamp)
        ),
    }
    result.metrics = {"journeys": journey_frame.height, "conversions": converted}
    return result


def attribution_roi(con) -> pl.DataFrame:
    """Whole-window ROI of every attribution model and paid channel (``ml.channel_attribution``)."""
    frame = con.sql(
        """
        select model as method, channel, sum(spend) as spend, sum(gross_margin) as gross_margin,
            sum(conversions) as conversions
        from ml.channel_attribution group by all having sum(spend) > 0
        """
    ).pl()
    return frame.with_columns(
        roi=pl.col("gross_margin") / pl.col("spend"),
        roi_lower=pl.lit(None, pl.Float64),
        roi_upper=pl.lit(None, pl.Float64),
    )


def _roi_table(attributed: pl.DataFrame, mmm_roi: pl.DataFrame | None, as_of) -> pl.DataFrame:
    columns = ["method", "channel", "spend", "gross_margin", "roi", "roi_lower", "roi_upper"]
    parts = [attributed.select(columns)]
    if mmm_roi is not None and mmm_roi.height:
        parts.append(mmm_roi.with_columns(method=pl.lit("mmm")).select(columns))
    table = pl.concat(parts, how="vertical_relaxed")
    # share of all paid spend (attribution sees every paid channel; the MMM may skip some)
    paid_total = attributed.group_by("method").agg(pl.col("spend").sum())["spend"].max()
    return table.with_columns(
        share_of_spend=pl.col("spend") / pl.lit(paid_total),
        rank=pl.col("roi").rank("ordinal", descending=True).over("method").cast(pl.Int32),
        as_of_date=pl.lit(as_of),
        model_version=pl.lit(cj.MODEL_VERSION),
    ).sort(["method", "rank"])


def build_mmm(con, as_of: dt.date, draws: int = channel_mmm.BOOTSTRAP_DRAWS) -> StepResult:
    """Per-channel MMM, ROI beside attribution, curves and budget plan, written to ``ml``."""
    written = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ml'"
        ).fetchall()
    }
    if not {"channel_journeys", "channel_attribution"} <= written:
        raise NotEnoughData("no journeys: the attribution step was skipped (see its run)")
    journey_frame = con.sql("select * from ml.channel_journeys").pl()
    attributed = attribution_roi(con)
    try:
        data, lead_values, skipped = channel_mmm.weekly_inputs(con, as_of, journey_frame)
        if not data:
            raise NotEnoughData("no paid channel can be modelled: " + "; ".join(skipped))
    except NotEnoughData:
        # attribution's view still publishes; empty MMM tables say nothing was fitted
        _write(con, "channel_roi", _roi_table(attributed, None, as_of))
        _write(con, "channel_response_curves", pl.DataFrame(schema=channel_mmm.CURVE_SCHEMA))
        _write(con, "channel_budget_plan", pl.DataFrame(schema=channel_mmm.PLAN_SCHEMA))
        raise
    out = channel_mmm.run_mmm(data, lead_values, draws=draws)
    stamp = {"as_of_date": pl.lit(as_of), "model_version": pl.lit(cj.MODEL_VERSION)}
    result = StepResult(skipped=skipped)
    result.rows = {
        "channel_roi": _write(con, "channel_roi", _roi_table(attributed, out["roi"], as_of)),
        "channel_response_curves": _write(
            con, "channel_response_curves", out["curves"].with_columns(**stamp)
        ),
        "channel_budget_plan": _write(
            con, "channel_budget_plan", out["plan"].with_columns(**stamp)
        ),
    }
    total = out["plan"].filter(pl.col("channel") == "total").row(0, named=True)
    result.metrics = {
        "channels": out["metrics"],
        "weeks": next(iter(data.values())).n_weeks,
        "budget_uplift": total["uplift"],
        "budget_uplift_interval": [total["uplift_lower"], total["uplift_upper"]],
        "mmm_roi": dict(zip(out["roi"]["channel"], out["roi"]["roi"], strict=True)),
    }
    return result


def run_step(con, step: str, as_of: dt.date, **kwargs) -> tuple[StepResult | None, ModelRun]:
    """Run ``step`` ("attribution" or "mmm"), record it in ``ml.model_runs``, never raise on
    missing data: the returned run says ``skipped`` and why."""
    model = ATTRIBUTION_MODEL if step == "attribution" else MMM_MODEL
    build = build_attribution if step == "attribution" else build_mmm
    parameters = (
        {"time_decay_half_life_days": 7.0, "position_based": "40/20/40"}
        if step == "attribution"
        else {
            "outcome": "weekly leads per paid channel (lead source)",
            "bootstrap_draws": kwargs.get("draws", channel_mmm.BOOTSTRAP_DRAWS),
            "decays": list(mmm.DECAYS),
            "half_saturations_x_mean_adstock": list(mmm.HALF_SATURATIONS),
            "shapes": list(mmm.SHAPES),
            "budget_bound": mmm.BUDGET_BOUND,
        }
    )
    try:
        result = build(con, as_of, **kwargs)
    except NotEnoughData as skip:
        run = ModelRun.skipped(model, cj.MODEL_VERSION, as_of, skip.reason)
        record_model_run(con, run)
        return None, run
    run = ModelRun(
        model,
        cj.MODEL_VERSION,
        as_of,
        parameters=parameters,
        data_window=f"through {as_of}",
        metrics={**result.metrics, "skipped": result.skipped},
        rows_written=sum(result.rows.values()),
    )
    record_model_run(con, run)
    return result, run
