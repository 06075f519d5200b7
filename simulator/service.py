"""Service tickets: priority, SLA, response and resolution times, satisfaction."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, datetime_strings
from simulator.ids import IdCounters
from simulator.population import Population

PRIORITY_P = [0.08, 0.22, 0.5, 0.2]  # 1 紧急, 2 高, 3 普通, 4 低
SLA_HOURS = np.array([4, 8, 24, 72])
CATEGORIES = ["安装调试", "故障维修", "使用咨询", "投诉", "退换货"]
CATEGORY_P = [0.2, 0.35, 0.3, 0.08, 0.07]


def build_tickets(
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    primary_contact_id: np.ndarray,
    agents: np.ndarray,
    rng: np.random.Generator,
    ids: IdCounters,
    end_day: int,
) -> pl.DataFrame:
    """wk_crm_ticket rows of a chunk from the monthly ticket counts."""
    t = paths.tickets
    n, n_m = t.shape
    flat = t.ravel()
    cust = np.repeat(np.repeat(np.arange(n), n_m), flat)
    month = np.repeat(np.tile(np.arange(n_m), n), flat)
    length = months[month + 1] - months[month]
    day = np.minimum(months[month] + (rng.random(len(cust)) * length).astype(np.int64), end_day)
    sec = day * 86400 + rng.integers(7 * 3600, 23 * 3600, len(cust))
    k = len(cust)
    prio = rng.choice(4, k, p=PRIORITY_P)
    sla = SLA_HOURS[prio]
    first_resp = sec + (rng.exponential(0.15, k) * sla * 3600).astype(np.int64) + 60
    resolve_h = rng.lognormal(np.log(sla * 0.6), 0.8)
    resolve = sec + (resolve_h * 3600).astype(np.int64)
    end_sec = (end_day + 1) * 86400 - 1
    open_ = resolve > end_sec
    breached = resolve_h > sla
    rated = ~open_ & (rng.random(k) < 0.6)
    score = np.clip(np.round(4.6 - 1.6 * breached - rng.exponential(0.5, k)), 1, 5)
    status = np.where(
        open_, np.where(first_resp <= end_sec, 2, 1), np.where(rng.random(k) < 0.7, 4, 3)
    )
    order = np.argsort(sec, kind="stable")
    tid = ids.take("ticket", k)
    df = pl.DataFrame(
        {
            "customer_id": pop.crm_id[cust],
            "contacts_id": primary_contact_id[cust],
            "category": np.array(CATEGORIES)[rng.choice(5, k, p=CATEGORY_P)],
            "priority": (prio + 1).astype(np.int64),
            "status": status.astype(np.int64),
            "sla_hours": sla.astype(np.int64),
            "create_time": datetime_strings(sec),
            "first_response_time": datetime_strings(first_resp).set(
                pl.Series(first_resp > end_sec), None
            ),
            "resolve_time": datetime_strings(np.minimum(resolve, end_sec)).set(
                pl.Series(open_), None
            ),
            "satisfaction": pl.Series(score.astype(np.int64)).set(pl.Series(~rated), None),
            "owner_user_id": rng.choice(agents, k) if k else np.zeros(0, np.int64),
            "_drop": date_series(day),
        }
    )[order]
    return df.with_columns(
        pl.Series("ticket_id", tid),
        pl.concat_str(
            [
                pl.lit("GD"),
                pl.col("create_time").str.slice(0, 10).str.replace_all("-", ""),
                pl.Series(tid).cast(pl.String).str.zfill(7),
            ]
        ).alias("ticket_no"),
    ).select(
        [
            "ticket_id",
            "ticket_no",
            "customer_id",
            "contacts_id",
            "category",
            "priority",
            "status",
            "sla_hours",
            "create_time",
            "first_response_time",
            "resolve_time",
            "satisfaction",
            "owner_user_id",
            "_drop",
        ]
    )
