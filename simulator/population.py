"""The true customers: who they are and the latent behaviour that drives their data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.marketing import CHANNELS, Marketing
from simulator.names import (
    REGIONS,
    company_names,
    name_space_per_region,
    person_names,
)
from simulator.scales import ScaleConfig
from simulator.tax_id import make_uscc

SIZES = ["micro", "small", "medium", "large"]
SIZE_P = [0.35, 0.35, 0.22, 0.08]
LEVEL_BY_SIZE = ["C", "C", "B", "A"]
EXISTING_SHARE = 0.25  # customers acquired before the period starts
INDIVIDUAL_SHARE = 0.08
BUYER_SHARE = 0.82  # of newly acquired customers; the rest stay prospects


@dataclass
class Population:
    """One entry per true customer (index = true_customer_id - 1), sorted by acquisition."""

    true_id: np.ndarray
    kind: np.ndarray  # 0 company, 1 individual
    region: np.ndarray
    industry: np.ndarray
    size: np.ndarray
    channel: np.ndarray  # index into CHANNELS, -1 = existing before the period
    source_channel: np.ndarray  # the 客户来源 recorded in the CRM (existing ones get one too)
    acquired_day: np.ndarray
    acquired_second: np.ndarray
    lead_index: np.ndarray  # index into the lead arrays, -1 if none
    is_buyer: np.ndarray
    purchase_rate: np.ndarray
    spend_level: np.ndarray
    base_hazard: np.ndarray
    delay_propensity: np.ndarray  # mean days a payment is late
    ticket_rate: np.ndarray
    followup_rate: np.ndarray
    followup_fade: np.ndarray
    rep: np.ndarray  # owner user id
    crm_id: np.ndarray
    names: list[str]
    brand_pinyin: list[str]
    tax_id: list[str]  # "" for individuals and companies without one


@dataclass
class LeadNames:
    """Names typed into lead forms by leads that never became customers."""

    names: list[str]
    brand_pinyin: list[str]
    is_person: np.ndarray


def build_population(
    cfg: ScaleConfig,
    rng: np.random.Generator,
    m: Marketing,
    start_day: int,
    end_day: int,
    reps_by_region_group: dict[str, np.ndarray],
) -> tuple[Population, np.ndarray, LeadNames]:
    """Draw the true customers from the converted leads plus the pre-existing base.

    Returns the population, the lead -> true customer index map (-1 = never converted) and the
    names of the unconverted leads.
    """
    n_leads = len(m.lead_day)
    conv = np.array([c.conversion for c in CHANNELS])[m.lead_channel]
    lag = 3 + rng.exponential(25.0, n_leads).astype(np.int64)
    converts = (rng.random(n_leads) < conv) & (m.lead_day + lag <= end_day)
    new_leads = np.flatnonzero(converts)
    n_exist = round(cfg.customers * EXISTING_SHARE)
    n = n_exist + len(new_leads)

    acquired = np.concatenate(
        [start_day - rng.integers(1, 730, n_exist), (m.lead_day + lag)[new_leads]]
    )
    channel = np.concatenate([np.full(n_exist, -1), m.lead_channel[new_leads]])
    lead_index = np.concatenate([np.full(n_exist, -1), new_leads])
    order = np.argsort(acquired, kind="stable")
    acquired, channel, lead_index = acquired[order], channel[order], lead_index[order]
    lead_to_customer = np.full(n_leads, -1, dtype=np.int64)
    has_lead = lead_index >= 0
    lead_to_customer[lead_index[has_lead]] = np.flatnonzero(has_lead)

    source = np.where(
        channel >= 0, channel, rng.choice(len(CHANNELS), n, p=[0.1, 0.2, 0.1, 0.2, 0.25, 0.15])
    )
    kind = (rng.random(n) < INDIVIDUAL_SHARE).astype(np.int8)
    weights = np.array([r[3] for r in REGIONS])
    region = rng.choice(len(REGIONS), n, p=weights / weights.sum())
    size = np.where(kind == 1, 0, rng.choice(4, n, p=SIZE_P))

    # Names: customers and unconverted leads share one name space, so no two companies clash.
    n_lead_only = n_leads - len(new_leads)
    lead_is_person = rng.random(n_lead_only) < INDIVIDUAL_SHARE
    lead_region = rng.choice(len(REGIONS), n_lead_only, p=weights / weights.sum())
    all_region = np.concatenate([region, lead_region])
    all_company = np.concatenate([kind == 0, ~lead_is_person])
    rank = np.zeros(len(all_region), dtype=np.int64)
    comp_idx = np.flatnonzero(all_company)
    by_region = comp_idx[np.argsort(all_region[comp_idx], kind="stable")]
    sorted_regions = all_region[by_region]
    first = np.searchsorted(sorted_regions, sorted_regions, side="left")
    rank[by_region] = np.arange(len(by_region)) - first
    if rank.max(initial=0) >= name_space_per_region():
        raise ValueError("scale too large for the company name space")
    cnames, cindustry, cpinyin = company_names(
        all_region[comp_idx], rank[comp_idx], rng, salt=int(rng.integers(0, 1000))
    )
    pnames, ppinyin = person_names(rng, int((~all_company).sum()))
    all_names = [""] * len(all_region)
    all_pinyin = [""] * len(all_region)
    all_industry = rng.integers(0, 30, len(all_region))  # individuals: industry of their trade
    for j, i in enumerate(comp_idx.tolist()):
        all_names[i] = cnames[j]
        all_pinyin[i] = cpinyin[j]
        all_industry[i] = cindustry[j]
    for j, i in enumerate(np.flatnonzero(~all_company).tolist()):
        all_names[i] = pnames[j]
        all_pinyin[i] = ppinyin[j]

    # Tax ids: companies only; a few small companies never gave one.
    has_tax = (kind == 0) & (rng.random(n) < 0.96)
    org = (np.arange(n, dtype=np.int64) * 48_271 + 1_234_567) % 99_999_989
    division = np.array([REGIONS[r][1] for r in region])
    codes = make_uscc(division[has_tax], org[has_tax])
    tax_id = [""] * n
    for j, i in enumerate(np.flatnonzero(has_tax).tolist()):
        tax_id[i] = codes[j]

    size_rate = np.array([0.75, 0.9, 1.2, 1.5])[size]
    size_spend = np.array([0.45, 1.0, 2.4, 5.5])[size]
    is_buyer = (channel < 0) | (rng.random(n) < BUYER_SHARE)
    group = np.array([REGIONS[r][2] for r in region])
    rep = np.zeros(n, dtype=np.int64)
    for g, users in reps_by_region_group.items():
        sel = group == g
        rep[sel] = rng.choice(users, int(sel.sum()))
    gaps = 1 + rng.geometric(0.6, n) - 1
    crm_id = 10_000 + np.cumsum(gaps)
    fade = np.where(rng.random(n) < 0.3, rng.uniform(0.08, 0.25, n), 0.01)
    pop = Population(
        true_id=np.arange(1, n + 1, dtype=np.int64),
        kind=kind,
        region=region,
        industry=np.asarray(all_industry[:n]),
        size=size,
        channel=channel,
        source_channel=source,
        acquired_day=acquired,
        acquired_second=rng.integers(9 * 3600, 19 * 3600, n),
        lead_index=lead_index,
        is_buyer=is_buyer,
        purchase_rate=cfg.purchase_rate * size_rate * rng.lognormal(-0.08, 0.4, n),
        spend_level=size_spend * rng.lognormal(-0.08, 0.4, n),
        base_hazard=np.minimum(
            0.15, rng.lognormal(np.log(0.011), 0.6, n) * np.where(kind == 1, 1.8, 1.0)
        ),
        delay_propensity=rng.lognormal(np.log(7.0), 0.9, n),
        ticket_rate=rng.lognormal(np.log(0.07), 0.7, n),
        followup_rate=rng.lognormal(np.log(1.1), 0.4, n),
        followup_fade=fade,
        rep=rep,
        crm_id=crm_id,
        names=all_names[:n],
        brand_pinyin=all_pinyin[:n],
        tax_id=tax_id,
    )
    leads = LeadNames(all_names[n:], all_pinyin[n:], lead_is_person)
    return pop, lead_to_customer, leads


def slice_population(pop: Population, lo: int, hi: int) -> Population:
    """The customers lo..hi-1 as their own Population (a chunk)."""
    fields = {}
    for name, value in pop.__dict__.items():
        fields[name] = value[lo:hi]
    return Population(**fields)
