"""Write the churn model card (``docs/models/churn.md``) and its reliability plot from a run.

Called by ``bench/eval_churn.py --card`` with the figures it measured; every number in the card
comes from that run (the build file's ``ml.churn_*`` tables and the truth judgement).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl

DOCS = Path(__file__).resolve().parent.parent / "docs" / "models"
PLOT = "churn_reliability.png"


def plot_reliability(curve: pl.DataFrame, path: Path, model: str) -> None:
    """Mean predicted against observed churn per bin, one line per validation cutoff."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for (cutoff,), bins in curve.sort("bin").partition_by("cutoff", as_dict=True).items():
        ax.plot(bins["mean_predicted"], bins["observed_rate"], marker="o", label=str(cutoff))
    ax.set_xlabel("predicted churn probability (bin mean)")
    ax.set_ylabel("observed churn rate")
    ax.set_title(f"Churn reliability, {model}, per validation cutoff")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _f(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def validation_table(figures: dict) -> str:
    truth = {row["cutoff"]: row for row in figures["truth"]["per_cutoff"]}
    lines = [
        "| cutoff | model | train rows | test customers | churn rate | ROC-AUC | oracle AUC |"
        " model / oracle | PR-AUC | Brier | ECE | top-decile lift |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in figures["validation"]:
        oracle = truth[row["cutoff"]]["oracle_auc"]
        lines.append(
            f"| {row['cutoff']} | {row['model']} | {row['train_rows']:,} |"
            f" {int(row['customers']):,} | {_f(row['churn_rate'])} | {_f(row['roc_auc'])} |"
            f" {_f(oracle)} | {_f(row['roc_auc'] / oracle)} | {_f(row['pr_auc'])} |"
            f" {_f(row['brier'])} | {_f(row['ece'])} | {_f(row['top_decile_lift'], 2)} |"
        )
    return "\n".join(lines)


def reasons_table(figures: dict) -> str:
    lines = [
        "| true main driver | customers | first reason names it | in the top 20% risk |"
        " first reason names it |",
        "|---|---|---|---|---|",
    ]
    for driver, row in figures["truth"]["reasons"].items():
        lines.append(
            f"| {driver} | {row['customers']:,} | {_f(row['first_reason_share'], 2)} |"
            f" {row['top20_customers']:,} | {_f(row['top20_first_reason_share'], 2)} |"
        )
    return "\n".join(lines)


def write_card(con, figures: dict, docs: Path = DOCS) -> Path:
    """Write the card and the plot for the chosen model; returns the card's path."""
    model = figures["chosen_model"]
    curve = con.sql(
        "select * from ml.churn_reliability where model = $model", params={"model": model}
    ).pl()
    plot_reliability(curve, docs / PLOT, model)
    template = (Path(__file__).parent / "churn_card.md.tmpl").read_text(encoding="utf-8")
    card = template.format(
        as_of=figures["as_of"],
        home=figures["scale_home"],
        model=model,
        scored=f"{figures['scored']:,}",
        validation=validation_table(figures),
        reasons=reasons_table(figures),
        train_seconds=figures["train_validate_score_seconds"],
        score_seconds=figures["score_seconds"],
        peak_mb=f"{figures['peak_rss_mb']:,}",
        plot=PLOT,
        full_oracle=", ".join(_f(row["oracle_full_auc"]) for row in figures["truth"]["per_cutoff"]),
    )
    path = docs / "churn.md"
    path.write_text(card, encoding="utf-8")
    return path
