"""ERP receipts: invoices paid at their due date plus the customer's delay, some in two parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, date_strings, next_business_day
from simulator.columns import const, doc_numbers, take
from simulator.erp_invoices import Invoices
from simulator.population import Population
from simulator.problems import flag, flag_values

PARTIAL_PAYMENT_RATE = 0.15
PAY_METHODS = ["电汇", "网上转账", "承兑汇票", "支付宝", "微信支付"]
MIXED_DATE_STYLES = ("slash", "chinese", "excel_serial")


@dataclass
class Payments:
    """Receipts by the period end, ordered by invoice head and day."""

    head: np.ndarray  # invoice head paid
    day: np.ndarray
    amount: np.ndarray


def draw_payments(
    inv: Invoices,
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    rng: np.random.Generator,
    end_day: int,
) -> Payments:
    """Pay each invoice at due date + the customer's delay of that month; some in two parts."""
    ship, due, head_cust, due_amount = inv.ship, inv.due, inv.head_cust, inv.due_amount
    m_idx = np.minimum(np.searchsorted(months, ship, side="right") - 1, paths.delay.shape[1] - 1)
    mean_delay = paths.delay[head_cust, m_idx]
    mean_delay = np.where(np.isnan(mean_delay), pop.delay_propensity[head_cust], mean_delay)
    pay_day = np.maximum(due + np.round(mean_delay + rng.normal(0, 3, len(due))), ship + 1)
    pay_day = next_business_day(pay_day.astype(np.int64), strictly_after=False)
    partial = rng.random(len(due)) < PARTIAL_PAYMENT_RATE
    first_share = np.round(rng.uniform(0.3, 0.7, len(due)), 2)
    first_day = np.maximum(ship + 1, pay_day - rng.integers(10, 40, len(due)))
    first_day = next_business_day(first_day, strictly_after=False)
    payable = inv.invoiced & (due_amount > 0)
    amt1 = np.where(partial, np.round(due_amount * first_share, 2), due_amount)
    amt2 = np.round(due_amount - amt1, 2)
    p_head = np.r_[np.flatnonzero(payable), np.flatnonzero(payable & partial)]
    p_day = np.r_[np.where(partial, first_day, pay_day)[payable], pay_day[payable & partial]]
    p_amt = np.r_[amt1[payable], amt2[payable & partial]]
    paid_in_period = p_day <= end_day
    p_head, p_day, p_amt = p_head[paid_in_period], p_day[paid_in_period], p_amt[paid_in_period]
    o = np.lexsort((p_day, p_head))
    return Payments(p_head[o], p_day[o], p_amt[o])


def receipt_frame(
    pay: Payments,
    seq: np.ndarray,
    inv: Invoices,
    erp_code: pl.Series,
    name: pl.Series,
    rng: np.random.Generator,
    mixed_rate: float,
) -> pl.DataFrame:
    """Receipts with a few 收款日期 values in the formats people type by hand."""
    p_head, p_day, p_amt = pay.head, pay.day, pay.amount
    inv_no, due_amount, head_cust = inv.number, inv.due_amount, inv.head_cust
    dates = date_strings(p_day)
    mixed = rng.random(len(p_day)) < mixed_rate
    style = rng.integers(0, 3, len(p_day))
    idx = np.flatnonzero(mixed)
    values = []
    for i in idx.tolist():
        y, mo, d = (int(x) for x in dates[i].split("-"))
        if style[i] == 0:
            values.append(f"{y}/{mo}/{d}")
        elif style[i] == 1:
            values.append(f"{y}年{mo}月{d}日")
        else:
            values.append(str(int(p_day[i]) + 25569))  # Excel serial (1900 system)
    if len(idx):
        dates = dates.scatter(idx, values)
    c = head_cust[p_head]
    return pl.DataFrame(
        {
            "收款单号": doc_numbers("SK", p_day, seq, 7),
            "收款日期": dates,
            "客户编码": take(erp_code, c),
            "客户名称": take(name, c),
            "结算方式": take(PAY_METHODS, rng.choice(5, len(c), p=[0.5, 0.3, 0.1, 0.05, 0.05])),
            "收款科目": const("1002", len(c)),
            "核销发票号码": take(inv_no, p_head),
            "应收金额": due_amount[p_head],
            "实收金额": p_amt,
            "单据状态": const("C", len(c)),
            "_drop": date_series(p_day),
            "_problem": flag(mixed, "mixed_date_format"),
            "_column": flag(mixed, "收款日期"),
            "_detail": flag_values(mixed, np.array(MIXED_DATE_STYLES)[style]),
        }
    )
