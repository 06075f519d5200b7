"""CRM activities (wk_crm_activity): the behaviour model's follow-ups and stage changes."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import date_series, datetime_strings
from simulator.columns import const, pick, take
from simulator.ids import IdCounters
from simulator.population import Population
from simulator.problems import flag
from simulator.sales_opportunities import Opportunities
from simulator.scales import ProblemRates

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


def build_activities(
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    opp: Opportunities,
    rates: ProblemRates,
    rng: np.random.Generator,
    ids: IdCounters,
    end_day: int,
) -> tuple[pl.DataFrame, np.ndarray]:
    """Activities of a chunk and the last follow-up per local customer (epoch s, -1 if none)."""
    n = len(pop.true_id)
    n_sc = len(opp.change_of)
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
            "type": np.full(n_sc, 3, np.int64),
            "activity_type": np.full(n_sc, 5, np.int64),
            "activity_type_id": opp.id[opp.change_of],
            "category": const("", n_sc),
            "content": pick(opp.change_closes, "商机结束", "阶段变更"),
            "next_time": pl.Series([None] * n_sc, dtype=pl.String),
            "create_user_id": opp.owner[opp.change_of],
            "_sec": opp.change_sec,
            "status": np.ones(n_sc, np.int64),
            "_problem": pl.Series([None] * n_sc, dtype=pl.String),
            "_column": pl.Series([None] * n_sc, dtype=pl.String),
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
    return acts, last_followup
