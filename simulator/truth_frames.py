"""Ground-truth tables computed from the simulation (identity, churn panel, companies, channels)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series
from simulator.hard_negatives import HardNegatives
from simulator.identity_noise import ChunkPhones
from simulator.marketing import CHANNELS, Marketing
from simulator.names import INDUSTRIES, REGIONS
from simulator.population import SIZES, Population


def identity_rows(
    crm_identity: pl.DataFrame,
    chunk: Population,
    erp_code: np.ndarray,
    phones: ChunkPhones,
    hard: HardNegatives,
) -> pl.DataFrame:
    """identity.parquet rows of a chunk: its CRM records, then one per ERP customer."""
    has = erp_code != ""
    idx = np.flatnonzero(has)
    erp_rows = pl.DataFrame(
        {
            "true_customer_id": chunk.true_id[has],
            "system": "erp",
            "record_id": erp_code[has],
            "record_name": [chunk.names[i] for i in idx.tolist()],
            "variant": "original",
            "is_primary": np.ones(int(has.sum()), bool),
            "phone_format": phones.erp_style[has].astype(str),
            "tax_id_variant": "",
            "hard_negative": hard.kind[has].astype(str),
        }
    )
    return pl.concat([crm_identity, erp_rows])


def churn_panel(chunk: Population, paths: MonthlyPaths, months: np.ndarray) -> pl.DataFrame:
    """churn_monthly.parquet rows: every buyer's month from its acquisition on."""
    buyers = np.flatnonzero(chunk.is_buyer)
    n_m = paths.orders.shape[1]
    b = np.repeat(buyers, n_m)
    mm = np.tile(np.arange(n_m), len(buyers))
    acquired = chunk.acquired_day[b] < months[mm + 1]
    sel = acquired
    b, mm = b[sel], mm[sel]
    return pl.DataFrame(
        {
            "true_customer_id": chunk.true_id[b],
            "month": date_series(months[mm]),
            "alive": paths.alive[b, mm],
            "hazard": paths.hazard[b, mm],
            "orders": paths.orders[b, mm],
            "payment_delay_days": paths.delay[b, mm],
            "tickets": paths.tickets[b, mm],
            "followups": paths.followups[b, mm],
        }
    )


def companies(
    pop: Population,
    months: np.ndarray,
    churn_month: np.ndarray,
    n_orders: np.ndarray,
    revenue: np.ndarray,
    margin: np.ndarray,
) -> pl.DataFrame:
    """companies.parquet: one row per true customer with its hidden traits and outcomes."""
    keys = np.array([c.key for c in CHANNELS] + ["existing"])
    churned = churn_month >= 0
    return pl.DataFrame(
        {
            "true_customer_id": pop.true_id,
            "kind": np.where(pop.kind == 1, "individual", "company"),
            "name": pop.names,
            "tax_id": pl.Series(pop.tax_id).replace("", None),
            "region": [REGIONS[r][0] for r in pop.region.tolist()],
            "industry": [INDUSTRIES[i][1] for i in pop.industry.tolist()],
            "size": np.array(SIZES)[pop.size],
            "channel": keys[pop.channel],
            "acquired_date": date_series(pop.acquired_day),
            "is_buyer": pop.is_buyer,
            "purchase_rate": pop.purchase_rate,
            "spend_level": pop.spend_level,
            "base_hazard": pop.base_hazard,
            "churn_month": date_series(months[np.maximum(churn_month, 0)]).set(
                pl.Series(~churned), None
            ),
            "churned": churned,
            "orders": n_orders,
            "revenue_net": np.round(revenue, 2),
            "gross_margin": np.round(margin, 2),
        }
    )


def channels(
    mkt: Marketing, pop: Population, revenue: np.ndarray, margin: np.ndarray
) -> pl.DataFrame:
    """channels.parquet: each channel's true response parameters, spend and outcome."""
    rows = []
    for c, ch in enumerate(CHANNELS):
        sel = pop.channel == c
        spend = float(mkt.spend[c].sum())
        gm = float(margin[sel].sum())
        rows.append(
            {
                "channel": ch.key,
                "adstock_decay": ch.decay,
                "hill_half_saturation": float(mkt.half_saturation[c]),
                "hill_shape": ch.shape,
                "max_leads_per_day": float(mkt.max_leads[c]),
                "baseline_leads_per_day": float(mkt.baseline[c]),
                "conversion_rate": ch.conversion,
                "spend": round(spend, 2),
                "leads": int((mkt.lead_channel == c).sum()),
                "customers": int(sel.sum()),
                "revenue_net": round(float(revenue[sel].sum()), 2),
                "gross_margin": round(gm, 2),
                "roi": round(gm / spend, 4) if spend > 0 else None,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"roi": pl.Float64})
