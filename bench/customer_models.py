"""The three customer models at scale (CLV, segments, churn): training and scoring time, peak
memory, and the CLV and segment judgement against the simulator's truth that the cards show.

    nice -n 10 python -m bench.customer_models --db <writable copy of a build or serving file> \\
        --truth <landing/truth> [--json out.json] [--cards]

Works on a writable copy (the models write their ``ml`` tables). Times are wall and CPU seconds
of this process on whatever else the machine is running (the load average is recorded);
peak memory is this process's largest RSS. The churn model's judgement against the truth is
``bench/eval_churn.py``. The pipeline never reads the truth: only the benches and tests do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from models_ml import clv, segment_clusters
from models_ml.churn import predict
from models_ml.churn_reasons import explain
from models_ml.churn_store import build_churn
from models_ml.clv_run import build_clv
from models_ml.features import customer_features
from models_ml.model_runs import record_model_run
from models_ml.segment_history import snapshot_features
from models_ml.segments_run import build_segments
from models_ml.warehouse import warehouse_as_of

# golden customer -> the true companies whose ERP records it holds, through the ERP customer
# codes of the order-line mart (marts only: intermediate models are not a published interface)
TRUE_COMPANIES_SQL = """
select distinct codes.customer_key, identity.true_customer_id
from '{truth}/identity.parquet' as identity
join (
    select distinct customer_key, cast(erp_customer_code as varchar) as record_id
    from core.fct_order_lines
    where customer_key is not null and erp_customer_code is not null
) as codes on codes.record_id = identity.record_id
where identity.system = 'erp'
"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def true_orders_between(con, truth: Path, start: dt.date, end: dt.date) -> pl.DataFrame:
    """True orders of each golden customer in the months after ``start`` up to ``end``."""
    return con.sql(
        f"""
        select companies.customer_key, sum(monthly.orders) as purchases
        from ({TRUE_COMPANIES_SQL.format(truth=truth)}) as companies
        join '{truth}/churn_monthly.parquet' as monthly using (true_customer_id)
        where monthly.month > $start and monthly.month <= $end
        group by 1
        """,
        params={"start": start, "end": end},
    ).pl()


def true_status(con, truth: Path, as_of: dt.date) -> pl.DataFrame:
    """Per golden customer: truly alive at the as-of date, true buying rate (orders a month x
    order size)."""
    return con.sql(
        f"""
        select companies.customer_key,
            bool_or(truth.churn_month is null or truth.churn_month > $as_of) as truly_alive,
            max(truth.purchase_rate * truth.spend_level) as true_buying_rate
        from ({TRUE_COMPANIES_SQL.format(truth=truth)}) as companies
        join '{truth}/companies.parquet' as truth using (true_customer_id)
        group by 1
        """,
        params={"as_of": as_of},
    ).pl()


def clv_against_truth(con, truth: Path, as_of: dt.date, holdout_days: int) -> dict:
    """Fit up to the cut-off, compare predicted purchases with the true orders after it."""
    cutoff = as_of - dt.timedelta(days=holdout_days)
    # truth is monthly: the cut-off moves to the month end on or before it
    cutoff = cutoff.replace(day=1) - dt.timedelta(days=1) if cutoff.day < 28 else cutoff
    calibration = clv.purchase_summary(con, cutoff)
    model = clv.fit_clv(calibration, cutoff)
    days = (as_of - cutoff).days
    comparison = clv.holdout_comparison(
        model, calibration, true_orders_between(con, truth, cutoff, as_of), days
    )
    metrics = clv.holdout_metrics(comparison)
    status = con.sql("select customer_key, p_alive from ml.clv").pl()
    status = status.join(true_status(con, truth, as_of), on="customer_key")
    alive = status["truly_alive"].cast(pl.Int8).to_numpy()
    p_alive = status["p_alive"].to_numpy()
    return {
        "cutoff": str(cutoff),
        "holdout_days": days,
        "customers": int(metrics["holdout_customers"]),
        "mae": metrics["holdout_mae"],
        "correlation": metrics["holdout_correlation"],
        "predicted_total": metrics["holdout_predicted_total"],
        "actual_total": metrics["holdout_actual_total"],
        "total_error": metrics["holdout_total_error"],
        "alive_correlation": float(np.corrcoef(p_alive, alive)[0, 1]),
        "alive_auc": float(roc_auc_score(alive, p_alive)),
    }


def segments_against_truth(con, truth: Path, as_of: dt.date) -> dict:
    """Truly churned share and median true buying rate of every cluster."""
    clusters = con.sql("select customer_key, cluster_id, cluster_name from ml.customer_clusters")
    table = (
        clusters.pl()
        .join(true_status(con, truth, as_of), on="customer_key")
        .group_by("cluster_id", "cluster_name")
        .agg(
            pl.len().alias("customers"),
            (1 - pl.col("truly_alive").cast(pl.Float64).mean()).alias("truly_churned"),
            pl.col("true_buying_rate").median().alias("median_true_buying_rate"),
        )
        .sort("cluster_id")
    )
    lines = [
        "| cluster | customers | truly churned | median true buying rate |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['cluster_name']} | {r['customers']:,} | {r['truly_churned']:.1%} |"
        f" {r['median_true_buying_rate']:.2f} |"
        for r in table.iter_rows(named=True)
    ]
    return {"table": "\n".join(lines), "rows": table.to_dicts()}


