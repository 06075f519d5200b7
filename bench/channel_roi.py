"""Channel ROI at a given scale: time and memory of attribution and the MMM, and its accuracy.

    python -m bench.channel_roi [--warehouse FILE] [--truth DIR] [--work DIR] [--no-report]

The serving file is copied into ``--work`` (the shared medium warehouse stays read-only), then
each step runs in its own child process (``--step attribution|mmm --db COPY``) measured by
``bench.measure`` (wall, CPU, peak RSS of the process tree). The published ``ml.channel_roi``
is compared with the simulator's ``truth/channels.parquet``: the ROI error of every method and
channel, and whether the channels are ranked as the truth ranks them. Results go to
``bench/results/channel_roi-<timestamp>.json`` and the model card is regenerated from them
(``bench.channel_roi_report``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import polars as pl

from bench.measure import measure_child

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
MEDIUM = Path("/work/shared-data/medium")
# channels judged: at least this share of the true spend
JUDGED_SHARE = 0.05
ROI_TOLERANCE = 0.20
GOAL_SECONDS, GOAL_MB = 60.0, 2048.0


def _step(db: Path, step: str) -> None:
    from models_ml import channel_roi
    from models_ml.warehouse import warehouse_as_of

    con = duckdb.connect(str(db))
    try:
        _, run = channel_roi.run_step(con, step, warehouse_as_of(con))
        print(json.dumps({"status": run.status, "reason": run.reason}))
    finally:
        con.close()


def evaluate(roi: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Per method: ROI vs truth per judged channel, worst error, ranking correct or not."""
    true_paid = truth.filter(pl.col("spend") > 0).with_columns(
        true_share=pl.col("spend") / pl.col("spend").sum()
    )
    judged = true_paid.filter(pl.col("true_share") >= JUDGED_SHARE)
    true_order = judged.sort("roi", descending=True)["channel"].to_list()
    out = {}
    for (method,), rows in roi.group_by(["method"], maintain_order=True):
        joined = judged.select("channel", "true_share", pl.col("roi").alias("true_roi")).join(
            rows.select("channel", "roi", "roi_lower", "roi_upper"), on="channel", how="left"
        )
        joined = joined.with_columns(error=pl.col("roi") / pl.col("true_roi") - 1)
        order = joined.drop_nulls("roi").sort("roi", descending=True)["channel"].to_list()
        worst = joined["error"].abs().max()
        out[method] = {
            "channels": joined.sort("channel").to_dicts(),
            "worst_abs_error": worst,
            "all_within_tolerance": bool(
                joined["roi"].null_count() == 0 and worst is not None and worst <= ROI_TOLERANCE
            ),
            "ranking": order,
            "true_ranking": true_order,
            "ranking_correct": order == true_order,
        }
    return out


def _tables(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:

        def frame(sql: str) -> list[dict]:
            return con.sql(sql).pl().to_dicts()

        return {
            "roi": frame("select * exclude (as_of_date, model_version) from ml.channel_roi"),
            "curves": frame(
                "select channel, spend_multiplier, spend, expected_margin, margin_lower,"
                " margin_upper, marginal_roi from ml.channel_response_curves"
            ),
            "plan": frame(
                "select * exclude (as_of_date, model_version) from ml.channel_budget_plan"
            ),
            "runs": frame(
                "select model, status, reason, metrics, rows_written from ml.model_runs"
                " where model like 'channel_%' order by run_at"
            ),
            "journeys": frame(
                "select count(*) as journeys, count(*) filter (where is_converted) as conversions,"
                " max(n_touches) as max_touches, avg(n_touches) as mean_touches"
                " from ml.channel_journeys"
            )[0],
            "as_of": str(
                con.execute("select as_of_date from intermediate.int_core__as_of_date").fetchall()[
                    0
                ][0]
            ),
        }
    finally:
        con.close()


def run(warehouse: Path, truth_dir: Path, work: Path, report: bool) -> Path:
    """Copy, measure both steps, evaluate, write the results JSON (and the model card)."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "channel_roi.duckdb"
    shutil.copy(warehouse, db)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    timings = {}
    for step in ("attribution", "mmm"):
        command = [sys.executable, "-m", "bench.channel_roi", "--step", step, "--db", str(db)]
        timings[step] = measure_child(command, env, REPO, work / f"{step}.log").to_dict()
    tables = _tables(db)
    roi = pl.DataFrame(tables["roi"])
    truth = pl.read_parquet(truth_dir / "channels.parquet")
    total = {
        "wall_seconds": sum(t["wall_seconds"] for t in timings.values()),
        "cpu_seconds": sum(t["cpu_seconds"] for t in timings.values()),
        "peak_rss_mb": max(t["peak_rss_mb"] for t in timings.values()),
    }
    result = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": str(warehouse),
        "machine": {"cores": os.cpu_count(), "load_1min": os.getloadavg()[0]},
        "timings": timings,
        "total": total,
        "goals": {
            "seconds": GOAL_SECONDS,
            "peak_mb": GOAL_MB,
            "met": total["wall_seconds"] <= GOAL_SECONDS and total["peak_rss_mb"] <= GOAL_MB,
        },
        "truth": truth.to_dicts(),
        "evaluation": evaluate(roi, truth),
        **tables,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"channel_roi-{stamp}.json"
    path.write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False))
    if report:
        from bench.channel_roi_report import write_report

        write_report(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=MEDIUM / "warehouse" / "tandem.duckdb")
    parser.add_argument("--truth", type=Path, default=MEDIUM / "landing" / "truth")
    parser.add_argument("--work", type=Path, default=Path("/tmp/tandem-bench-channel-roi"))
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--step", choices=["attribution", "mmm"])
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.step:
        _step(args.db, args.step)
        return
    path = run(args.warehouse, args.truth, args.work, report=not args.no_report)
    print(path)


if __name__ == "__main__":
    main()
