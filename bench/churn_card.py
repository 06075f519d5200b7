"""Write the churn model card (``docs/models/churn.md``) and its reliability plot from a run.

Called by ``bench/eval_churn.py --card`` with the figures it measured; every number in the card
comes from that run (the build file's ``ml.churn_*`` tables and the truth judgement).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl

from models_ml.churn import MODEL_VERSION
from models_ml.churn_drivers import DRIVER_MIN_LOG_ODDS

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
        "| true main driver | customers | first reason names it | given no reason |"
        " of those given one, names it | in the top 20% risk |"
        " first reason names it | first reason is this driver | truly main driver |"
        " of those with a main driver | truly this one |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for driver, row in figures["truth"]["reasons"].items():
        lines.append(
            f"| {driver} | {row['customers']:,} | {_f(row['first_reason_share'], 2)} |"
            f" {row['without_reason']:,} | {_f(row['share_of_those_with_a_reason'], 2)} |"
            f" {row['top20_customers']:,} | {_f(row['top20_first_reason_share'], 2)} |"
            f" {row['named_first']:,} | {_f(row['precision'], 2)} |"
            f" {row['named_with_a_main_driver']:,} | {_f(row['precision_among_driven'], 2)} |"
        )
    return "\n".join(lines)


# why a driver can fall short, worded once per driver; which driver falls short, and by how
# much, comes from the run
SHORTFALL_WHY = {
    "payment": "the true hazard reads the delays of the last three months' orders, whose"
    " invoices are mostly not yet paid, or not yet due, on the as-of date; the driver model sees"
    " the delays the customer's paid and overdue invoices show, a weaker sign of the same habit",
    "tickets": "the driver model's weight per ticket, learnt from the 90-day label, leaves some"
    " ticket-driven customers under the odds floor of a reason",
    "silence": "a follow-up gap is common among customers who keep buying, so the label"
    " separates silent customers only weakly",
}
MOST = 0.5  # "in most cases": more than half


def _share(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def reasons_summary(figures: dict) -> str:
    """The paragraph under the reasons table, from the run's measured shares (a pure function).

    Says per driver whether the first reason names it for most of the customers it drives, with
    the share and the precision among customers with a main driver, and why a driver falls
    short; nothing in it is fixed prose about the outcome.
    """
    rows = figures["truth"]["reasons"]
    met = [d for d, row in rows.items() if (row["first_reason_share"] or 0) > MOST]
    missed = [d for d in rows if d not in met]

    def described(driver: str) -> str:
        row = rows[driver]
        return (
            f"{driver} {_share(row['first_reason_share'])} of {row['customers']:,}"
            f" (precision among customers with a main driver"
            f" {_share(row['precision_among_driven'])})"
        )

    parts = []
    if met:
        parts.append(
            "The first reason names the true main driver in most cases for "
            + "; ".join(described(d) for d in met)
            + "."
        )
    for driver in missed:
        row = rows[driver]
        top = row["top20_first_reason_share"]
        parts.append(
            f"It does not for {described(driver)}: {row['without_reason']:,} of them are given"
            " no reason at all (no driver reaches the odds floor and no other group adds a"
            " point of risk), and of those given one the"
            f" first names it for {_share(row['share_of_those_with_a_reason'])}; among those in"
            f" the top 20% of risk ({row['top20_customers']:,}) the share is {_share(top)}."
            + (f" Why: {SHORTFALL_WHY[driver]}." if driver in SHORTFALL_WHY else "")
        )
    return " ".join(parts)


def alive_summary(model_aucs: list[float], oracle_aucs: list[float]) -> str:
    """How the score ranks who stops among buyers still buying, against the true hazard, from
    the measured AUCs (a pure function)."""
    model, oracle = sum(model_aucs) / len(model_aucs), sum(oracle_aucs) / len(oracle_aucs)
    ratio = model / oracle
    if ratio >= 0.95:
        return (
            f"On the mean of the cutoffs that is {ratio:.0%} of the true hazard's AUC: among"
            " buyers still buying, the score ranks who stops about as well as the hazard does."
        )
    return (
        f"On the mean of the cutoffs that is {ratio:.0%} of the true hazard's AUC: the score"
        " ranks who stops among buyers still buying less well than the hazard; the label is"
        " mostly met by customers who already stopped and by rare buyers, so the order history"
        " weighs more in a model trained on it than the drivers the hazard is made of."
    )


def lead_summary(lead: dict, horizon_days: int = 90) -> str:
    """What the lead-time figures say, worded from them (a pure function): how much more often
    often than chance a churner is in the top decile, and whether the flagged ones were already
    quieter than the horizon when flagged."""
    share = lead["churners_top_decile_share"]
    words = f"Chance would put 10% of them in the top decile; the score put {share:.0%} there."
    recency = lead["flagged_median_days_since_last_order"]
    if recency is not None and recency > horizon_days:
        words += (
            f" Most flagged churners had placed no order for longer than the {horizon_days}-day"
            " horizon when flagged: the warning comes once the ordering has thinned out, so a"
            " customer who stops abruptly is flagged later than one who fades."
        )
    return words


def driver_figures(figures: dict) -> dict:
    """The driver model's floor and this run's weights, and how many customers have a true
    main driver."""
    weights = figures.get("driver_weights") or {}
    listed = ", ".join(f"{name} {value:+.4f}" for name, value in weights.items())
    driven = sum(row["customers"] for row in figures["truth"]["reasons"].values())
    return {
        "driver_min": f"{DRIVER_MIN_LOG_ODDS:.2f}",
        "driver_min_pct": f"{math.exp(DRIVER_MIN_LOG_ODDS) - 1:.0%}",
        "driver_weights": listed or "not recorded by this run",
        "driven": f"{driven:,}",
    }


def goal_verdict(ratio: float, ece: float) -> dict:
    """Whether the issue's two goals are "met" (AUC at least 0.95 x oracle, ECE at most
    0.05), from the measured means."""
    return {
        "ratio_verdict": "met" if ratio >= 0.95 else "not met",
        "ece_verdict": "met" if ece <= 0.05 else "not met",
    }


def step_figures(figures: dict) -> dict:
    """Wall and CPU seconds of the churn run's steps, and the production part's sum."""
    steps = figures["step_seconds_wall_cpu"]
    production = ("features", "production_fit", "scoring_and_reasons")
    out = {f"{step}_wall": steps[step][0] for step in steps} | {
        f"{step}_cpu": steps[step][1] for step in steps
    }
    out["production_cpu"] = round(sum(steps[step][1] for step in production), 1)
    out["run_cpu"] = figures["process_cpu_seconds"]
    out["load"] = ", ".join(f"{value:.1f}" for value in figures["load_average"])
    return out


def goal_figures(figures: dict) -> dict:
    """Means over the validation cutoffs of the chosen model's metrics and of the oracle."""
    model = figures["chosen_model"]
    rows = [row for row in figures["validation"] if row["model"] == model]
    oracle = {row["cutoff"]: row["oracle_auc"] for row in figures["truth"]["per_cutoff"]}
    full = {row["cutoff"]: row["oracle_full_auc"] for row in figures["truth"]["per_cutoff"]}

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values)

    auc = mean(row["roc_auc"] for row in rows)
    ceiling = mean(oracle[row["cutoff"]] for row in rows)
    ratio = mean(row["roc_auc"] / oracle[row["cutoff"]] for row in rows)
    ece = mean(row["ece"] for row in rows)
    return goal_verdict(ratio, ece) | {
        "mean_auc": _f(auc),
        "mean_oracle": _f(ceiling),
        "mean_ratio": _f(ratio),
        "mean_ece": _f(ece),
        "mean_pr": _f(mean(row["pr_auc"] for row in rows)),
        "mean_brier": _f(mean(row["brier"] for row in rows)),
        "mean_lift": _f(mean(row["top_decile_lift"] for row in rows), 2),
        "mean_full_ratio": _f(mean(row["roc_auc"] / full[row["cutoff"]] for row in rows)),
        "alive_summary": alive_summary(
            [r[f"alive_stop_auc_{model}"] for r in figures["truth"]["per_cutoff"]],
            [r["alive_stop_oracle_auc"] for r in figures["truth"]["per_cutoff"]],
        ),
        "alive_model": ", ".join(
            _f(r[f"alive_stop_auc_{model}"]) for r in figures["truth"]["per_cutoff"]
        ),
        "alive_oracle": ", ".join(
            _f(r["alive_stop_oracle_auc"]) for r in figures["truth"]["per_cutoff"]
        ),
    }


