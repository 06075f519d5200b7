"""The platform reports of the simulated marketing: Ocean Engine, Baidu SEM, Tencent Ads, the
trade show sheet, and the CRM marketing activities; ``write_marketing`` writes them all."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings, to_date
from simulator.marketing import CHANNEL_KEYS, CHANNELS, TRADESHOW, Marketing
from simulator.scales import ProblemRates
from simulator.writers import ADS_GBK, ADS_UTF8, CRM, ExtractWriter


def _clicks_and_shows(
    rng: np.random.Generator, cost: np.ndarray, cpc: float
) -> tuple[np.ndarray, np.ndarray]:
    clicks = rng.poisson(np.maximum(cost, 0) / cpc)
    shows = clicks + rng.poisson(clicks * rng.uniform(40, 90))
    return clicks, shows


def campaign_leads(m: Marketing, key: str) -> np.ndarray:
    """True leads per [campaign, day] of one platform."""
    c = CHANNEL_KEYS.index(key)
    cs = m.campaign_spend[key]
    sel = m.lead_channel == c
    day_index = m.lead_day[sel] - m.days[0]
    out = np.zeros(cs.shape, dtype=np.int64)
    np.add.at(out, (m.lead_campaign[sel], day_index), 1)
    return out


def _long(m: Marketing, key: str) -> tuple[np.ndarray, ...]:
    cs = m.campaign_spend[key]
    leads = campaign_leads(m, key)
    camp, day = np.nonzero((cs > 0) | (leads > 0))
    return camp, day, cs[camp, day], leads[camp, day]


def oceanengine_report(m: Marketing, rng: np.random.Generator) -> pl.DataFrame:
    """Ocean Engine (Douyin) daily campaign report, cost in yuan."""
    camp, day, cost, leads = _long(m, "oceanengine")
    clicks, shows = _clicks_and_shows(rng, cost, 3.2)
    form = leads + rng.binomial(leads, 0.08)  # platforms count repeat submissions
    return pl.DataFrame(
        {
            "stat_datetime": pl.Series(m.days[day].astype("int32")).cast(pl.Date),
            "advertiser_id": np.full(len(day), 1_688_000_123, dtype=np.int64),
            "campaign_id": m.campaign_ids["oceanengine"][camp],
            "campaign_name": [m.campaign_names["oceanengine"][k] for k in camp],
            "show": shows,
            "click": clicks,
            "cost": cost,
            "convert": form + rng.poisson(0.3 * form + 0.2),
            "form": form,
        }
    ).with_columns(
        pl.col("stat_datetime").dt.strftime("%Y-%m-%d 00:00:00"),
        _drop=pl.col("stat_datetime"),
    )


def tencent_report(m: Marketing, rng: np.random.Generator, fen: bool) -> pl.DataFrame:
    """Tencent / WeChat ads report. Its cost is integer fen (the unit trap) when ``fen``."""
    camp, day, cost, leads = _long(m, "tencent")
    clicks, views = _clicks_and_shows(rng, cost, 2.6)
    cost_col = np.round(cost * 100).astype(np.int64) if fen else cost
    dates = pl.Series(m.days[day].astype("int32")).cast(pl.Date)
    return pl.DataFrame(
        {
            "date": dates.dt.strftime("%Y-%m-%d"),
            "account_id": np.full(len(day), 29_117_450, dtype=np.int64),
            "campaign_id": m.campaign_ids["tencent"][camp],
            "campaign_name": [m.campaign_names["tencent"][k] for k in camp],
            "view_count": views,
            "valid_click_count": clicks,
            "cost": cost_col,
            "conversions": leads + rng.poisson(0.2 * leads + 0.1),
            "_drop": dates,
        }
    )


def baidu_report(m: Marketing, rng: np.random.Generator, deleted: int) -> tuple[pl.DataFrame, list]:
    """Baidu search report with mixed date granularity and [已删除] campaigns.

    Returns the report and the names of the campaigns shown as deleted.
    """
    camp, day, cost, leads = _long(m, "baidu")
    clicks, shows = _clicks_and_shows(rng, cost, 4.5)
    names = list(m.campaign_names["baidu"])
    # Campaigns that stopped before the end are the ones an account manager deletes.
    cs = m.campaign_spend["baidu"]
    last = np.array([np.flatnonzero(r > 0).max() if (r > 0).any() else 0 for r in cs])
    candidates = [int(k) for k in np.argsort(last)[:deleted]]
    deleted_names = []
    for k in candidates:
        names[k] = names[k] + "[已删除]"
        deleted_names.append(names[k])
    dates = [to_date(d) for d in m.days[day]]
    month_key = np.array([d.year * 12 + d.month - 1 for d in dates])
    months = np.unique(month_key)
    monthly_months = set(months[rng.random(len(months)) < 0.15].tolist())
    hourly_days = set(np.unique(day)[rng.random(len(np.unique(day))) < 0.03].tolist())
    rows: dict[str, list] = {
        k: [] for k in ["日期", "推广计划ID", "推广计划", "展现", "点击", "消费", "转化", "_drop"]
    }
    agg: dict[tuple[int, int], list] = {}
    for i in range(len(day)):
        d = dates[i]
        if month_key[i] in monthly_months:
            a = agg.setdefault((int(month_key[i]), int(camp[i])), [0, 0, 0.0, 0, d])
            a[0] += int(shows[i])
            a[1] += int(clicks[i])
            a[2] += float(cost[i])
            a[3] += int(leads[i])
            a[4] = max(a[4], d)
            continue
        if int(day[i]) in hourly_days:
            w = rng.dirichlet(np.ones(24) * 2)
            c_h = np.round(cost[i] * w, 2)
            c_h[-1] = round(cost[i] - c_h[:-1].sum(), 2)
            s_h = rng.multinomial(shows[i], w)
            k_h = rng.multinomial(clicks[i], w)
            l_h = rng.multinomial(leads[i], w)
            for h in range(24):
                rows["日期"].append(f"{d.isoformat()} {h:02d}:00")
                rows["推广计划ID"].append(int(m.campaign_ids["baidu"][camp[i]]))
                rows["推广计划"].append(names[camp[i]])
                rows["展现"].append(int(s_h[h]))
                rows["点击"].append(int(k_h[h]))
                rows["消费"].append(float(c_h[h]))
                rows["转化"].append(int(l_h[h]))
                rows["_drop"].append(d)
            continue
        rows["日期"].append(d.isoformat())
        rows["推广计划ID"].append(int(m.campaign_ids["baidu"][camp[i]]))
        rows["推广计划"].append(names[camp[i]])
        rows["展现"].append(int(shows[i]))
        rows["点击"].append(int(clicks[i]))
        rows["消费"].append(float(cost[i]))
        rows["转化"].append(int(leads[i]))
        rows["_drop"].append(d)
    for (mk, k), (s, c, cost_sum, lead_sum, _last) in sorted(agg.items()):
        y, mo = divmod(mk, 12)
        first = dt.date(y, mo + 1, 1)
        end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        rows["日期"].append(f"{first.isoformat()}至{end.isoformat()}")
        rows["推广计划ID"].append(int(m.campaign_ids["baidu"][k]))
        rows["推广计划"].append(names[k])
        rows["展现"].append(s)
        rows["点击"].append(c)
        rows["消费"].append(round(cost_sum, 2))
        rows["转化"].append(lead_sum)
        rows["_drop"].append(min(end, to_date(int(m.days[-1]))))
    df = pl.DataFrame(rows).with_columns(pl.lit("tandem-百度营销").alias("账户"))
    df = df.select(
        ["日期", "账户", "推广计划ID", "推广计划", "展现", "点击", "消费", "转化", "_drop"]
    )
    return df, deleted_names


def trade_show_sheet(m: Marketing, rng: np.random.Generator) -> pl.DataFrame:
    """The hand-made trade show sheet: leads collected at each show as the team counted them."""
    c = TRADESHOW
    shows = m.shows
    sel = m.lead_channel == c
    lead_day_index = m.lead_day[sel] - m.days[0]
    starts = shows["_day_index"].to_numpy()
    # Leads belong to the most recent show before them.
    owner = np.searchsorted(starts, lead_day_index, side="right") - 1
    counts = np.bincount(owner[owner >= 0], minlength=len(starts))
    remarks = ["", "", "展位在2号馆", "含搭建押金", "与经销商合租展位", "数据由销售手工汇总"]
    return shows.select(
        ["展会名称", "开始日期", "结束日期", "城市", "展位费", "搭建费", "差旅费"]
    ).with_columns(
        pl.Series("收集线索数", counts),
        pl.Series("备注", [remarks[k] for k in rng.integers(0, len(remarks), len(starts))]),
    )


def write_marketing(
    writer: ExtractWriter,
    mkt: Marketing,
    rng: np.random.Generator,
    rates: ProblemRates,
    start_day: int,
) -> None:
    """Ad platform reports, the trade show sheet and the CRM marketing activities."""
    writer.csv("marketing/oceanengine_daily.csv", oceanengine_report(mkt, rng), ADS_UTF8)
    baidu, _deleted = baidu_report(mkt, rng, rates.deleted_campaigns)
    is_del = baidu["推广计划"].str.ends_with("[已删除]")
    baidu = baidu.with_columns(
        pl.when(is_del).then(pl.lit("deleted_campaign")).alias("_problem"),
        pl.when(is_del).then(pl.lit("推广计划")).alias("_column"),
    )
    writer.csv("marketing/baidu_sem.csv", baidu, ADS_GBK)
    writer.csv("marketing/tencent_ads.csv", tencent_report(mkt, rng, rates.unit_fen), ADS_UTF8)
    if rates.unit_fen:
        writer.problems.append(
            pl.DataFrame(
                {
                    "problem": ["unit_fen"],
                    "file": ["marketing/tencent_ads.csv"],
                    "row": [None],
                    "column": ["cost"],
                    "record_id": [None],
                    "detail": ["cost is integer fen (1/100 yuan) in every row"],
                },
                schema_overrides={"row": pl.Int64, "record_id": pl.String},
            )
        )
    writer.xlsx(
        "marketing/trade_shows.xlsx", trade_show_sheet(mkt, rng), "展会", mkt.shows["开始日期"][0]
    )
    writer.csv("crm/wk_crm_marketing.csv", crm_activities(mkt, rng, start_day), CRM)


def crm_activities(mkt: Marketing, rng: np.random.Generator, start_day: int) -> pl.DataFrame:
    """One CRM marketing activity (wk_crm_marketing) per ad campaign and trade show."""
    rows = []
    for key, cs in mkt.campaign_spend.items():
        label = next(c.label for c in CHANNELS if c.key == key)
        for j, name in enumerate(mkt.campaign_names[key]):
            active = np.flatnonzero(cs[j] > 0)
            if len(active) == 0:
                continue
            rows.append(
                (
                    name,
                    label,
                    float(round(cs[j].sum(), 2)),
                    int(mkt.days[active[0]]),
                    int(mkt.days[active[-1]]),
                )
            )
    for r in mkt.shows.iter_rows(named=True):
        rows.append(
            (
                r["展会名称"],
                "展会",
                float(r["_total"]),
                int(mkt.days[r["_day_index"]]),
                int(mkt.days[r["_day_index"]]) + 2,
            )
        )
    rows.sort(key=lambda x: (x[3], x[0]))
    first = np.array([r[3] for r in rows])
    df = pl.DataFrame(
        {
            "marketing_id": np.arange(1, len(rows) + 1, dtype=np.int64),
            "marketing_name": [r[0] for r in rows],
            "crm_type": np.ones(len(rows), np.int64),
            "marketing_type": [r[1] for r in rows],
            "marketing_money": [r[2] for r in rows],
            "start_time": datetime_strings(first * 86400 + 9 * 3600),
            "end_time": datetime_strings(np.array([r[4] for r in rows]) * 86400 + 18 * 3600),
            "browse": rng.integers(1_000, 100_000, len(rows)),
            "submit_num": rng.integers(10, 2_000, len(rows)),
            "create_time": datetime_strings(
                np.maximum(first - 3, start_day - 30) * 86400 + 10 * 3600
            ),
            "_drop": date_series(np.maximum(first - 3, start_day)),
        }
    )
    return df