def timed(function, *args):
    """``function(*args)`` and its wall seconds; the CPU seconds go to ``CPU_SECONDS``."""
    start, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    CPU_SECONDS[getattr(function, "__name__", "?")] = round(time.process_time() - cpu, 2)
    return value, round(time.perf_counter() - start, 2)


CPU_SECONDS: dict[str, float] = {}


def stored_model_run(con, as_of: dt.date, horizon_days: int):
    """The churn asset's work on a run when training is not due: the model just stored scores."""
    return build_churn(con, as_of, horizon_days, retrain_days=365_000)


def score_churn(con, model, as_of: dt.date) -> int:
    """Score every active buyer with a trained churn model: features, probability, reasons."""
    current = customer_features(con, as_of)
    explain(model, current, predict(model, current))
    return current.height


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--truth", required=True, type=Path)
    parser.add_argument("--dataset", default="medium, seed 42")
    parser.add_argument("--horizon", type=int, default=90, help="churn horizon in days")
    parser.add_argument(
        "--no-churn",
        action="store_true",
        help="CLV and segments only (churn is timed by bench/eval_churn.py in its own run)",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cards", action="store_true", help="regenerate docs/models cards")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    con = duckdb.connect(str(args.db))
    as_of = warehouse_as_of(con)
    (scored, clv_run), clv_seconds = timed(build_clv, con, as_of)
    record_model_run(con, clv_run)
    (_, segments_run), segments_seconds = timed(build_segments, con, as_of)
    record_model_run(con, segments_run)
    # churn after CLV, as in the pipeline (value at risk reads ml.clv); it records its own run
    churn, churn_seconds = None, 0.0
    if not args.no_churn:
        churn, churn_seconds = timed(build_churn, con, as_of, args.horizon)
        if churn.result is None:
            raise SystemExit(f"churn was skipped: {churn.run.reason}")
    load_after_training = os.getloadavg()
    # scoring alone: every customer's CLV with fitted parameters, and cluster assignment
    summary, summary_seconds = timed(clv.purchase_summary, con, as_of)
    model, _ = timed(clv.fit_clv, summary, as_of)
    _, clv_score_seconds = timed(clv.score_clv, model, summary, as_of)
    current, features_seconds = timed(snapshot_features, con, [as_of])
    clusters = segment_clusters.fit_clusters(current.drop("snapshot_date"))
    _, assign_seconds = timed(clusters.assign, current)
    churn_score_seconds, churn_stored_seconds = 0.0, 0.0
    if churn is not None:
        _, churn_score_seconds = timed(score_churn, con, churn.result.model, as_of)
        # what the asset costs on a run between trainings: the stored model scores and writes
        stored, churn_stored_seconds = timed(stored_model_run, con, as_of, args.horizon)
        if stored.run.parameters.get("retrained") is not False:
            raise SystemExit("the churn run after training did not use the stored model")
    truth_clv = clv_against_truth(con, args.truth, as_of, clv_run.metrics["holdout_days"])
    truth_segments = segments_against_truth(con, args.truth, as_of)
    report = {
        "as_of": str(as_of),
        "customers": scored.height,
        "train_seconds": {
            "clv": clv_seconds,
            "segments": segments_seconds,
            "churn": churn_seconds,
            "all": round(clv_seconds + segments_seconds + churn_seconds, 2),
        },
        "score_seconds": {
            "clv": round(summary_seconds + clv_score_seconds, 2),
            "segments": round(features_seconds + assign_seconds, 2),
            "churn": churn_score_seconds,
            "all": round(
                summary_seconds
                + clv_score_seconds
                + features_seconds
                + assign_seconds
                + churn_score_seconds,
                2,
            ),
        },
        "cpu_seconds": CPU_SECONDS,
        "load_average": {
            "start": load_at_start,
            "after_training": load_after_training,
            "end": os.getloadavg(),
        },
        # the churn asset between trainings (TANDEM_CHURN_RETRAIN_DAYS): score with the stored
        # model and write the tables, no validation or fit
        "churn_stored_model_run_seconds": churn_stored_seconds,
        "churn_scored": None if churn is None else churn.result.scores.height,
        "churn_step_seconds_wall_cpu": None if churn is None else churn.result.seconds,
        "peak_rss_mb": round(peak_mb(), 1),
        "clv_run_metrics": clv_run.metrics,
        "segments_run_metrics": segments_run.metrics,
        "clv": {"dataset": args.dataset, **truth_clv},
        "segments": {"dataset": args.dataset, "table": truth_segments["table"]},
    }
    con.close()
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    if args.cards:
        from models_ml.model_cards import main as write_cards

        cards = ["--db", str(args.db)] + (["--truth", str(args.json)] if args.json else [])
        write_cards(cards)


if __name__ == "__main__":
    main()