def lead_figures(figures: dict) -> dict:
    """The lead-time paragraph's numbers (``bench.eval_churn.lead_time``)."""
    lead = figures["truth"]["lead_time"]
    days = lead["flagged_median_days_to_stop"]
    recency = lead["flagged_median_days_since_last_order"]
    return {
        "lt_churners": f"{lead['true_churners_next_3m']:,}",
        "lt_top_decile": f"{lead['churners_top_decile_share']:.0%}",
        "lt_high": f"{lead['churners_high_band_share']:.0%}",
        "lt_stayers_high": f"{lead['stayers_high_band_share']:.0%}",
        "lt_days_to_stop": _f(days, 0),
        "lt_recency": _f(recency, 0),
        "lt_alive": f"{lead['alive_customers']:,}",
        "lt_alive_auc": _f(lead["alive_stop_auc"]),
        "lead_summary": lead_summary(lead),
    }


def write_card(con, figures: dict, docs: Path = DOCS, curve: pl.DataFrame | None = None) -> Path:
    """Write the card and the plot for the chosen model (its bins from ``ml.churn_reliability``
    unless ``curve`` is given); returns the card's path."""
    model = figures["chosen_model"]
    if curve is None:
        curve = con.sql(
            "select * from ml.churn_reliability where model = $model", params={"model": model}
        ).pl()
    plot_reliability(curve, docs / PLOT, model)
    template = (Path(__file__).parent / "churn_card.md.tmpl").read_text(encoding="utf-8")
    card = template.format(
        version=figures.get("model_version", MODEL_VERSION),
        as_of=figures["as_of"],
        home=figures["scale_home"],
        model=model,
        scored=f"{figures['scored']:,}",
        validation=validation_table(figures),
        reasons=reasons_table(figures),
        reasons_summary=reasons_summary(figures),
        train_seconds=figures["train_validate_score_seconds"],
        score_seconds=figures["score_seconds"],
        peak_mb=f"{figures['peak_rss_mb']:,}",
        plot=PLOT,
        **goal_figures(figures),
        **lead_figures(figures),
        **step_figures(figures),
        **driver_figures(figures),
        full_oracle=", ".join(_f(row["oracle_full_auc"]) for row in figures["truth"]["per_cutoff"]),
    )
    path = docs / "churn.md"
    path.write_text(card, encoding="utf-8")
    return path
