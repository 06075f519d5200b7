"""Regenerate the CLV and segments model cards from the last run in a warehouse.

``python -m models_ml.model_cards --db <warehouse.duckdb> [--truth <json>]`` rewrites
``docs/models/clv.md`` and ``docs/models/segments.md`` with their plots from ``ml.model_runs``
and the model tables; ``--truth`` adds the judgement against the simulator's truth that
``bench/customer_models.py`` measures (the pipeline itself never reads the truth).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import polars as pl

# a Figure without pyplot needs no display and no global backend state
from matplotlib.figure import Figure

from models_ml.model_cards_text import clv_card, segments_card
from models_ml.model_runs import latest_runs
from orchestration.settings import REPO_ROOT

DOCS_DIR = REPO_ROOT / "docs" / "models"
CLV_PLOT = "clv_fit.png"
SEGMENTS_PLOT = "segments_profile.png"


def last_run(con, model: str) -> dict:
    """The newest ``ml.model_runs`` row of ``model`` with its JSON columns decoded."""
    runs = {run["model"]: run for run in latest_runs(con)}
    if model not in runs:
        raise LookupError(f"ml.model_runs has no run of {model!r}: run the pipeline first")
    run = dict(runs[model])
    run["parameters"] = json.loads(run["parameters"] or "{}")
    run["metrics"] = json.loads(run["metrics"] or "{}")
    return run


def plot_clv_fit(fit_check: pl.DataFrame, path: Path) -> None:
    """Two panels: customers by repeat purchases (actual vs model), and mean holdout purchases
    by calibration repeat purchases (actual vs predicted)."""
    figure = Figure(figsize=(11, 4))
    axes = figure.subplots(1, 2)
    panels = (
        ("repeat_count", "customers", "Repeat purchases up to the as-of date (7 = 7+)"),
        ("holdout_by_frequency", "mean purchases in holdout", "Repeat purchases in calibration"),
    )
    for axis, (check, ylabel, xlabel) in zip(axes, panels, strict=True):
        rows = fit_check.filter(pl.col("check_name") == check).sort("group")
        groups = rows["group"].to_list()
        if check == "repeat_count":
            width = 0.4
            axis.bar([g - width / 2 for g in groups], rows["actual"], width, label="actual")
            axis.bar([g + width / 2 for g in groups], rows["model"], width, label="BG/NBD")
        else:
            axis.plot(groups, rows["actual"], "o-", label="actual")
            axis.plot(groups, rows["model"], "s--", label="BG/NBD")
        axis.set_xlabel(xlabel)
        axis.set_ylabel(ylabel)
        axis.legend()
    axes[0].set_title("Fit: customers by repeat purchases")
    axes[1].set_title("Holdout: conditional expectations")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def plot_segments(profiles: pl.DataFrame, silhouettes: dict[str, float], path: Path) -> None:
    """Silhouette by k, and each cluster's share of customers and of 12-month revenue."""
    figure = Figure(figsize=(11, 4))
    axes = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    ks = sorted(int(k) for k in silhouettes)
    axes[0].plot(ks, [silhouettes[str(k)] for k in ks], "o-")
    axes[0].set_xlabel("k")
    axes[0].set_ylabel("silhouette (sample)")
    axes[0].set_title("Choice of k")
    names = profiles["cluster_name"].to_list()
    positions = list(range(len(names)))
    axes[1].barh([p - 0.2 for p in positions], profiles["customer_share"], 0.4, label="customers")
    axes[1].barh([p + 0.2 for p in positions], profiles["revenue_share"], 0.4, label="revenue")
    axes[1].set_yticks(positions, names)
    axes[1].invert_yaxis()
    axes[1].set_xlabel("share")
    axes[1].set_title("Clusters: share of customers and of 12-month revenue")
    axes[1].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def write_clv_card(con, docs_dir: Path = DOCS_DIR, truth: dict | None = None) -> Path:
    """Rewrite ``clv.md`` and its plot from the last CLV run in ``con``."""
    run = last_run(con, "clv")
    if run["status"] != "ok":
        raise LookupError(f"the last CLV run was skipped: {run['reason']}")
    fit_check = con.sql("select * from ml.clv_fit_check").pl()
    plot_clv_fit(fit_check, docs_dir / CLV_PLOT)
    deciles = con.sql(
        """
        select ntile(10) over (order by clv_12m_revenue desc) as decile, *
        from ml.clv
        """
    ).pl()
    summary = (
        deciles.group_by("decile")
        .agg(
            pl.len().alias("customers"),
            pl.col("p_alive").mean(),
            pl.col("expected_purchases_12m").mean(),
            pl.col("clv_12m_revenue").sum(),
            pl.col("clv_12m_margin").sum(),
        )
        .sort("decile")
    )
    path = docs_dir / "clv.md"
    path.write_text(clv_card(run, fit_check, summary, CLV_PLOT, truth), encoding="utf-8")
    return path


def write_segments_card(con, docs_dir: Path = DOCS_DIR, truth: dict | None = None) -> Path:
    """Rewrite ``segments.md`` and its plot from the last segments run in ``con``."""
    run = last_run(con, "segments")
    if run["status"] != "ok":
        raise LookupError(f"the last segments run was skipped: {run['reason']}")
    profiles = con.sql("select * from ml.cluster_profiles order by cluster_id").pl()
    migration = con.sql("select * from ml.segment_migration").pl()
    plot_segments(profiles, run["metrics"]["silhouette_by_k"], docs_dir / SEGMENTS_PLOT)
    path = docs_dir / "segments.md"
    path.write_text(segments_card(run, profiles, migration, SEGMENTS_PLOT, truth), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="a built or served warehouse")
    parser.add_argument("--truth", type=Path, help="JSON written by bench/customer_models.py")
    parser.add_argument("--docs", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    truth = json.loads(args.truth.read_text(encoding="utf-8")) if args.truth else {}
    con = duckdb.connect(str(args.db), read_only=True)
    try:
        for path in (
            write_clv_card(con, args.docs, truth.get("clv")),
            write_segments_card(con, args.docs, truth.get("segments")),
        ):
            print(f"wrote {path}")
    finally:
        con.close()


if __name__ == "__main__":
    main()
