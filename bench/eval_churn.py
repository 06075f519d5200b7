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
import resource
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from models_ml.churn import predict
from models_ml.churn_metrics import reliability_curve
from models_ml.churn_reasons import explain
from models_ml.churn_store import build_churn
from models_ml.features import customer_features
from models_ml.warehouse import warehouse_as_of
from orchestration.settings import TandemSettings

B_DELAY, B_TICKETS, B_SILENCE = 0.03, 0.25, 0.9  # simulator/behaviour.py
DOMINANT_TERM = 0.45  # a driver multiplying the hazard by at least e^0.45 = 1.6


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


def month_index(date: dt.date) -> dt.date:
    return date.replace(day=1)


def add_months(month: dt.date, k: int) -> dt.date:
    year, index = divmod(month.month - 1 + k, 12)
    return dt.date(month.year + year, index + 1, 1)


def oracle_scores(panel: pl.DataFrame, rates: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """Per true customer at ``cutoff``: the hazard oracle and the full oracle.

    ``oracle_hazard`` = 1 - (1 - h1)^3 with h1 the true hazard of the month after the cutoff's
    (set by the three months up to the cutoff, so known then), held for the horizon's three
    months; 1 when the customer is no longer alive. The truth records a hazard of 0 after a
    customer churns, so multiplying the three recorded hazards would rank the customers who
    churn in the first month lower: the first month's hazard is used for all three.
    ``oracle_full`` also uses the true purchase rate: the chance of no Poisson order in the
    months the customer is still alive.
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
    h = [frame["h1"].fill_null(0).to_numpy()] * 3
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


def stop_flags(companies: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """Per true company: still buying at ``cutoff``, and stopping in the three months after."""
    churn = pl.col("churn_month")
    end = add_months(month_index(cutoff), 4)
    return companies.select(
        "true_customer_id",
        (churn.is_null() | (churn > cutoff)).alias("alive_at_cutoff"),
        ((churn > cutoff) & (churn < end)).fill_null(False).alias("stops_next_3m"),
    )


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
