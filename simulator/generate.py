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
from simulator.calendar import date_series, month_starts, to_day
from simulator.chunks import Company, Outcomes, simulate_chunk
from simulator.contacts import addresses as make_addresses
from simulator.contacts import primary_contacts
from simulator.ids import IdCounters
from simulator.leads import build_leads, lead_ids
from simulator.marketing import (
    CHANNELS,
    Marketing,
    simulate_marketing,
)
from simulator.marketing_reports import write_marketing
from simulator.org import build_organisation
from simulator.population import EXISTING_SHARE, LeadNames, build_population
from simulator.products import build_catalogue
from simulator.scales import get_scale
from simulator.truth import README, TABLE_NOTES, TruthWriter
from simulator.truth_frames import channels, companies
from simulator.writers import CRM, ExtractWriter

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


def _check_out_dir(out_dir: Path) -> None:
    """Refuse a folder holding an earlier run: appending to its files would corrupt both."""
    # anything else in the folder (e.g. a landing ledger) is left alone
    taken = [d for d in OUTPUT_DIRS if (out_dir / d).exists() and any((out_dir / d).iterdir())]
    if taken:
        raise ValueError(
            f"output folder {out_dir} already holds generated data ({', '.join(taken)}): "
            "remove those folders or choose another --out"
        )


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
    _check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    rates = cfg.problems
    start_day, end_day = to_day(start), to_day(end)
    days = np.arange(start_day, end_day + 1, dtype=np.int64)
    root = np.random.SeedSequence(seed)
    rng_org, rng_cat, rng_mkt, rng_pop, rng_rep, rng_leads, rng_misc = (
        np.random.default_rng(s) for s in root.spawn(7)
    )
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
    write_marketing(writer, mkt, rng_rep, rates, start_day)
    pop, lead_to_customer, lead_names = build_population(
        cfg, rng_pop, mkt, start_day, end_day, org.reps_by_group
    )
    contacts = primary_contacts(pop, rng_misc)
    co = Company(
        cfg=cfg,
        seed=seed,
        months=month_starts(start, end),
        start_day=start_day,
        end_day=end_day,
        cat=cat,
        org=org,
        pop=pop,
        contacts=contacts,
        addresses=make_addresses(pop, rng_misc),
        all_reps=np.concatenate(list(org.reps_by_group.values())),
        ids=IdCounters(),
        writer=writer,
        truth=truth,
        dup_id_base=int(pop.crm_id[-1]) + 50_000,
    )
    say(f"marketing: {len(mkt.lead_day)} leads, {len(pop.true_id)} customers")
    _write_leads(co, mkt, lead_to_customer, lead_names, rng_leads)

    n = len(pop.true_id)
    out = Outcomes.empty(n)
    n_chunks = (n + cfg.chunk_customers - 1) // cfg.chunk_customers
    for k, lo in enumerate(range(0, n, cfg.chunk_customers)):
        hi = min(n, lo + cfg.chunk_customers)
        order_lines = simulate_chunk(co, k, lo, hi, out)
        say(
            f"chunk {k + 1}/{n_chunks}: customers {lo + 1}-{hi}, "
            f"{order_lines} order lines, {time.perf_counter() - t0:.1f} s"
        )

    truth.append(
        "companies",
        companies(pop, co.months, out.churn_month, out.n_orders, out.revenue, out.margin),
    )
    truth.append("channels", channels(mkt, pop, out.revenue, out.margin))

    writer.flush()
    if rates.truncated_file:
        _plant_truncated_file(writer, daily_drops)
    problems = writer.problem_frame().sort("file", "row", nulls_last=True)
    truth.append("problems", problems)
    truth.close()
    summary = {
        "scale": cfg.name,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "daily_drops": daily_drops,
        "customers": int(n),
        "files": writer.manifest(),
        "truth": dict(truth.rows),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    _write_readme_and_manifest(out_dir, truth, summary)
    say(f"done in {summary['seconds']} s")
    return summary


def _write_leads(
    co: Company,
    mkt: Marketing,
    lead_to_customer: np.ndarray,
    lead_names: LeadNames,
    rng: np.random.Generator,
) -> None:
    """wk_crm_leads.csv in slices of LEAD_SLICE leads, and the leads truth."""
    pop = co.pop
    n_leads = len(mkt.lead_day)
    for lo in range(0, n_leads, LEAD_SLICE):
        hi = min(n_leads, lo + LEAD_SLICE)
        co.writer.csv(
            "crm/wk_crm_leads.csv",
            build_leads(
                mkt,
                lead_to_customer,
                pop,
                co.contacts,
                lead_names,
                co.all_reps,
                lo,
                hi,
                rng,
                co.cfg.problems.mixed_date_format,
            ),
            CRM,
        )
    co.truth.append(
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


def _plant_truncated_file(writer: ExtractWriter, daily_drops: bool) -> None:
    """Cut a receipts file off in the middle of its last row (a planted problem)."""
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


def _write_readme_and_manifest(out_dir: Path, truth: TruthWriter, summary: dict) -> None:
    """truth/README.md and truth/manifest.json (the summary without its timing)."""
    truth.readme(
        README.format(
            scale=summary["scale"],
            seed=summary["seed"],
            start=summary["start"],
            end=summary["end"],
            mode="daily drops" if summary["daily_drops"] else "full extracts",
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
