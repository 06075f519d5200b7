"""The CRM sales side of a chunk: opportunities with stage history, contracts, receivable plans,
receipts (回款) and follow-up activities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, date_strings, datetime_strings
from simulator.columns import const, pick, take
from simulator.erp import ErpChunk
from simulator.ids import IdCounters
from simulator.names import short_name
from simulator.population import Population
from simulator.problems import flag
from simulator.scales import ProblemRates

STUCK_DAYS = 90
ACTIVITY_CATEGORIES = ["电话", "拜访", "微信", "邮件", "会议"]
ACTIVITY_P = [0.35, 0.2, 0.3, 0.1, 0.05]
FOLLOWUP_TEXT = [
    "电话沟通采购计划，客户预计下季度有新需求",
    "上门拜访，了解设备使用情况",
    "微信发送新品资料，客户表示会评估",
    "客户反馈交付周期偏长，需要协调",
    "沟通续签维保合同事宜",
    "跟进回款进度，财务称本月安排付款",
    "客户对报价有异议，需申请折扣",
    "邀请参加线上产品发布会",
    "确认收货及安装时间",
    "客户近期无采购计划，保持联系",
    "介绍远程运维服务方案",
    "处理客户投诉后回访，客户基本满意",
]
RETURN_TYPES = {
    "电汇": "电汇",
    "网上转账": "网上转账",
    "承兑汇票": "支票",
    "支付宝": "支付宝",
    "微信支付": "微信支付",
}


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

    # Opportunities: one won per contract, plus lost / open / invalid ones.
    won_create = c_day - rng.integers(7, 61, len(con))
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
    b_end = np.r_[np.ones(len(con), np.int64), outcome]
    b_close = np.r_[c_day, np.where(outcome > 0, x_close, -1)]
    b_stage = np.r_[np.full(len(con), 3), x_stage]
    b_money = np.r_[
        np.round(money * rng.uniform(0.9, 1.1, len(con)), -2),
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
            "business_id": b_id[: len(con)],
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

    plans, receivables = _plans_and_receipts(o, con, erp, c_day, c_cust, pop, rng, ids, end_day)

    # Follow-ups from the behaviour model, plus stage-change activities on opportunities.
    f = paths.followups
    flat = f.ravel()
    n_m = f.shape[1]
    a_cust = np.repeat(np.repeat(np.arange(n), n_m), flat)
    a_month = np.repeat(np.tile(np.arange(n_m), n), flat)
    length = months[a_month + 1] - months[a_month]
    a_day = months[a_month] + (rng.random(len(a_cust)) * length).astype(np.int64)
    a_day = np.clip(np.maximum(a_day, pop.acquired_day[a_cust]), None, end_day)
    a_sec = a_day * 86400 + rng.integers(8 * 3600, 21 * 3600, len(a_cust))
    last_followup = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_followup, a_cust, a_sec)
    na = len(a_cust)
    has_next = rng.random(na) < 0.6
    next_sec = a_sec + rng.integers(7, 31, na) * 86400
    deleted = rng.random(na) < rates.soft_delete
    fu = pl.DataFrame(
        {
            "type": np.where(rng.random(na) < 0.05, 4, 1),
            "activity_type": np.full(na, 2, np.int64),
            "activity_type_id": pop.crm_id[a_cust],
            "category": take(ACTIVITY_CATEGORIES, rng.choice(5, na, p=ACTIVITY_P)),
            "content": take(FOLLOWUP_TEXT, rng.integers(0, len(FOLLOWUP_TEXT), na)),
            "next_time": datetime_strings(next_sec).set(pl.Series(~has_next), None),
            "create_user_id": pop.rep[a_cust],
            "_sec": a_sec,
            "status": np.where(deleted, 0, 1),
            "_problem": flag(deleted, "soft_delete"),
            "_column": flag(deleted, "status"),
        }
    )
    sc = pl.DataFrame(
        {
            "type": np.full(len(rid), 3, np.int64),
            "activity_type": np.full(len(rid), 5, np.int64),
            "activity_type_id": b_id[rid],
            "category": const("", len(rid)),
            "content": pick(is_close, "商机结束", "阶段变更"),
            "next_time": pl.Series([None] * len(rid), dtype=pl.String),
            "create_user_id": owner[rid],
            "_sec": ch_sec,
            "status": np.ones(len(rid), np.int64),
            "_problem": pl.Series([None] * len(rid), dtype=pl.String),
            "_column": pl.Series([None] * len(rid), dtype=pl.String),
        }
    )
    acts = pl.concat([fu, sc]).sort("_sec")
    acts = acts.with_columns(
        pl.Series("activity_id", ids.take("activity", acts.height)),
        datetime_strings(acts["_sec"].to_numpy()).alias("create_time"),
        date_series(acts["_sec"].to_numpy() // 86400).alias("_drop"),
    ).select(
        [
            "activity_id",
            "type",
            "activity_type",
            "activity_type_id",
            "category",
            "content",
            "next_time",
            "create_user_id",
            "create_time",
            "status",
            "_drop",
            "_problem",
            "_column",
        ]
    )

    deal_day = np.full(n, -1, dtype=np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, c_cust, c_day)
    deal_day = np.where(first < np.iinfo(np.int64).max, first, deal_day)
    started = pop.acquired_day < start_day
    deal_day = np.where(started & pop.is_buyer, pop.acquired_day, deal_day)
    return SalesChunk(
        business, changes, contracts, plans, receivables, acts, deal_day, last_followup, sync_gaps
    )


def _plans_and_receipts(o, con, erp, c_day, c_cust, pop, rng, ids, end_day):
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
