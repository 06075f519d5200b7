"""Judge the churn early warning against the simulator's truth, time it, and write its card.

    nice -n 10 .venv/bin/python -m bench.eval_churn --home /work/shared-data/medium \\
        --work /work/shared-data/<branch>/work [--json out.json] [--card]

The build file of ``--home`` is copied into the folder ``--work`` once (the shared warehouse
stays read-only; a copy already there is reused) and the real ``build_churn`` runs on the copy,
timed and with its peak memory. A build from before ``core.dim_as_of_date`` existed gets that
one-row table in the copy, from the build's own as-of date. Then, per validation
cutoff, the model's AUC is set against the oracle's: the AUC the true monthly hazard reaches
on the same customers and label (1 - prod(1 - h) over the horizon's months, 1 for a customer
already churned). The reasons are checked against the true driver of each customer's hazard.
With ``--card`` it writes ``docs/models/churn.md`` and the reliability plot beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
from sklearn.metrics import roc_auc_score

from bench.churn_truth import (
    oracle_scores,
    reason_shares,
    stop_flags,
    true_drivers,
)
from models_ml.churn import predict
from models_ml.churn_metrics import reliability_curve
from models_ml.churn_reasons import explain
from models_ml.churn_store import build_churn
from models_ml.features import customer_features
from models_ml.warehouse import warehouse_as_of
from orchestration.settings import TandemSettings


def key_to_truth(con, truth: Path) -> pl.DataFrame:
    """Golden customer_key -> true_customer_id (the id most of the key's ordering ERP records
    carry), through the ERP customer codes on the order-line mart (no intermediate model)."""
    return con.sql(
        f"""
        with codes as (
            select distinct customer_key, cast(erp_customer_code as varchar) as record_id
            from core.fct_order_lines
            where customer_key is not null and erp_customer_code is not null
        )

        select codes.customer_key, mode(identity.true_customer_id) as true_customer_id
        from '{truth}/identity.parquet' as identity
        join codes on codes.record_id = identity.record_id
        where identity.system = 'erp'
        group by codes.customer_key
        """
    ).pl()


def working_copy(home: Path, work: Path) -> Path:
    """The build file of ``home`` copied into the folder ``work`` (once; reused after)."""
    target = work / f"{home.name}-build.duckdb" if work.suffix != ".duckdb" else work
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        settings = TandemSettings(home=home)
        # a home made before the build file moved to warehouse/build/ keeps it at the old path
        source = settings.build_db if settings.build_db.exists() else settings.legacy_build_db
        shutil.copyfile(source, target)
    return target


def ensure_as_of_table(con) -> None:
    """Older builds lack ``core.dim_as_of_date``: publish the build's own as-of date into it."""
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'core'"
        " and table_name = 'dim_as_of_date'"
    ).fetchall()[0][0]
    if not found:
        con.execute(
            "create table core.dim_as_of_date as select as_of_date,"
            " cast(as_of_source as varchar) as as_of_source, latest_data_date"
            " from intermediate.int_as_of_date"
        )


LAST_ORDERS_SQL = """
select
    cutoffs.as_of as as_of_date,
    order_lines.customer_key,
    date_diff('day', max(order_lines.order_date), cutoffs.as_of) as days_since_last_order
from (select cast(unnest($cutoffs) as date) as as_of) as cutoffs
inner join core.fct_order_lines as order_lines on order_lines.order_date <= cutoffs.as_of
where order_lines.is_approved and order_lines.customer_key is not null
group by cutoffs.as_of, order_lines.customer_key
"""


