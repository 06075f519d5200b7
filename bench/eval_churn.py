"""Judge the churn early warning against the simulator's truth, time it, and write its card.

    .venv/bin/python -m bench.eval_churn --home /work/shared-data/medium \\
        --work /work/shared-data/churn/medium-build.duckdb [--card]

The build file of ``--home`` is copied to ``--work`` (the shared warehouse stays read-only) and
the real ``build_churn`` runs on the copy, timed and with its peak memory. Then, per validation
cutoff, the model's AUC is set against the oracle's: the AUC the true monthly hazard reaches
on the same customers and label (1 - prod(1 - h) over the horizon's months, 1 for a customer
already churned). The reasons are checked against the true driver of each customer's hazard.
With ``--card`` it writes ``docs/models/churn.md`` and the reliability plot beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from models_ml.churn import predict
from models_ml.churn_reasons import explain
from models_ml.churn_store import build_churn
from models_ml.features import customer_features
from models_ml.warehouse import warehouse_as_of

B_DELAY, B_TICKETS, B_SILENCE = 0.03, 0.25, 0.9  # simulator/behaviour.py
DOMINANT_TERM = 0.45  # a driver multiplying the hazard by at least e^0.45 = 1.6


def key_to_truth(con, truth: Path) -> pl.DataFrame:
    """Golden customer_key -> true_customer_id (the id most of the key's ERP records carry)."""
    return con.sql(
        f"""
        select key_map.customer_key, mode(identity.true_customer_id) as true_customer_id
        from '{truth}/identity.parquet' as identity
        join intermediate.int_customer_key_map as key_map
            on key_map.source_system = 'erp' and key_map.source_record_id = identity.record_id
        where identity.system = 'erp'
        group by key_map.customer_key
        """
    ).pl()


def month_index(date: dt.date) -> dt.date:
    return date.replace(day=1)


def add_months(month: dt.date, k: int) -> dt.date:
    year, index = divmod(month.month - 1 + k, 12)
    return dt.date(month.year + year, index + 1, 1)


def oracle_scores(panel: pl.DataFrame, rates: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """Per true customer at ``cutoff``: the hazard oracle and the full oracle.

    ``oracle_hazard`` = 1 - prod(1 - h) over the three months after the cutoff's month (1 when
    the customer is no longer alive in that month); ``oracle_full`` also uses the true purchase
    rate: the chance of no Poisson order in the months the customer is still alive.
    """
    m0 = month_index(cutoff)
    months = [add_months(m0, k) for k in range(1, 4)]
    now = panel.filter(pl.col("month") == m0).select("true_customer_id", "alive")
    ahead = (
        panel.filter(pl.col("month").is_in(months))
        .pivot(on="month", index="true_customer_id", values="hazard")
        .rename({str(m): f"h{k + 1}" for k, m in enumerate(months)})
    )
    frame = now.join(ahead, on="true_customer_id", how="left").join(
        rates, on="true_customer_id", how="left"
    )
    h = [frame[f"h{k}"].fill_null(0).to_numpy() for k in (1, 2, 3)]
    rate = frame["purchase_rate"].fill_null(0).to_numpy()
    survive, no_order = np.ones(frame.height), np.zeros(frame.height)
    for k in range(3):
        no_order += survive * h[k] * np.exp(-rate * k)
        survive = survive * (1 - h[k])
    no_order += survive * np.exp(-rate * 3)
    alive = frame["alive"].to_numpy()
    return frame.select("true_customer_id").with_columns(
        pl.Series("oracle_hazard", np.where(alive, 1 - survive, 1.0)),
        pl.Series("oracle_full", np.where(alive, no_order, 1.0)),
    )


def true_drivers(panel: pl.DataFrame, companies: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The three hazard terms for the month after ``as_of`` and the dominant one, if any."""
    m = add_months(month_index(as_of), 1)
    window = panel.filter(
        (pl.col("month") >= add_months(m, -3)) & (pl.col("month") < m) & pl.col("alive")
    )
    terms = (
        window.group_by("true_customer_id")
        .agg(
            pl.col("payment_delay_days").fill_nan(None).mean().fill_null(0).alias("delay"),
            pl.col("tickets").sum().alias("tickets"),
            (pl.col("followups").sum() == 0).alias("silent"),
            pl.len().alias("months"),
        )
        .join(companies.select("true_customer_id", "acquired_date"), on="true_customer_id")
        .with_columns(
            (B_DELAY * pl.col("delay").clip(0, 60)).alias("payment"),
            (B_TICKETS * pl.col("tickets").clip(0, 6)).alias("tickets_term"),
            (
                B_SILENCE
                * (
                    pl.col("silent")
                    & (pl.col("months") >= 3)
                    & (pl.col("acquired_date") <= add_months(m, -3))
                ).cast(pl.Float64)
            ).alias("silence"),
        )
    )
    names = ["payment", "tickets_term", "silence"]
    scores = terms.select(names).to_numpy()
    best = scores.argmax(axis=1)
    top = scores.max(axis=1)
    others = scores.sum(axis=1) - top
    dominant = np.where((top >= DOMINANT_TERM) & (top > others), best, -1)
    labels = np.array(["payment", "tickets", "silence"])
    return terms.select("true_customer_id").with_columns(
        pl.Series(
            "true_driver",
            [labels[d] if d >= 0 else None for d in dominant],
            dtype=pl.String,
        )
    )


def reason_shares(scores: pl.DataFrame, drivers: pl.DataFrame, keys: pl.DataFrame) -> dict:
    """Per true driver: customers, and the share whose first reason names it (all / top 20%)."""
    joined = scores.join(keys, on="customer_key").join(drivers, on="true_customer_id")
    threshold = scores["churn_probability"].quantile(0.8)
    out = {}
    for driver in ("payment", "tickets", "silence"):
        group = joined.filter(pl.col("true_driver") == driver)
        risky = group.filter(pl.col("churn_probability") >= threshold)
        hit = pl.col("first_reason_driver") == driver
        out[driver] = {
            "customers": group.height,
            "first_reason_share": group.select(hit.mean()).item() if group.height else None,
            "top20_customers": risky.height,
            "top20_first_reason_share": risky.select(hit.mean()).item() if risky.height else None,
        }
    return out


def judge(con, truth: Path, outcome) -> dict:
    """Model vs oracle AUC per cutoff, and the reason-driver shares at the as-of date."""
    panel = pl.read_parquet(truth / "churn_monthly.parquet")
    companies = pl.read_parquet(truth / "companies.parquet")
    rates = companies.select("true_customer_id", "purchase_rate")
    keys = key_to_truth(con, truth)
    result = outcome.result
    per_cutoff = []
    for fold in result.validation.folds:
        oracle = oracle_scores(panel, rates, fold.test_date)
        preds = (
            result.validation.predictions.filter(pl.col("as_of_date") == fold.test_date)
            .join(keys, on="customer_key")
            .join(oracle, on="true_customer_id")
        )
        row = {"cutoff": str(fold.test_date)}
        for name, frame in preds.partition_by("model", as_dict=True).items():
            y = frame["churned"].to_numpy()
            row[f"auc_{name[0]}"] = roc_auc_score(y, frame["churn_probability"].to_numpy())
            row["oracle_auc"] = roc_auc_score(y, frame["oracle_hazard"].to_numpy())
            row["oracle_full_auc"] = roc_auc_score(y, frame["oracle_full"].to_numpy())
            row["customers_matched"] = frame.height
        per_cutoff.append(row)
    drivers = true_drivers(panel, companies, result.scores["as_of_date"][0])
    return {"per_cutoff": per_cutoff, "reasons": reason_shares(result.scores, drivers, keys)}


def time_scoring(con, outcome) -> float:
    """Seconds to score every active buyer again with the trained model (features + reasons)."""
    started = time.perf_counter()
    current = customer_features(con, outcome.run.as_of_date)
    probability = predict(outcome.result.model, current)
    explain(outcome.result.model, current, probability)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--card", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    source = args.home / "warehouse" / "build.duckdb"
    args.work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, args.work)
    con = duckdb.connect(str(args.work), config={"memory_limit": "1500MB"})
    as_of = warehouse_as_of(con)
    outcome = build_churn(con, as_of, args.horizon)
    if outcome.result is None:
        raise SystemExit(f"churn was skipped: {outcome.run.reason}")
    figures = {
        "scale_home": str(args.home),
        "as_of": str(as_of),
        "train_validate_score_seconds": round(outcome.seconds, 1),
        "score_seconds": round(time_scoring(con, outcome), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "scored": outcome.result.scores.height,
        "chosen_model": outcome.result.validation.chosen,
        "validation": outcome.result.validation.metrics.with_columns(
            pl.col("cutoff", "train_from", "train_to").cast(pl.String)
        ).to_dicts(),
        "notes": outcome.notes,
    }
    figures["truth"] = judge(con, args.home / "landing" / "truth", outcome)
    print(json.dumps(figures, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    if args.card:
        from bench.churn_card import write_card

        write_card(con, figures)
    con.close()


if __name__ == "__main__":
    main()
