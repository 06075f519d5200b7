"""Tandem's customer 360 and RFM, written the way an analyst would write them in a pandas notebook.

This is the other side of the ``customer360_pandas_speedup`` and ``rfm_pandas_speedup`` ratios:
the same inputs the ``rpt_customer_360`` mart reads (the core facts, the receivables and
payment-delay marts, the opportunity states, contacts and the identity key map), or the order
lines and as-of date ``models_ml.rfm`` reads, pulled out of the warehouse into DataFrames, then
filtered, grouped, ranked and merged into one row per golden customer with the same columns and
the same rules. Money is float, as it is in a notebook; the comparison tests allow for that (a
cent per customer) and check every count, date, score and segment exactly.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from models_ml.rfm_segments import SCORES, SEGMENT_GRID, WINDOW_DAYS

# the columns each input contributes (an analyst selects what the computation needs)
INPUTS: dict[str, tuple[str, list[str]]] = {
    "as_of": ("core.dim_as_of_date", ["as_of_date"]),
    "customers": (
        "core.dim_customer",
        [
            "customer_key",
            "customer_name",
            "customer_type",
            "region",
            "industry",
            "customer_level",
            "owner_user_id",
            "source_channel",
            "is_deleted",
            "crm_record_count",
            "erp_record_count",
            "crm_record_keys",
            "erp_record_keys",
        ],
    ),
    "reps": ("core.dim_sales_rep", ["sales_rep_id", "sales_rep_name"]),
    "invoice_lines": (
        "core.fct_invoice_lines",
        ["customer_key", "invoice_date", "is_approved", "net_amount", "gross_margin_amount"],
    ),
    "order_lines": (
        "core.fct_order_lines",
        ["customer_key", "order_id", "order_date", "is_approved", "net_amount"],
    ),
    "receivables": (
        "finance.rpt_open_receivables",
        ["customer_key", "open_amount", "days_past_due"],
    ),
    "payment_delays": ("finance.rpt_invoice_payment_delay", ["customer_key", "payment_delay_days"]),
    "opportunities": (
        "intermediate.int_sales__opportunity_states",
        ["customer_key", "is_open", "expected_amount_gross", "stage_win_probability"],
    ),
    "activities": ("core.fct_activities", ["customer_key", "activity_date", "is_followup"]),
    "tickets": (
        "core.fct_tickets",
        [
            "customer_key",
            "ticket_date",
            "created_at",
            "resolved_at",
            "is_within_sla",
            "sla_hours",
        ],
    ),
    "contacts": (
        "staging.stg_crm__contacts",
        ["customer_id", "has_marketing_consent", "unsubscribed_at"],
    ),
    "key_map": (
        "intermediate.int_identity__customer_key_map",
        ["source_system", "source_record_id", "customer_key"],
    ),
}


# what the RFM notebook reads
RFM_INPUTS = {name: INPUTS[name] for name in ("as_of", "order_lines")}


def load_inputs(
    database: Path, inputs: dict[str, tuple[str, list[str]]] = INPUTS
) -> dict[str, pd.DataFrame]:
    """Read every input table into pandas (the notebook's first cell)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: con.sql(f"select {', '.join(columns)} from {table}").df()
            for name, (table, columns) in inputs.items()
        }


def _round_half_away(values: pd.Series) -> pd.Series:
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100


