"""CRM opportunities (wk_crm_business) and their stage history (wk_crm_business_change)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, date_strings, datetime_strings
from simulator.columns import take
from simulator.ids import IdCounters
from simulator.names import short_name
from simulator.population import Population
from simulator.problems import flag
from simulator.scales import ProblemRates

STUCK_DAYS = 90


@dataclass
class Opportunities:
    """Opportunities of a chunk (won ones first, one per contract) and their stage changes."""

    business: pl.DataFrame
    changes: pl.DataFrame
    id: np.ndarray  # business_id, won ones first in contract order
    owner: np.ndarray  # owner rep per opportunity
    change_of: np.ndarray  # opportunity index of each stage change
    change_closes: np.ndarray  # the change ends the opportunity (won, lost or invalid)
    change_sec: np.ndarray  # epoch seconds of each stage change


def build_opportunities(
    pop: Population,
    c_cust: np.ndarray,
    c_day: np.ndarray,
    money: np.ndarray,
    rates: ProblemRates,
    rng: np.random.Generator,
    ids: IdCounters,
    start_day: int,
    end_day: int,
) -> Opportunities:
    """One won opportunity per contract, plus lost / open / invalid ones, with stage history."""
    n = len(pop.true_id)
    con_n = len(c_cust)
    won_create = c_day - rng.integers(7, 61, con_n)
    extra_n = np.where(pop.is_buyer, rng.poisson(0.6, n), 1 + rng.poisson(0.6, n))
    x_cust = np.repeat(np.arange(n), extra_n)
    lo = np.maximum(pop.acquired_day[x_cust], start_day)
    x_create = lo + (rng.random(len(x_cust)) * np.maximum(end_day - lo, 1)).astype(np.int64)
    outcome = rng.choice([2, 3, 0], len(x_cust), p=[0.57, 0.08, 0.35])
    x_close = x_create + rng.integers(10, 121, len(x_cust))
    outcome = np.where((outcome > 0) & (x_close > end_day), 0, outcome)
    x_stage = rng.integers(1, 4, len(x_cust))
    b_cust = np.r_[c_cust, x_cust]
    b_create = np.r_[won_create, x_create]
    b_end = np.r_[np.ones(con_n, np.int64), outcome]
    b_close = np.r_[c_day, np.where(outcome > 0, x_close, -1)]
    b_stage = np.r_[np.full(con_n, 3), x_stage]
    b_money = np.r_[
        np.round(money * rng.uniform(0.9, 1.1, con_n), -2),
        np.round(rng.lognormal(np.log(20000 * pop.spend_level[x_cust] + 1), 0.8), -2),
    ]
    nb = len(b_cust)
    b_id = ids.take("business", nb)
    # Stage k is entered at create + fraction of the time to close (open deals: up to today).
    horizon = np.where(b_close >= 0, b_close, np.minimum(end_day, b_create + 200)) - b_create
    horizon = np.maximum(horizon, 1)
    frac = np.sort(rng.uniform(0.05, 0.95, (nb, 2)), axis=1)
    stage_day = np.c_[b_create, b_create[:, None] + (frac * horizon[:, None]).astype(np.int64)]
    n_rows = b_stage + (b_end > 0)
    rid = np.repeat(np.arange(nb), n_rows)
    k = np.arange(len(rid)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    is_close = k >= b_stage[rid]
    ch_day = np.where(is_close, b_close[rid], stage_day[rid, np.minimum(k, 2)])
    ch_sec = ch_day * 86400 + rng.integers(9 * 3600, 19 * 3600, len(rid))
    last_change = np.zeros(nb, dtype=np.int64)
    np.maximum.at(last_change, rid, ch_sec)
    b_create_sec = ch_sec[np.cumsum(n_rows) - n_rows]
    status = np.where(rng.random(nb) < rates.soft_delete, 3, 1)
    stuck = (b_end == 0) & (last_change < (end_day - STUCK_DAYS) * 86400)
    owner = pop.rep[b_cust]
    business = pl.DataFrame(
        {
            "business_id": b_id,
            "business_name": take([f"{short_name(x)}-采购项目" for x in pop.names], b_cust),
            "customer_id": pop.crm_id[b_cust],
            "type_id": np.ones(nb, np.int64),
            "status_id": b_stage,
            "money": b_money,
            "deal_date": date_strings(np.where(b_close >= 0, b_close, b_create + 90)),
            "is_end": b_end,
            "status": status,
            "owner_user_id": owner,
            "create_time": datetime_strings(b_create_sec),
            "update_time": datetime_strings(last_change),
            "_drop": date_series(b_create_sec // 86400),
            "_problem": flag(status == 3, "soft_delete"),
            "_column": flag(status == 3, "status"),
            "_stuck": stuck,
        }
    ).sort("create_time", "business_id")
    changes = pl.DataFrame(
        {
            "change_id": ids.take("business_change", len(rid)),
            "business_id": b_id[rid],
            "status_id": np.minimum(k + 1, b_stage[rid]),
            "is_end": np.where(is_close, b_end[rid], 0),
            "create_time": datetime_strings(ch_sec),
            "create_user_id": owner[rid],
            "_drop": date_series(ch_day),
        }
    )
    return Opportunities(business, changes, b_id, owner, rid, is_close, ch_sec)