def lead_time(con, predictions: pl.DataFrame, keys, companies, model: str) -> dict:
    """How early the warning comes for customers the truth says stop buying after a cutoff.

    Per validation cutoff, customers whose true churn month is one of the three after it were
    still buying customers when scored. For them: the share the chosen model ranks in its top
    decile or puts in the high band (against the share of true stayers), the median days from the
    cutoff to the first day of the month they stop in, and the median days since their last
    order at the cutoff (what a recency rule would have to wait out).
    """
    churn = companies.select(
        "true_customer_id", pl.col("churn_month").cast(pl.Date).alias("churn_month")
    )
    preds = predictions.filter(pl.col("model") == model)
    cutoffs = sorted(set(preds["as_of_date"].to_list()))
    recency = con.sql(LAST_ORDERS_SQL, params={"cutoffs": cutoffs}).pl()
    frame = (
        preds.join(keys, on="customer_key")
        .join(churn, on="true_customer_id", how="left")
        .join(recency, on=["as_of_date", "customer_key"], how="left")
        .with_columns(
            (
                pl.col("churn_probability")
                >= pl.col("churn_probability").quantile(0.9).over("as_of_date")
            ).alias("top_decile"),
            (pl.col("churn_probability") >= 0.5).alias("high_band"),
            (
                (pl.col("churn_month") > pl.col("as_of_date"))
                & (pl.col("churn_month") <= pl.col("as_of_date").dt.offset_by("3mo"))
            )
            .fill_null(False)
            .alias("stops_next_3m"),
        )
    )
    stops = frame.filter(pl.col("stops_next_3m"))
    stays = frame.filter(pl.col("churn_month").is_null())
    flagged = stops.filter(pl.col("high_band"))
    # among customers still buying at the cutoff: does the score rank those about to stop first?
    alive = frame.filter(
        pl.col("churn_month").is_null() | (pl.col("churn_month") > pl.col("as_of_date"))
    )
    return {
        "alive_customers": alive.height,
        "alive_stop_auc": roc_auc_score(
            alive["stops_next_3m"].to_numpy(), alive["churn_probability"].to_numpy()
        ),
        "true_churners_next_3m": stops.height,
        "churners_top_decile_share": stops["top_decile"].mean(),
        "churners_high_band_share": stops["high_band"].mean(),
        "stayers_high_band_share": stays["high_band"].mean(),
        "flagged_median_days_to_stop": flagged.select(
            (pl.col("churn_month") - pl.col("as_of_date")).dt.total_days().median()
        ).item(),
        "flagged_median_days_since_last_order": flagged["days_since_last_order"].median(),
    }


def judge(con, truth: Path, cutoffs, predictions: pl.DataFrame, scores: pl.DataFrame) -> dict:
    """Model vs oracle AUC per cutoff, the reason-driver shares at the as-of date and the lead
    time of the warning."""
    panel = pl.read_parquet(truth / "churn_monthly.parquet")
    companies = pl.read_parquet(truth / "companies.parquet")
    rates = companies.select("true_customer_id", "purchase_rate")
    keys = key_to_truth(con, truth)
    per_cutoff = []
    for cutoff in cutoffs:
        oracle = oracle_scores(panel, rates, cutoff)
        preds = (
            predictions.filter(pl.col("as_of_date") == cutoff)
            .join(keys, on="customer_key")
            .join(oracle, on="true_customer_id")
        )
        row = {"cutoff": str(cutoff)}
        stops = stop_flags(companies, cutoff)
        for (name,), frame in preds.partition_by("model", as_dict=True).items():
            alive = frame.join(stops, on="true_customer_id").filter(pl.col("alive_at_cutoff"))
            row[f"alive_stop_auc_{name}"] = roc_auc_score(
                alive["stops_next_3m"].to_numpy(), alive["churn_probability"].to_numpy()
            )
            row["alive_stop_oracle_auc"] = roc_auc_score(
                alive["stops_next_3m"].to_numpy(), alive["oracle_hazard"].to_numpy()
            )
            y = frame["churned"].to_numpy()
            row[f"auc_{name}"] = roc_auc_score(y, frame["churn_probability"].to_numpy())
            row["oracle_auc"] = roc_auc_score(y, frame["oracle_hazard"].to_numpy())
            row["oracle_full_auc"] = roc_auc_score(y, frame["oracle_full"].to_numpy())
            row["customers_matched"] = frame.height
        per_cutoff.append(row)
    drivers = true_drivers(panel, companies, scores["as_of_date"][0])
    model = str(scores["model"][0])
    return {
        "per_cutoff": per_cutoff,
        "reasons": reason_shares(scores, drivers, keys),
        "lead_time": lead_time(con, predictions, keys, companies, model),
    }


