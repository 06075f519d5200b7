"""Channel spend, the true spend -> leads response, and the platform reports.

Response per channel (the truth models are judged against):
    adstock  A_t = spend_t + decay * A_{t-1}
    leads/day ~ Poisson(baseline + max_leads * A_t^s / (A_t^s + K^s))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import to_date, weekday
from simulator.names import REGIONS


@dataclass(frozen=True)
class Channel:
    """True parameters of one acquisition channel (spend and K are per 1,000 customers)."""

    key: str
    label: str  # 客户来源 label in the CRM
    daily_budget: float  # yuan per day per 1,000 customers (0 = unpaid channel)
    decay: float
    half_saturation_days: float  # K as a multiple of the typical daily budget
    shape: float
    max_leads: float  # per 1,000 customers, before calibration
    baseline: float  # leads per day without spend, per 1,000 customers, before calibration
    conversion: float  # share of leads that become customers


CHANNELS: list[Channel] = [
    Channel("oceanengine", "巨量引擎", 700.0, 0.55, 2.0, 1.3, 2.2, 0.0, 0.16),
    Channel("baidu", "百度推广", 650.0, 0.25, 0.9, 1.0, 1.6, 0.0, 0.28),
    Channel("tencent", "腾讯广告", 1300.0, 0.45, 3.0, 1.5, 1.6, 0.0, 0.14),
    Channel("tradeshow", "展会", 0.0, 0.80, 0.0, 1.0, 0.0, 0.0, 0.35),
    Channel("referral", "客户介绍", 0.0, 0.0, 0.0, 1.0, 0.0, 0.25, 0.55),
    Channel("organic", "自然流量", 0.0, 0.0, 0.0, 1.0, 0.0, 0.45, 0.30),
]
CHANNEL_KEYS = [c.key for c in CHANNELS]
TRADESHOW = CHANNEL_KEYS.index("tradeshow")
# A trade show costs about this much per 1,000 customers and brings a burst of leads.
SHOW_COST = 60_000.0
SHOW_MAX_LEADS = 9.0
SHOWS_PER_YEAR = 7

PLATFORM_CAMPAIGNS = {"oceanengine": 6, "baidu": 8, "tencent": 5}
CAMPAIGN_THEMES = [
    "品牌推广",
    "新品上市",
    "行业解决方案",
    "限时优惠",
    "华东获客",
    "华南获客",
    "华北获客",
    "西部获客",
    "老客复购",
    "直播引流",
]
SHOW_NAMES = [
    "中国国际工业博览会",
    "华南国际智能制造展",
    "中国国际进口博览会配套展",
    "西部国际装备展",
    "华北数字经济峰会",
    "中国国际医疗器械博览会",
    "长三角企业服务展",
    "粤港澳大湾区采购节",
]


@dataclass
class Marketing:
    """Everything the marketing side produced for the whole period."""

    days: np.ndarray  # day numbers of the period
    spend: np.ndarray  # [channel, day] yuan
    adstock: np.ndarray  # [channel, day]
    expected_leads: np.ndarray  # [channel, day]
    max_leads: np.ndarray  # [channel] after calibration
    baseline: np.ndarray  # [channel] after calibration
    half_saturation: np.ndarray  # [channel] yuan of adstock
    campaign_spend: dict[str, np.ndarray]  # platform -> [campaign, day]
    campaign_ids: dict[str, np.ndarray]
    campaign_names: dict[str, list[str]]
    shows: pl.DataFrame  # trade shows with costs and dates
    lead_day: np.ndarray  # one entry per lead, sorted by time
    lead_second: np.ndarray  # seconds after midnight
    lead_channel: np.ndarray
    lead_campaign: np.ndarray  # campaign index within its platform, -1 if none


def _adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    out = np.empty_like(spend)
    carry = 0.0
    for t, s in enumerate(spend.tolist()):
        carry = s + decay * carry
        out[t] = carry
    return out


def _hill(a: np.ndarray, k: float, s: float) -> np.ndarray:
    if k <= 0:
        return np.zeros_like(a)
    x = np.power(np.maximum(a, 0.0) / k, s)
    return x / (1.0 + x)


def simulate_marketing(
    rng: np.random.Generator, days: np.ndarray, n_new_customers: float, unit: float
) -> Marketing:
    """Daily spend per channel and campaign, the expected leads it buys, and sampled leads.

    ``unit`` is customers / 1,000: spend and saturation scale with it. Lead volumes are then
    calibrated so the expected number of converted leads equals ``n_new_customers``.
    """
    n_days = len(days)
    n_ch = len(CHANNELS)
    wd = weekday(days)
    month = np.array([to_date(d).month for d in days])
    # Weekends and the Spring Festival month are quiet in B2B buying.
    season = np.where(wd >= 5, 0.55, 1.0) * np.where(month == 2, 0.45, 1.0)
    spend = np.zeros((n_ch, n_days))
    campaign_spend: dict[str, np.ndarray] = {}
    campaign_ids: dict[str, np.ndarray] = {}
    campaign_names: dict[str, list[str]] = {}
    for c, ch in enumerate(CHANNELS):
        if ch.daily_budget <= 0:
            continue
        # Monthly budget flights and paused weeks give the variation a response model needs.
        n_months = n_days // 30 + 2
        flight = np.repeat(rng.lognormal(0.0, 0.45, n_months), 30)[:n_days]
        paused = np.repeat(rng.random(n_days // 7 + 2) < 0.08, 7)[:n_days]
        noise = rng.lognormal(0.0, 0.15, n_days)
        spend[c] = np.round(ch.daily_budget * unit * season * flight * noise * ~paused, 2)
        n_camp = PLATFORM_CAMPAIGNS[ch.key]
        # Campaigns run in overlapping windows; spend is split by random daily weights.
        start = rng.integers(0, n_days // 2, n_camp)
        start[: max(1, n_camp // 2)] = 0
        stop = np.minimum(n_days, start + rng.integers(n_days // 3, n_days + 1, n_camp))
        stop[0] = n_days
        active = (np.arange(n_days)[None, :] >= start[:, None]) & (
            np.arange(n_days)[None, :] < stop[:, None]
        )
        weights = rng.gamma(2.0, 1.0, (n_camp, n_days)) * active
        weights /= np.maximum(weights.sum(axis=0, keepdims=True), 1e-9)
        cs = np.round(weights * spend[c][None, :], 2)
        spend[c] = cs.sum(axis=0)  # the channel total is exactly the sum of its campaigns
        campaign_spend[ch.key] = cs
        campaign_ids[ch.key] = (
            np.int64(1_000_000 + 100_000 * c) + rng.choice(90_000, n_camp, replace=False)
        ).astype(np.int64)
        themes = rng.choice(len(CAMPAIGN_THEMES), n_camp, replace=False)
        campaign_names[ch.key] = [
            f"{ch.label}-{CAMPAIGN_THEMES[t]}-{i + 1:02d}" for i, t in enumerate(themes)
        ]
    shows = _trade_shows(rng, days, unit)
    for row in shows.iter_rows(named=True):
        spend[TRADESHOW, row["_day_index"]] += row["_total"]
    adstock = np.vstack([_adstock(spend[c], CHANNELS[c].decay) for c in range(n_ch)])
    half_sat = np.zeros(n_ch)
    raw_max = np.zeros(n_ch)
    base = np.zeros(n_ch)
    for c, ch in enumerate(CHANNELS):
        if c == TRADESHOW:
            half_sat[c] = SHOW_COST * unit * 0.8
            raw_max[c] = SHOW_MAX_LEADS * unit
        elif ch.daily_budget > 0:
            # K in yuan of adstock: a multiple of the steady-state adstock of the base budget.
            half_sat[c] = ch.half_saturation_days * ch.daily_budget * unit / (1 - ch.decay)
            raw_max[c] = ch.max_leads * unit
        base[c] = ch.baseline * unit
    expected = base[:, None] + raw_max[:, None] * np.vstack(
        [_hill(adstock[c], half_sat[c], CHANNELS[c].shape) for c in range(n_ch)]
    )
    conv = np.array([c.conversion for c in CHANNELS])
    factor = n_new_customers / max((expected.sum(axis=1) * conv).sum(), 1e-9)
    expected *= factor
    counts = rng.poisson(expected)
    ch_idx = np.repeat(np.repeat(np.arange(n_ch), n_days), counts.ravel())
    day_idx = np.repeat(np.tile(np.arange(n_days), n_ch), counts.ravel())
    seconds = rng.integers(8 * 3600, 22 * 3600, len(ch_idx))
    order = np.lexsort((seconds, day_idx))
    ch_idx, day_idx, seconds = ch_idx[order], day_idx[order], seconds[order]
    campaign = np.full(len(ch_idx), -1, dtype=np.int64)
    for key, cs in campaign_spend.items():
        c = CHANNEL_KEYS.index(key)
        sel = np.flatnonzero(ch_idx == c)
        share = cs[:, day_idx[sel]]
        tot = share.sum(axis=0)
        # A lead on a zero-spend day (carry-over) goes to the campaign that spent most recently.
        share[:, tot <= 0] = 1.0
        cum = np.cumsum(share / share.sum(axis=0, keepdims=True), axis=0)
        u = rng.random(len(sel))
        campaign[sel] = np.minimum((u[None, :] > cum).sum(axis=0), cs.shape[0] - 1)
    return Marketing(
        days=days,
        spend=spend,
        adstock=adstock,
        expected_leads=expected,
        max_leads=raw_max * factor,
        baseline=base * factor,
        half_saturation=half_sat,
        campaign_spend=campaign_spend,
        campaign_ids=campaign_ids,
        campaign_names=campaign_names,
        shows=shows,
        lead_day=days[day_idx],
        lead_second=seconds,
        lead_channel=ch_idx,
        lead_campaign=campaign,
    )


def _trade_shows(rng: np.random.Generator, days: np.ndarray, unit: float) -> pl.DataFrame:
    n_days = len(days)
    n = max(3, round(SHOWS_PER_YEAR * n_days / 365))
    idx = np.sort(rng.choice(np.arange(10, n_days - 5), n, replace=False))
    total = np.round(SHOW_COST * unit * rng.lognormal(0.0, 0.35, n), -2)
    booth = np.round(total * rng.uniform(0.4, 0.6, n), -2)
    build = np.round(total * rng.uniform(0.2, 0.35, n), -2)
    travel = total - booth - build
    names = rng.choice(len(SHOW_NAMES), n)
    cities = rng.choice(len(REGIONS), n)
    length = rng.integers(2, 5, n)
    return pl.DataFrame(
        {
            "展会名称": [
                f"{to_date(days[i]).year}{SHOW_NAMES[k]}" for i, k in zip(idx, names, strict=True)
            ],
            "开始日期": [to_date(days[i]) for i in idx],
            "结束日期": [
                to_date(days[i] + int(n_)) - dt.timedelta(days=1)
                for i, n_ in zip(idx, length, strict=True)
            ],
            "城市": [REGIONS[c][0] for c in cities],
            "展位费": booth,
            "搭建费": build,
            "差旅费": travel,
            "_day_index": idx,
            "_total": total,
        }
    )
