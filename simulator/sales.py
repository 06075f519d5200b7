"""The CRM sales side of a chunk: contracts here; opportunities with stage history, receivable
plans and receipts (回款), and follow-up activities in the ``sales_*`` modules beside it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, date_strings, datetime_strings
from simulator.columns import take
from simulator.erp import ErpChunk
from simulator.ids import IdCounters
from simulator.population import Population
from simulator.problems import flag
from simulator.sales_activities import build_activities
from simulator.sales_opportunities import build_opportunities
from simulator.sales_receivables import plans_and_receipts
from simulator.scales import ProblemRates


@dataclass
class SalesChunk:
    """CRM sales frames of a chunk and what the customer table and truth need from them."""

    business: pl.DataFrame
    changes: pl.DataFrame
    contracts: pl.DataFrame
    plans: pl.DataFrame
    receivables: pl.DataFrame
    activities: pl.DataFrame
    deal_day: np.ndarray  # first won contract per local customer (-1 if none)
    last_followup: np.ndarray  # epoch seconds (-1 if none)
    sync_gaps: pl.DataFrame


def build_sales(
    pop: Population,
    paths: MonthlyPaths,
    erp: ErpChunk,
    months: np.ndarray,
    rates: ProblemRates,
    rng: np.random.Generator,
    ids: IdCounters,
    start_day: int,
    end_day: int,
) -> SalesChunk:
    """Build the CRM sales frames of a chunk."""
    n = len(pop.true_id)
    o = erp.orders
    con = np.flatnonzero(o.via_contract)
    c_cust = o.cust[con]
    c_day = o.contract_day[con]
    money = o.gross[con]

    opp = build_opportunities(pop, c_cust, c_day, money, rates, rng, ids, start_day, end_day)

    # Contracts mirror the orders that came through the CRM (sync-gap ones included).
    received = np.round(erp.received_by_order[con], 2)
    c_sec = c_day * 86400 + rng.integers(9 * 3600, 19 * 3600, len(con))
    gap = o.gap[con]
    contracts = pl.DataFrame(
        {
            "contract_id": o.contract_id[con],
            "num": take(o.contract_num, con),
            "name": take([f"{x}采购合同" for x in pop.names], c_cust),
            "customer_id": pop.crm_id[c_cust],
            "business_id": opp.id[: len(con)],
            "order_date": date_strings(c_day),
            "start_time": date_strings(c_day),
            "end_time": date_strings(c_day + 365),
            "money": money,
            "received_money": received,
            "unreceived_money": np.round(money - received, 2),
            "check_status": np.ones(len(con), np.int64),
            "owner_user_id": pop.rep[c_cust],
            "create_time": datetime_strings(c_sec),
            "update_time": datetime_strings(c_sec),
            "_drop": date_series(c_day),
            "_problem": flag(gap, "sync_gap"),
            "_column": pl.Series([None] * len(con), dtype=pl.String),
            "_detail": flag(gap, "won contract with no ERP order"),
        }
    )
    sync_gaps = pl.DataFrame(
        {
            "contract_id": o.contract_id[con][gap],
            "contract_num": take(o.contract_num, con[gap]),
            "crm_customer_id": pop.crm_id[c_cust][gap],
            "true_customer_id": pop.true_id[c_cust][gap],
            "order_date": date_series(c_day[gap]),
            "money": money[gap],
        }
    )

    plans, receivables = plans_and_receipts(o, con, erp, c_day, c_cust, pop, rng, ids, end_day)
    acts, last_followup = build_activities(pop, paths, months, opp, rates, rng, ids, end_day)

    deal_day = np.full(n, -1, dtype=np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, c_cust, c_day)
    deal_day = np.where(first < np.iinfo(np.int64).max, first, deal_day)
    started = pop.acquired_day < start_day
    deal_day = np.where(started & pop.is_buyer, pop.acquired_day, deal_day)
    return SalesChunk(
        opp.business,
        opp.changes,
        contracts,
        plans,
        receivables,
        acts,
        deal_day,
        last_followup,
        sync_gaps,
    )
