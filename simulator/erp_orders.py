"""ERP sales orders of one chunk: dated order headers, CRM-contract and sync-gap ones marked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.behaviour import MonthlyPaths
from simulator.calendar import next_business_day, to_business_day
from simulator.population import Population

CONTRACT_SHARE = 0.22  # repeat orders that go through a CRM contract (first orders always do)


@dataclass
class Orders:
    """Order headers of a chunk (one per order, including sync-gap orders)."""

    cust: np.ndarray  # local customer index
    month: np.ndarray
    day: np.ndarray
    via_contract: np.ndarray
    contract_day: np.ndarray
    gap: np.ndarray  # reached the CRM but never the ERP
    gross: np.ndarray
    net: np.ndarray
    cost: np.ndarray
    number: np.ndarray  # ERP 单据编号 (str)
    contract_id: np.ndarray  # CRM contract id, 0 when the order did not come from a contract
    contract_num: np.ndarray  # CRM contract num, "" when none


def build_orders(
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    rng: np.random.Generator,
    start_day: int,
    end_day: int,
    sync_gap_rate: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expand monthly order counts into dated orders; mark CRM-contract and sync-gap ones."""
    n, n_m = paths.orders.shape
    flat = paths.orders.ravel()
    cust = np.repeat(np.repeat(np.arange(n), n_m), flat)
    month = np.repeat(np.tile(np.arange(n_m), n), flat)
    length = months[month + 1] - months[month]
    day = months[month] + (rng.random(len(cust)) * length).astype(np.int64)
    group_start = np.r_[0, np.flatnonzero((np.diff(cust) != 0) | (np.diff(month) != 0)) + 1]
    rank = np.arange(len(cust)) - np.repeat(group_start, np.diff(np.r_[group_start, len(cust)]))
    started = pop.acquired_day < start_day
    in_acq = (~started[cust]) & (month == paths.acq_month[cust])
    is_first = in_acq & (rank == 0)
    lag = rng.integers(0, 4, len(cust))
    acq = pop.acquired_day[cust]
    day = np.where(is_first, acq + lag, np.where(in_acq, np.maximum(day, acq), day))
    day = np.minimum(day, months[month + 1] - 1)  # an order belongs to the month it was drawn in
    day = np.clip(day, start_day, end_day)
    # Weekend orders are booked on a working day of the same month (churn is monthly).
    forward = next_business_day(day, strictly_after=False)
    day = np.where(forward < months[month + 1], forward, to_business_day(day))
    keep = day <= end_day
    cust, month, day, is_first, lag = cust[keep], month[keep], day[keep], is_first[keep], lag[keep]
    via = is_first | (rng.random(len(cust)) < CONTRACT_SHARE)
    contract_day = np.minimum(np.where(is_first, pop.acquired_day[cust], day - lag), day)
    gap = via & (rng.random(len(cust)) < sync_gap_rate)
    order = np.lexsort((day, cust))
    return (cust[order], month[order], day[order], via[order], contract_day[order], gap[order])
