"""CRM receivable plans (wk_crm_receivables_plan) and receipts (回款, wk_crm_receivables)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.calendar import date_series, date_strings, datetime_strings
from simulator.erp import ErpChunk
from simulator.erp_orders import Orders
from simulator.ids import IdCounters
from simulator.population import Population

RETURN_TYPES = {
    "电汇": "电汇",
    "网上转账": "网上转账",
    "承兑汇票": "支票",
    "支付宝": "支付宝",
    "微信支付": "微信支付",
}


def plans_and_receipts(
    o: Orders,
    con: np.ndarray,
    erp: ErpChunk,
    c_day: np.ndarray,
    c_cust: np.ndarray,
    pop: Population,
    rng: np.random.Generator,
    ids: IdCounters,
    end_day: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Receivable plans (1-3 instalments) and CRM 回款 copied from ERP receipts."""
    n_c = len(con)
    n_plans = rng.choice([1, 2, 3], n_c, p=[0.7, 0.2, 0.1])
    pc = np.repeat(np.arange(n_c), n_plans)
    j = np.arange(len(pc)) - np.repeat(np.cumsum(n_plans) - n_plans, n_plans)
    money = o.gross[con]
    part = np.round(money[pc] / n_plans[pc], 2)
    last = j == n_plans[pc] - 1
    part = np.where(last, np.round(money[pc] - part * (n_plans[pc] - 1), 2), part)
    cum_end = np.round(part * (j + 1), 2)
    cum_end = np.where(last, money[pc], cum_end)
    cum_start = np.round(cum_end - part, 2)
    received = erp.received_by_order[con][pc]
    real = np.round(np.clip(received - cum_start, 0, part), 2)
    return_day = c_day[pc] + 30 * (j + 1)
    status = np.where(
        real >= part - 0.005, 1, np.where(real > 0, 2, np.where(return_day < end_day, 4, 0))
    )
    plan_ids = ids.take("receivables_plan", len(pc))
    plans = pl.DataFrame(
        {
            "plan_id": plan_ids,
            "num": (j + 1).astype(np.int64),
            "contract_id": o.contract_id[con][pc],
            "customer_id": pop.crm_id[c_cust][pc],
            "money": part,
            "return_date": date_strings(return_day),
            "real_received_money": real,
            "received_status": status,
            "create_time": datetime_strings(c_day[pc] * 86400 + 15 * 3600),
            "_drop": date_series(c_day[pc]),
        }
    )
    # ERP payments of contract orders become CRM receipts against the plan they fill.
    pay = erp.payments
    order_to_contract = np.full(len(o.day), -1)
    order_to_contract[con] = np.arange(n_c)
    cidx = order_to_contract[pay["order"].to_numpy()]
    sel = cidx >= 0
    cidx = cidx[sel]
    p_day = pay["day"].to_numpy()[sel]
    p_amt = pay["amount"].to_numpy()[sel]
    method = pay["method"].to_numpy()[sel]
    cum_before = np.zeros(len(cidx))
    if len(cidx):
        order = np.lexsort((p_day, cidx))
        cidx, p_day, p_amt, method = cidx[order], p_day[order], p_amt[order], method[order]
        csum = np.cumsum(p_amt)
        group_start = np.r_[0, np.flatnonzero(np.diff(cidx) != 0) + 1]
        starts = np.repeat(group_start, np.diff(np.r_[group_start, len(cidx)]))
        cum_before = csum - p_amt - np.r_[0.0, csum][starts]
    first_plan = np.cumsum(n_plans) - n_plans
    # Instalment index = how many plan amounts are already covered before this payment.
    filled = np.zeros(len(cidx), dtype=np.int64)
    for jj in range(2):
        idx = first_plan[cidx] + jj
        ok = jj < n_plans[cidx] - 1
        filled += ok & (cum_before >= cum_end[np.minimum(idx, len(cum_end) - 1)] - 0.005)
    r_ids = ids.take("receivables", len(cidx))
    receivables = pl.DataFrame(
        {
            "receivables_id": r_ids,
            "number": np.char.add("HK", np.char.zfill(r_ids.astype(str), 9)),
            "contract_id": o.contract_id[con][cidx],
            "customer_id": pop.crm_id[c_cust][cidx],
            "plan_id": plan_ids[first_plan[cidx] + filled],
            "return_time": date_strings(p_day),
            "return_type": [RETURN_TYPES[m] for m in method.tolist()],
            "money": p_amt,
            "check_status": np.ones(len(cidx), np.int64),
            "create_time": datetime_strings(p_day * 86400 + 16 * 3600),
            "_drop": date_series(p_day),
        }
    )
    return plans, receivables
