"""The simulator entry point: global pieces first, then customers chunk by chunk, streaming."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from simulator import behaviour
from simulator.behaviour import simulate_months
from simulator.calendar import date_series, datetime_strings, month_starts, to_day
from simulator.contacts import addresses as make_addresses
from simulator.contacts import primary_contacts
from simulator.crm_customers import build_crm_customers
from simulator.erp import build_erp
from simulator.identity_noise import (
    IdentityNoise,
    chunk_phones,
    plant_hard_negatives,
    share_group_domains,
)
from simulator.ids import IdCounters
from simulator.leads import build_leads, lead_ids
from simulator.marketing import (
    CHANNELS,
    Marketing,
    baidu_report,
    oceanengine_report,
    simulate_marketing,
    tencent_report,
    trade_show_sheet,
)
from simulator.names import INDUSTRIES, REGIONS
from simulator.org import build_organisation
from simulator.population import EXISTING_SHARE, SIZES, build_population, slice_population
from simulator.products import build_catalogue
from simulator.sales import build_sales
from simulator.scales import get_scale
from simulator.service import build_tickets
from simulator.truth import README, TABLE_NOTES, TruthWriter
from simulator.writers import ADS_GBK, ADS_UTF8, CRM, ERP, ExtractWriter

DEFAULT_END = dt.date(2026, 10, 31)
LEAD_SLICE = 200_000
TRUNCATED_FILE = "erp/receipts.csv"
# full-extract mode: the truncated file is a late re-send of the newest receipts, so cutting it
# off does not empty the receipts entity (the complete erp/receipts.csv lands)
RESEND_FILE = "erp/receipts_resend.csv"
RESEND_ROWS = 5
OUTPUT_DIRS = ("crm", "erp", "marketing", "drops", "truth")


def default_period(end: dt.date = DEFAULT_END) -> tuple[dt.date, dt.date]:
    """Three full years ending on ``end``."""
    day = min(end.day, 28) if (end.month, end.day) == (2, 29) else end.day
    return dt.date(end.year - 3, end.month, day) + dt.timedelta(days=1), end


def _validate(scale: str, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    get_scale(scale)
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise ValueError(f"{name} must be a datetime.date (YYYY-MM-DD), got {value!r}")
    if start is None and end is None:
        start, end = default_period()
    elif start is None:
        start = default_period(end)[0]
    elif end is None:
        # Three full years from the given start.
        leap = (start.month, start.day) == (2, 29)
        anniversary = dt.date(start.year + 3, 3, 1) if leap else start.replace(year=start.year + 3)
        end = anniversary - dt.timedelta(days=1)
    if end < start:
        raise ValueError(f"end {end} is before start {start}: swap them")
    if (end - start).days + 1 < 365:
        raise ValueError(
            f"period {start} .. {end} is {(end - start).days + 1} days: "
            "the simulation needs at least 365 days"
        )
    return start, end


def generate(
    out_dir: Path,
    scale: str = "small",
    seed: int = 42,
    start: dt.date | None = None,
    end: dt.date | None = None,
    daily_drops: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Simulate the company and write extracts plus ground truth into ``out_dir``.

    Returns a summary: scale, seed, period, seconds, and per file its rows and bytes.
    Raises ValueError for an unknown scale, bad dates, or an output folder that already holds
    generated data (crm/, erp/, marketing/, drops/ or truth/ not empty).
    """
    t0 = time.perf_counter()
    cfg = get_scale(scale)
    start, end = _validate(scale, start, end)
    out_dir = Path(out_dir)
    # Appending to an earlier run's files would corrupt both, so refuse to mix runs; anything
    # else in the folder (e.g. a landing ledger) is left alone.
    taken = [d for d in OUTPUT_DIRS if (out_dir / d).exists() and any((out_dir / d).iterdir())]
    if taken:
        raise ValueError(
            f"output folder {out_dir} already holds generated data ({', '.join(taken)}): "
            "remove those folders or choose another --out"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    rates = cfg.problems
    start_day, end_day = to_day(start), to_day(end)
    days = np.arange(start_day, end_day + 1, dtype=np.int64)
    months = month_starts(start, end)
    root = np.random.SeedSequence(seed)
    rng_org, rng_cat, rng_mkt, rng_pop, rng_rep, rng_leads, rng_misc = (
        np.random.default_rng(s) for s in root.spawn(7)
    )
    ids = IdCounters()
    writer = ExtractWriter(out_dir, daily_drops, start_day)
    truth = TruthWriter(out_dir)

    say(f"{cfg.name}: {cfg.customers} customers, {start} .. {end}")
    org = build_organisation(cfg.reps, cfg.agents, rng_org, start_day)
    writer.csv("crm/wk_admin_dept.csv", org.depts, CRM)
    writer.csv("crm/wk_admin_user.csv", org.users, CRM)
    writer.csv("crm/wk_crm_business_status.csv", _stages(start_day), CRM)
    cat = build_catalogue(cfg.products, rng_cat)
    writer.xlsx("erp/products.xlsx", cat.sheet, "物料", start)

    unit = cfg.customers / 1000
    mkt = simulate_marketing(rng_mkt, days, cfg.customers * (1 - EXISTING_SHARE), unit)
    _write_marketing(writer, mkt, rng_rep, rates, start_day)
    pop, lead_to_customer, lead_names = build_population(
        cfg, rng_pop, mkt, start_day, end_day, org.reps_by_group
    )
    contacts = primary_contacts(pop, rng_misc)
    addr = make_addresses(pop, rng_misc)
    all_reps = np.concatenate(list(org.reps_by_group.values()))
    n_leads = len(mkt.lead_day)
    say(f"marketing: {n_leads} leads, {len(pop.true_id)} customers")
    for lo in range(0, n_leads, LEAD_SLICE):
        hi = min(n_leads, lo + LEAD_SLICE)
        writer.csv(
            "crm/wk_crm_leads.csv",
            build_leads(
                mkt,
                lead_to_customer,
                pop,
                contacts,
                lead_names,
                all_reps,
                lo,
                hi,
                rng_leads,
                rates.mixed_date_format,
            ),
            CRM,
        )
    truth.append(
        "leads",
        pl.DataFrame(
            {
                "leads_id": lead_ids(n_leads),
                "channel": np.array([c.key for c in CHANNELS])[mkt.lead_channel],
                "lead_date": date_series(mkt.lead_day),
                "true_customer_id": pl.Series(pop.true_id[np.maximum(lead_to_customer, 0)]).set(
                    pl.Series(lead_to_customer < 0), None
                ),
            }
        ),
    )

    n = len(pop.true_id)
    revenue = np.zeros(n)
    margin = np.zeros(n)
    n_orders = np.zeros(n, dtype=np.int64)
    churn_month = np.full(n, -1, dtype=np.int64)
    dup_id_base = int(pop.crm_id[-1]) + 50_000
    n_chunks = (n + cfg.chunk_customers - 1) // cfg.chunk_customers
    for k, lo in enumerate(range(0, n, cfg.chunk_customers)):
        hi = min(n, lo + cfg.chunk_customers)
        rng = np.random.default_rng([seed, 1_000 + k])
        chunk = slice_population(pop, lo, hi)
        paths = simulate_months(chunk, months, rng)
        mobile = contacts.mobile[lo:hi]
        # identity variants draw from their own stream: the rest of the extract stays as it was
        vrng = np.random.default_rng([seed, 7_000 + k])
        chunk_addr = list(addr[lo:hi])
        phones = chunk_phones(chunk, mobile, vrng)
        hard = plant_hard_negatives(chunk, chunk_addr, phones.landline, vrng)
        pop.names[lo:hi] = chunk.names
        pop.brand_pinyin[lo:hi] = chunk.brand_pinyin
        chunk_email = share_group_domains(contacts.email[lo:hi], hard)
        phones = phones.with_erp_phone(vrng)
        erp = build_erp(
            chunk,
            paths,
            months,
            cat,
            cfg,
            rng,
            ids,
            start_day,
            end_day,
            org.names,
            phones.erp_phone,
            chunk_addr,
        )
        sales = build_sales(chunk, paths, erp, months, rates, rng, ids, start_day, end_day)
        sub_contacts = type(contacts)(
            contacts.name[lo:hi], contacts.pinyin[lo:hi], mobile, chunk_email
        )
        crm = build_crm_customers(
            chunk,
            sub_contacts,
            chunk_addr,
            erp.erp_code,
            sales.deal_day,
            sales.last_followup,
            rates,
            rng,
            ids,
            dup_id_base,
            end_day,
            all_reps,
            IdentityNoise(phones, hard, vrng),
        )
        tickets = build_tickets(
            chunk, paths, months, crm.primary_contact_id, org.agents, rng, ids, end_day
        )
        writer.csv("crm/wk_crm_customer.csv", crm.customers, CRM)
        writer.csv("crm/wk_crm_customer_data.csv", crm.custom_data, CRM)
        writer.csv("crm/wk_crm_contacts.csv", crm.contacts, CRM)
        writer.csv("crm/wk_crm_business.csv", sales.business, CRM)
        writer.csv("crm/wk_crm_business_change.csv", sales.changes, CRM)
        writer.csv("crm/wk_crm_contract.csv", sales.contracts, CRM)
        writer.csv("crm/wk_crm_receivables_plan.csv", sales.plans, CRM)
        writer.csv("crm/wk_crm_receivables.csv", sales.receivables, CRM)
        writer.csv("crm/wk_crm_activity.csv", sales.activities, CRM)
        writer.csv("crm/wk_crm_ticket.csv", tickets, CRM)
        writer.csv("erp/customers.csv", erp.customers, ERP)
        writer.csv("erp/sales_orders.csv", erp.order_lines, ERP)
        writer.csv("erp/sales_invoices.csv", erp.invoices, ERP)
        writer.csv("erp/receipts.csv", erp.receipts, ERP)
        writer.csv("erp/gl_entries.csv", erp.gl, ERP)

        truth.append("identity", _identity(crm.identity, chunk, erp.erp_code, phones, hard))
        truth.append("churn_monthly", _churn_panel(chunk, paths, months))
        truth.append("sync_gaps", sales.sync_gaps)
        revenue[lo:hi] = erp.revenue_net
        margin[lo:hi] = erp.margin
        n_orders[lo:hi] = np.bincount(erp.orders.cust[~erp.orders.gap], minlength=hi - lo)
        churn_month[lo:hi] = paths.churn_month
        say(
            f"chunk {k + 1}/{n_chunks}: customers {lo + 1}-{hi}, "
            f"{erp.order_lines.height} order lines, {time.perf_counter() - t0:.1f} s"
        )

    truth.append("companies", _companies(pop, months, churn_month, n_orders, revenue, margin))
    truth.append("channels", _channels(mkt, pop, revenue, margin))

    writer.flush()
    if rates.truncated_file:
        if daily_drops:
            # one drop's receipts: losing them leaves every other day's receipts intact
            candidates = sorted(r for r in writer.files if r.endswith("/" + TRUNCATED_FILE))
            target = candidates[len(candidates) // 2]
        else:
            target = RESEND_FILE
            writer.resend_tail(TRUNCATED_FILE, target, RESEND_ROWS)
        row = writer.truncate_last_row(target)
        writer.problems.append(
            pl.DataFrame(
                {
                    "problem": ["truncated_file"],
                    "file": [target],
                    "row": [row],
                    "column": [None],
                    "record_id": [None],
                    "detail": ["file ends in the middle of its last row"],
                },
                schema_overrides={"column": pl.String, "record_id": pl.String},
            )
        )
    problems = writer.problem_frame().sort("file", "row", nulls_last=True)
    truth.append("problems", problems)
    truth.close()
    manifest = writer.manifest()
    seconds = round(time.perf_counter() - t0, 2)
    summary = {
        "scale": cfg.name,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "daily_drops": daily_drops,
        "customers": int(n),
        "files": manifest,
        "truth": dict(truth.rows),
        "seconds": seconds,
    }
    truth.readme(
        README.format(
            scale=cfg.name,
            seed=seed,
            start=start,
            end=end,
            mode="daily drops" if daily_drops else "full extracts",
            rows="\n".join(
                f"| {k}.parquet | {v} | {TABLE_NOTES[k]} |" for k, v in sorted(truth.rows.items())
            ),
            b_delay=behaviour.B_DELAY,
            b_tickets=behaviour.B_TICKETS,
            b_silence=behaviour.B_SILENCE,
        )
    )
    (out_dir / "truth" / "manifest.json").write_text(
        json.dumps(
            {k: v for k, v in summary.items() if k != "seconds"}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )
    say(f"done in {seconds} s")
    return summary


def _stages(start_day: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "status_id": [1, 2, 3],
            "type_id": [1, 1, 1],
            "name": ["验证客户", "需求分析", "方案/报价"],
            "rate": ["20", "30", "80"],
            "order_num": [1, 2, 3],
            "_drop": date_series(np.full(3, start_day)),
        }
    )


def _write_marketing(
    writer: ExtractWriter, mkt: Marketing, rng: np.random.Generator, rates, start_day: int
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
    # One CRM marketing activity per ad campaign and trade show.
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
    writer.csv("crm/wk_crm_marketing.csv", df, CRM)


def _identity(
    crm_identity: pl.DataFrame, chunk, erp_code: np.ndarray, phones, hard
) -> pl.DataFrame:
    has = erp_code != ""
    idx = np.flatnonzero(has)
    erp_rows = pl.DataFrame(
        {
            "true_customer_id": chunk.true_id[has],
            "system": "erp",
            "record_id": erp_code[has],
            "record_name": [chunk.names[i] for i in idx.tolist()],
            "variant": "original",
            "is_primary": np.ones(int(has.sum()), bool),
            "phone_format": phones.erp_style[has].astype(str),
            "tax_id_variant": "",
            "hard_negative": hard.kind[has].astype(str),
        }
    )
    return pl.concat([crm_identity, erp_rows])


def _churn_panel(chunk, paths, months: np.ndarray) -> pl.DataFrame:
    buyers = np.flatnonzero(chunk.is_buyer)
    n_m = paths.orders.shape[1]
    b = np.repeat(buyers, n_m)
    mm = np.tile(np.arange(n_m), len(buyers))
    acquired = chunk.acquired_day[b] < months[mm + 1]
    sel = acquired
    b, mm = b[sel], mm[sel]
    return pl.DataFrame(
        {
            "true_customer_id": chunk.true_id[b],
            "month": date_series(months[mm]),
            "alive": paths.alive[b, mm],
            "hazard": paths.hazard[b, mm],
            "orders": paths.orders[b, mm],
            "payment_delay_days": paths.delay[b, mm],
            "tickets": paths.tickets[b, mm],
            "followups": paths.followups[b, mm],
        }
    )


def _companies(pop, months, churn_month, n_orders, revenue, margin) -> pl.DataFrame:

    keys = np.array([c.key for c in CHANNELS] + ["existing"])
    churned = churn_month >= 0
    return pl.DataFrame(
        {
            "true_customer_id": pop.true_id,
            "kind": np.where(pop.kind == 1, "individual", "company"),
            "name": pop.names,
            "tax_id": pl.Series(pop.tax_id).replace("", None),
            "region": [REGIONS[r][0] for r in pop.region.tolist()],
            "industry": [INDUSTRIES[i][1] for i in pop.industry.tolist()],
            "size": np.array(SIZES)[pop.size],
            "channel": keys[pop.channel],
            "acquired_date": date_series(pop.acquired_day),
            "is_buyer": pop.is_buyer,
            "purchase_rate": pop.purchase_rate,
            "spend_level": pop.spend_level,
            "base_hazard": pop.base_hazard,
            "churn_month": date_series(months[np.maximum(churn_month, 0)]).set(
                pl.Series(~churned), None
            ),
            "churned": churned,
            "orders": n_orders,
            "revenue_net": np.round(revenue, 2),
            "gross_margin": np.round(margin, 2),
        }
    )


def _channels(mkt: Marketing, pop, revenue, margin) -> pl.DataFrame:
    rows = []
    for c, ch in enumerate(CHANNELS):
        sel = pop.channel == c
        spend = float(mkt.spend[c].sum())
        gm = float(margin[sel].sum())
        rows.append(
            {
                "channel": ch.key,
                "adstock_decay": ch.decay,
                "hill_half_saturation": float(mkt.half_saturation[c]),
                "hill_shape": ch.shape,
                "max_leads_per_day": float(mkt.max_leads[c]),
                "baseline_leads_per_day": float(mkt.baseline[c]),
                "conversion_rate": ch.conversion,
                "spend": round(spend, 2),
                "leads": int((mkt.lead_channel == c).sum()),
                "customers": int(sel.sum()),
                "revenue_net": round(float(revenue[sel].sum()), 2),
                "gross_margin": round(gm, 2),
                "roi": round(gm / spend, 4) if spend > 0 else None,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"roi": pl.Float64})