def customer_360(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per golden customer, as ``rpt_customer_360`` defines it."""
    as_of = pd.Timestamp(frames["as_of"]["as_of_date"].iloc[0])
    t12m_after = as_of - pd.DateOffset(months=12)
    tickets_after = as_of - pd.Timedelta(days=90)
    end_of_as_of_day = as_of + pd.Timedelta(days=1)

    invoices = frames["invoice_lines"]
    invoices = invoices[invoices["is_approved"] & (invoices["invoice_date"] <= as_of)]
    recent = invoices["invoice_date"] > t12m_after
    revenue = (
        invoices.assign(
            t12m_net=invoices["net_amount"].where(recent, 0),
            t12m_margin=invoices["gross_margin_amount"].where(recent, 0),
        )
        .groupby("customer_key")
        .agg(
            lifetime_net_revenue=("net_amount", "sum"),
            lifetime_gross_margin=("gross_margin_amount", "sum"),
            t12m_net_revenue=("t12m_net", "sum"),
            t12m_gross_margin=("t12m_margin", "sum"),
        )
    )

    orders = frames["order_lines"]
    orders = orders[orders["is_approved"] & (orders["order_date"] <= as_of)]
    orders = orders.groupby("customer_key").agg(
        order_count=("order_id", "nunique"),
        order_net_amount=("net_amount", "sum"),
        first_order_date=("order_date", "min"),
        last_order_date=("order_date", "max"),
    )

    open_items = frames["receivables"]
    receivables = (
        open_items.assign(
            overdue=open_items["open_amount"].where(open_items["days_past_due"] > 0, 0)
        )
        .groupby("customer_key")
        .agg(receivables_outstanding=("open_amount", "sum"), receivables_overdue=("overdue", "sum"))
    )

    delays = frames["payment_delays"].dropna(subset=["payment_delay_days"])
    delays = delays.groupby("customer_key").agg(
        total_payment_delay_days=("payment_delay_days", "sum"),
        paid_invoice_count=("payment_delay_days", "size"),
    )

    opportunities = frames["opportunities"]
    opportunities = opportunities[opportunities["is_open"]]
    pipeline = (
        opportunities.assign(
            weighted=opportunities["expected_amount_gross"] * opportunities["stage_win_probability"]
        )
        .groupby("customer_key")
        .agg(
            open_opportunity_count=("expected_amount_gross", "size"),
            open_pipeline_gross=("expected_amount_gross", "sum"),
            weighted_pipeline_gross=("weighted", "sum"),
        )
    )

    activity = frames["activities"]
    activity = activity[activity["activity_date"] <= as_of]
    activities = (
        activity.assign(followup_date=activity["activity_date"].where(activity["is_followup"]))
        .groupby("customer_key")
        .agg(
            last_activity_date=("activity_date", "max"),
            last_followup_date=("followup_date", "max"),
        )
    )

    tickets = frames["tickets"]
    tickets = tickets[(tickets["ticket_date"] <= as_of) & (tickets["ticket_date"] > tickets_after)]
    resolved = tickets["resolved_at"].notna() & (tickets["resolved_at"].dt.normalize() <= as_of)
    # hours crossed between creation and the end of the as-of day (SQL's datediff in hours)
    hours_open = (end_of_as_of_day - tickets["created_at"].dt.floor("h")) / pd.Timedelta(hours=1)
    breached = np.where(
        resolved,
        ~tickets["is_within_sla"].fillna(False).astype(bool),
        hours_open > tickets["sla_hours"],
    )
    tickets = (
        tickets.assign(breached=breached.astype(int))
        .groupby("customer_key")
        .agg(tickets_90d=("breached", "size"), sla_breaches_90d=("breached", "sum"))
    )

    key_map = frames["key_map"]
    key_map = key_map[key_map["source_system"] == "crm"]
    contacts = frames["contacts"].assign(
        source_record_id=frames["contacts"]["customer_id"].astype(str),
        unsubscribed=frames["contacts"]["unsubscribed_at"].notna().astype(int),
        consenting=frames["contacts"]["has_marketing_consent"].fillna(False).astype(int),
    )
    contacts = (
        contacts.merge(key_map, on="source_record_id")
        .groupby("customer_key")
        .agg(
            contact_count=("consenting", "size"),
            consenting_contacts=("consenting", "sum"),
            unsubscribed_contacts=("unsubscribed", "sum"),
        )
    )

    reps = frames["reps"].rename(
        columns={"sales_rep_id": "owner_user_id", "sales_rep_name": "owner_name"}
    )
    result = frames["customers"].merge(reps, on="owner_user_id", how="left")
    for part in (revenue, orders, receivables, delays, pipeline, activities, tickets, contacts):
        result = result.merge(part, left_on="customer_key", right_index=True, how="left")

    zero_filled = [
        "lifetime_net_revenue",
        "lifetime_gross_margin",
        "t12m_net_revenue",
        "t12m_gross_margin",
        "order_count",
        "receivables_outstanding",
        "receivables_overdue",
        "paid_invoice_count",
        "open_opportunity_count",
        "open_pipeline_gross",
        "weighted_pipeline_gross",
        "tickets_90d",
        "sla_breaches_90d",
        "consenting_contacts",
    ]
    result["average_order_value"] = _round_half_away(
        result["order_net_amount"] / result["order_count"]
    )
    result["avg_payment_delay_days"] = _round_half_away(
        result["total_payment_delay_days"] / result["paid_invoice_count"]
    )
    result["consent_status"] = np.select(
        [
            result["contact_count"].fillna(0) == 0,
            result["consenting_contacts"] > 0,
            result["unsubscribed_contacts"] > 0,
        ],
        ["no_contact", "consented", "opted_out"],
        default="not_consented",
    )
    result[zero_filled] = result[zero_filled].fillna(0)
    result["as_of_date"] = as_of
    return result.rename(columns={"source_channel": "acquisition_channel"}).drop(
        columns=[
            "order_net_amount",
            "total_payment_delay_days",
            "contact_count",
            "unsubscribed_contacts",
        ]
    )


def rfm(frames: dict[str, pd.DataFrame], window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """One row per golden customer with an approved order, as ``models_ml.rfm`` scores it."""
    as_of = pd.Timestamp(frames["as_of"]["as_of_date"].iloc[0])
    window_start = as_of - pd.Timedelta(days=window_days)
    lines = frames["order_lines"]
    lines = lines[
        lines["is_approved"] & (lines["order_date"] <= as_of) & lines["customer_key"].notna()
    ]
    orders = lines.groupby(["customer_key", "order_id", "order_date"], as_index=False)[
        "net_amount"
    ].sum()
    in_window = orders["order_date"] > window_start
    customers = (
        orders.assign(
            window_order=in_window.astype(int),
            window_amount=orders["net_amount"].where(in_window, 0.0),
        )
        .groupby("customer_key")
        .agg(
            first_order_date=("order_date", "min"),
            last_order_date=("order_date", "max"),
            lifetime_orders=("order_id", "size"),
            frequency=("window_order", "sum"),
            monetary=("window_amount", "sum"),
        )
        .reset_index()
    )
    customers["monetary"] = customers["monetary"].round(2)
    customers["recency_days"] = (as_of - customers["last_order_date"]).dt.days
    count = len(customers)

    def quintile(values: pd.Series) -> pd.Series:
        return (1 + (values.rank(method="min") - 1) * SCORES // count).astype(int)

    customers["r_score"] = quintile(-customers["recency_days"])
    customers["f_score"] = quintile(customers["frequency"])
    customers["m_score"] = quintile(customers["monetary"])
    customers["fm_score"] = (customers["f_score"] + customers["m_score"] + 1) // 2
    grid = pd.DataFrame(
        [
            (r_score, fm_score + 1, segment)
            for r_score, row in SEGMENT_GRID.items()
            for fm_score, segment in enumerate(row)
        ],
        columns=["r_score", "fm_score", "segment"],
    )
    customers = customers.merge(grid, on=["r_score", "fm_score"], how="left")
    customers["as_of_date"] = as_of
    return customers


NOTEBOOKS = {"customer_360": (INPUTS, customer_360), "rfm": (RFM_INPUTS, rfm)}


def run(database: Path, notebook: str = "customer_360") -> dict[str, Any]:
    """Load, compute and summarise; the seconds of each part for the benchmark's record."""
    inputs, compute = NOTEBOOKS[notebook]
    started = time.perf_counter()
    frames = load_inputs(database, inputs)
    loaded = time.perf_counter()
    result = compute(frames)
    done = time.perf_counter()
    return {
        "rows": len(result),
        "input_rows": sum(len(frame) for frame in frames.values()),
        "load_seconds": round(loaded - started, 3),
        "compute_seconds": round(done - loaded, 3),
    }
