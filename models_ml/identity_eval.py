"""Pairwise accuracy of a record -> customer assignment against the simulator's truth, per pair
type (CRM-CRM, CRM-ERP, overall) and per variant kind.

A pair of records is predicted a match when they share a customer key, and truly one when they
share a true customer. ERP-ERP pairs are left out (the ERP keeps one record per company). A pair
carries the variant kinds of both its records (``variant``, ``phone_format``,
``tax_id_variant`` and ``hard_negative`` of ``truth/identity.parquet``); every kind is scored on
the pairs that carry it, so a kind's precision says how often records of that kind were merged
wrongly and its recall how often their true pairs were found.
"""

from __future__ import annotations

import polars as pl

KIND_COLUMNS = ("variant", "phone_format", "tax_id_variant", "hard_negative")


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_pairs": tp + fn,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def _kinds(truth: pl.DataFrame) -> pl.DataFrame:
    """One row per record with the list of its kind labels (``variant:typo``, ...)."""
    labels = []
    for column in KIND_COLUMNS:
        if column not in truth.columns:
            continue
        value = pl.col(column).cast(pl.Utf8).fill_null("")
        labels.append(
            pl.when((value != "") & (value != "original"))
            .then(pl.lit(f"{column}:") + value)
            .otherwise(None)
        )
    return truth.select(
        "system",
        "record_id",
        "true_customer_id",
        pl.concat_list(labels).list.drop_nulls().alias("kinds") if labels else pl.lit([]),
    )


def pair_accuracy(assignment: pl.DataFrame, truth: pl.DataFrame) -> dict[str, dict]:
    """P/R/F1 per pair type and per kind.

    ``assignment``: columns system, record_id, customer_key; ``truth``: the identity truth.
    Returns {"pair_types": {crm_crm, crm_erp, overall}, "kinds": {kind: scores}}.
    """
    records = _kinds(truth).join(assignment, on=["system", "record_id"], how="inner")
    records = records.with_row_index("i")
    by_key = records.select("i", "customer_key")
    by_true = records.select("i", "true_customer_id")
    predicted = by_key.join(by_key, on="customer_key").filter(pl.col("i") < pl.col("i_right"))
    actual = by_true.join(by_true, on="true_customer_id").filter(pl.col("i") < pl.col("i_right"))
    pairs = (
        pl.concat(
            [
                predicted.select("i", "i_right", predicted=pl.lit(True)),
                actual.select("i", "i_right", actual=pl.lit(True)),
            ],
            how="diagonal",
        )
        .group_by("i", "i_right")
        .agg(pl.col("predicted").any().fill_null(False), pl.col("actual").any().fill_null(False))
    )
    side = records.select("i", "system", "kinds")
    pairs = (
        pairs.join(side, on="i")
        .join(side.rename({"i": "i_right"}), on="i_right", suffix="_r")
        .filter((pl.col("system") == "crm") | (pl.col("system_r") == "crm"))
        .with_columns(
            pair_type=pl.when((pl.col("system") == "crm") & (pl.col("system_r") == "crm"))
            .then(pl.lit("crm_crm"))
            .otherwise(pl.lit("crm_erp")),
            kinds=pl.concat_list("kinds", "kinds_r").list.unique(),
        )
    )

    def count(frame: pl.DataFrame) -> dict[str, float | int]:
        tp = frame.filter(pl.col("predicted") & pl.col("actual")).height
        fp = frame.filter(pl.col("predicted") & ~pl.col("actual")).height
        fn = frame.filter(~pl.col("predicted") & pl.col("actual")).height
        return _scores(tp, fp, fn)

    result: dict[str, dict] = {
        "pair_types": {
            "crm_crm": count(pairs.filter(pl.col("pair_type") == "crm_crm")),
            "crm_erp": count(pairs.filter(pl.col("pair_type") == "crm_erp")),
            "overall": count(pairs),
        },
        "kinds": {},
    }
    exploded = pairs.explode("kinds").drop_nulls("kinds")
    for kind in sorted(exploded["kinds"].unique().to_list()):
        result["kinds"][kind] = count(exploded.filter(pl.col("kinds") == kind))
    return result


def markdown_table(result: dict[str, dict]) -> str:
    """The figures as a Markdown table (pair types first, then kinds)."""
    lines = ["| pairs | true pairs | TP | FP | FN | precision | recall | F1 |", "|---" * 8 + "|"]
    rows = [*result["pair_types"].items(), *result["kinds"].items()]
    for name, s in rows:
        lines.append(
            f"| {name} | {s['true_pairs']} | {s['true_positives']} | {s['false_positives']} | "
            f"{s['false_negatives']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
        )
    return "\n".join(lines)