def time_scoring(con, outcome) -> float:
    """Seconds to score every active buyer again with the trained model (features + reasons)."""
    started = time.perf_counter()
    current = customer_features(con, outcome.run.as_of_date)
    probability = predict(outcome.result.model, current)
    explain(outcome.result.model, current, probability)
    return time.perf_counter() - started


def reliability_from(predictions: pl.DataFrame, model: str) -> pl.DataFrame:
    """The reliability bins of ``model`` per cutoff, from the saved validation predictions."""
    return pl.concat(
        reliability_curve(
            part["churned"].to_numpy(), part["churn_probability"].to_numpy()
        ).with_columns(pl.lit(cutoff).alias("cutoff"), pl.lit(model).alias("model"))
        for (cutoff,), part in predictions.filter(pl.col("model") == model)
        .sort("as_of_date")
        .partition_by("as_of_date", as_dict=True, maintain_order=True)
        .items()
    )


def rejudge(args) -> None:
    """Judge a finished run again from its saved figures and parquet files (no training).

    Reads the marts from the home's build file, read-only (the working copy may be busy)."""
    figures = json.loads(args.json.read_text(encoding="utf-8"))
    predictions = pl.read_parquet(args.json.with_suffix(".preds.parquet"))
    scores = pl.read_parquet(args.json.with_suffix(".scores.parquet"))
    cutoffs = sorted({dt.date.fromisoformat(row["cutoff"]) for row in figures["validation"]})
    settings = TandemSettings(home=args.home)
    build = settings.build_db if settings.build_db.exists() else settings.legacy_build_db
    con = duckdb.connect(str(build), read_only=True)
    figures["truth"] = judge(con, args.home / "landing" / "truth", cutoffs, predictions, scores)
    text = json.dumps(figures, indent=2, default=str)
    print(text)
    args.json.write_text(text + "\n", encoding="utf-8")
    if args.card:
        from bench.churn_card import write_card

        curve = reliability_from(predictions, figures["chosen_model"])
        write_card(con, figures, curve=curve)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--card", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--judge-only",
        action="store_true",
        help="judge and write the card from the --json run and its parquet files, no training",
    )
    args = parser.parse_args()
    if args.judge_only:
        rejudge(args)
        return
    work = working_copy(args.home, args.work)
    con = duckdb.connect(str(work), config={"memory_limit": "1500MB"})
    ensure_as_of_table(con)
    as_of = warehouse_as_of(con)
    outcome = build_churn(con, as_of, args.horizon)
    if outcome.result is None:
        raise SystemExit(f"churn was skipped: {outcome.run.reason}")
    figures = {
        "scale_home": str(args.home),
        "as_of": str(as_of),
        "model_version": outcome.run.model_version,
        "train_validate_score_seconds": round(outcome.seconds, 1),
        "step_seconds_wall_cpu": outcome.result.seconds,
        "process_cpu_seconds": round(time.process_time(), 1),
        "load_average": os.getloadavg(),
        "score_seconds": round(time_scoring(con, outcome), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "scored": outcome.result.scores.height,
        "chosen_model": outcome.result.validation.chosen,
        "validation": outcome.result.validation.metrics.with_columns(
            pl.col("cutoff", "train_from", "train_to").cast(pl.String)
        ).to_dicts(),
        "notes": outcome.notes,
        "driver_weights": outcome.result.model.drivers.weights,
    }
    if args.json:  # the model's own figures survive a failure in the judgement below
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
        outcome.result.validation.predictions.write_parquet(args.json.with_suffix(".preds.parquet"))
        outcome.result.scores.drop("reasons", "reasons_zh", "reason_keys").write_parquet(
            args.json.with_suffix(".scores.parquet")
        )
    cutoffs = [fold.test_date for fold in outcome.result.validation.folds]
    figures["truth"] = judge(
        con,
        args.home / "landing" / "truth",
        cutoffs,
        outcome.result.validation.predictions,
        outcome.result.scores,
    )
    print(json.dumps(figures, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    if args.card:
        from bench.churn_card import write_card

        write_card(con, figures)
    con.close()


if __name__ == "__main__":
    main()
