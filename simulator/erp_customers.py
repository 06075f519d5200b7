"""ERP customer master: who reached the ERP, their codes, and a few wrong tax ids (planted)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, date_strings
from simulator.columns import numbers
from simulator.erp_orders import Orders
from simulator.ids import IdCounters
from simulator.names import INDUSTRIES, REGIONS
from simulator.population import Population
from simulator.problems import flag
from simulator.tax_id import corrupt_check_char


def erp_customers(
    pop: Population, orders: Orders, ids: IdCounters, start_day: int, end_day: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers in the ERP: every pre-existing buyer plus every buyer with an ERP order.

    Returns their local indices in order of creation, the ERP code per local customer ("" when
    not in the ERP) and the creation day per local customer.
    """
    cust, day = orders.cust, orders.day
    in_erp = ~orders.gap
    n_cust = len(pop.true_id)
    started = pop.acquired_day < start_day
    first_day = np.full(n_cust, np.iinfo(np.int64).max)
    np.minimum.at(first_day, cust[in_erp], day[in_erp])
    has_erp = (pop.is_buyer & started) | (first_day < np.iinfo(np.int64).max)
    created = np.where(started, pop.acquired_day, np.minimum(first_day, end_day))
    erp_idx = np.flatnonzero(has_erp)
    erp_idx = erp_idx[np.argsort(created[erp_idx], kind="stable")]
    codes = ids.take("erp_customer", len(erp_idx))
    erp_code = np.full(n_cust, "", dtype=object)
    erp_code[erp_idx] = numbers("CUST", codes, 6).to_list()
    return erp_idx, erp_code.astype(str), created


def customer_frame(
    erp_idx: np.ndarray,
    erp_code: np.ndarray,
    created: np.ndarray,
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    end_day: int,
    rep_names: dict[int, str],
    primary_mobile: np.ndarray,
    addresses: list[str],
    rng: np.random.Generator,
    invalid_rate: float,
) -> pl.DataFrame:
    """ERP customer master; a few tax ids carry a wrong check digit (planted)."""
    tax = [pop.tax_id[i] for i in erp_idx.tolist()]
    invalid = (rng.random(len(erp_idx)) < invalid_rate) & np.array([t != "" for t in tax], bool)
    shifts = rng.integers(0, 30, len(erp_idx))
    for j in np.flatnonzero(invalid).tolist():
        tax[j] = corrupt_check_char(tax[j], int(shifts[j]))
    churned = paths.churn_month[erp_idx]
    long_gone = (churned >= 0) & (months[np.maximum(churned, 0)] < end_day - 180)
    return pl.DataFrame(
        {
            "客户编码": erp_code[erp_idx],
            "客户名称": [pop.names[i] for i in erp_idx.tolist()],
            "统一社会信用代码": tax,
            "客户分组": np.where(pop.kind[erp_idx] == 1, "个人", "企业"),
            "区域": [REGIONS[r][0] for r in pop.region[erp_idx].tolist()],
            "行业": [INDUSTRIES[k][1] for k in pop.industry[erp_idx].tolist()],
            "销售员": [rep_names[int(r)] for r in pop.rep[erp_idx].tolist()],
            "联系电话": primary_mobile[erp_idx].astype(str),
            "地址": [addresses[i] for i in erp_idx.tolist()],
            "禁用状态": np.where(long_gone, "B", "A"),
            "创建日期": date_strings(created[erp_idx]),
            "_drop": date_series(created[erp_idx]),
            "_problem": flag(invalid, "invalid_tax_id"),
            "_column": flag(invalid, "统一社会信用代码"),
        }
    )
