"""CRM customer records with planted duplicates, their custom fields and their contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings
from simulator.contacts import POSTS, PrimaryContacts
from simulator.identity_noise import IdentityNoise
from simulator.ids import IdCounters
from simulator.marketing import CHANNELS
from simulator.names import (
    INDUSTRIES,
    REGIONS,
    branch_name,
    mobiles,
    person_names,
    personal_email,
    swap_brackets,
    swap_suffix,
    to_fullwidth,
    typo_name,
)
from simulator.population import LEVEL_BY_SIZE, Population
from simulator.problems import flag
from simulator.scales import ProblemRates
from simulator.variants import (
    LANDLINE_STYLES,
    MOBILE_STYLES,
    TAX_TYPOS,
    char_typo,
    english_variant,
    format_mobile_style,
    group_variant,
    legal_form_variant,
    marker_variant,
    region_variant,
    tax_id_typo,
)

# how a duplicate's name differs from the record it duplicates (a real CRM mixes them all)
VARIANTS = [
    "fullwidth", "bracket", "suffix", "branch", "typo", "other_contact",
    "region", "english", "group", "char_typo", "marker",
]  # fmt: skip
VARIANT_P = [0.06, 0.08, 0.12, 0.08, 0.1, 0.12, 0.14, 0.07, 0.06, 0.09, 0.08]
# how the primary CRM name differs from the official (ERP) name, for PRIMARY_VARIANT_RATE
PRIMARY_VARIANTS = ["bracket", "suffix", "fullwidth", "region", "english", "group", "char_typo"]
PRIMARY_VARIANT_P = [0.12, 0.2, 0.08, 0.25, 0.12, 0.1, 0.13]
PRIMARY_VARIANT_RATE = 0.22
TAX_TYPO_RATE = 0.1  # entered credit codes with a typo (see variants.TAX_TYPOS)
DUPLICATE_TAX_RATE = 0.35  # duplicates whose rep typed the credit code in again
DUPLICATE_LANDLINE_RATE = 0.5
CONSENT_RATE = 0.7  # contacts who agreed to marketing messages when they were created
OPT_OUT_RATE = 0.12  # of those, the share who unsubscribe later


@dataclass
class CrmCustomers:
    """Frames written for the CRM customer side plus identity truth rows."""

    customers: pl.DataFrame
    custom_data: pl.DataFrame
    contacts: pl.DataFrame
    identity: pl.DataFrame
    primary_contact_id: np.ndarray  # per local customer


def _variant_name(
    name: str, variant: str, pick: int, branch_city: str, pinyin: str = ""
) -> tuple[str, str]:
    """Apply a duplicate variant; fall back when a name has nothing to vary."""
    varied = {
        "region": lambda: region_variant(name, pick),
        "english": lambda: english_variant(name, pinyin, pick),
        "group": lambda: group_variant(name),
        "char_typo": lambda: char_typo(name, pick),
        "marker": lambda: marker_variant(name, pick, deleted=False),
    }
    if variant in varied:
        other = varied[variant]()
        if other != name:
            return other, variant
        variant = "suffix"
    if variant == "fullwidth":
        wide = to_fullwidth(name)
        if wide != name:
            return wide, variant
        variant = "bracket"
    if variant == "bracket":
        swapped = swap_brackets(name)
        if swapped != name:
            return swapped, variant
        variant = "suffix"
    if variant == "suffix":
        return legal_form_variant(name, pick) if pinyin else swap_suffix(name, pick), variant
    if variant == "branch":
        return branch_name(name, branch_city), variant
    if variant == "typo":
        return typo_name(name, pick), variant
    return name, variant


def build_crm_customers(
    pop: Population,
    contacts: PrimaryContacts,
    addresses: list[str],
    erp_code: np.ndarray,
    deal_day: np.ndarray,
    last_followup: np.ndarray,
    rates: ProblemRates,
    rng: np.random.Generator,
    ids: IdCounters,
    dup_id_base: int,
    end_day: int,
    rep_pool: np.ndarray,
    noise: IdentityNoise,
) -> CrmCustomers:
    """wk_crm_customer (+ duplicates), wk_crm_customer_data and wk_crm_contacts for a chunk.

    ``deal_day`` is the day of the first won contract (-1 if none), ``last_followup`` epoch
    seconds of the last follow-up (-1 if none).
    """
    n = len(pop.true_id)
    end_sec = (end_day + 1) * 86400 - 1
    create_sec = pop.acquired_day * 86400 + pop.acquired_second
    messy = rng.random(n) < 0.15
    # Companies sometimes sit in the CRM under a variant of their official name.
    primary_name = list(pop.names)
    primary_variant = np.full(n, "original", dtype=object)
    vr = noise.rng
    rng.random(n)  # the draw that once chose the varied names, kept so the stream stays put
    picks = rng.integers(0, 1000, n)
    off = (vr.random(n) < PRIMARY_VARIANT_RATE) & (pop.kind == 0)
    p_kind = vr.choice(len(PRIMARY_VARIANTS), n, p=PRIMARY_VARIANT_P)
    for i in np.flatnonzero(off).tolist():
        v = PRIMARY_VARIANTS[p_kind[i]]
        primary_name[i], primary_variant[i] = _variant_name(
            pop.names[i], v, int(picks[i]), "", pop.brand_pinyin[i]
        )
        if primary_name[i] == pop.names[i]:
            primary_variant[i] = "original"

    # Duplicates: another rep enters the same company again, later.
    dup = rng.random(n) < rates.crm_duplicate
    deleted = rng.random(n) < rates.soft_delete
    d_src = np.r_[np.flatnonzero(dup), np.flatnonzero(deleted)]
    d_kind = np.r_[
        rng.choice(len(VARIANTS), int(dup.sum()), p=VARIANT_P), np.full(int(deleted.sum()), -1)
    ]
    order = np.argsort(d_src, kind="stable")
    d_src, d_kind = d_src[order], d_kind[order]
    n_dup = len(d_src)
    d_id = ids.take("crm_duplicate", n_dup, first=dup_id_base)
    d_create = np.minimum(
        create_sec[d_src] + rng.integers(5, 400, n_dup) * 86400 + rng.integers(0, 36000, n_dup),
        end_sec - 3600,
    )
    d_name, d_variant, d_mobile, d_email = [], [], [], []
    new_mob = mobiles(rng, n_dup)
    _people, new_py = person_names(rng, n_dup)
    cities = rng.integers(0, len(REGIONS), n_dup)
    for j in range(n_dup):
        i = int(d_src[j])
        if d_kind[j] < 0:
            d_name.append(marker_variant(primary_name[i], j, deleted=True))
            d_variant.append("deleted")
        else:
            name, v = _variant_name(
                primary_name[i],
                VARIANTS[d_kind[j]],
                int(picks[i]) + j,
                REGIONS[cities[j]][0],
                pop.brand_pinyin[i],
            )
            d_name.append(name)
            d_variant.append(v)
        if d_variant[-1] == "other_contact":
            d_mobile.append(str(new_mob[j]))
            d_email.append(personal_email(new_py[j], int(new_mob[j])))
        else:
            style = MOBILE_STYLES[int(vr.integers(0, len(MOBILE_STYLES)))]
            d_mobile.append(format_mobile_style(str(contacts.mobile[i]), style))
            d_email.append(contacts.email[i])

    m_style = vr.integers(1, len(MOBILE_STYLES), n)
    prim_mobile = [
        format_mobile_style(str(m), MOBILE_STYLES[s] if x else "plain")
        for m, x, s in zip(contacts.mobile.tolist(), messy, m_style.tolist(), strict=True)
    ]
    rng.integers(2 * 10**7, 10**8, n)  # the draw that once made the landlines (now in noise)
    l_style = [LANDLINE_STYLES[k] for k in vr.integers(0, len(LANDLINE_STYLES), n).tolist()]
    landline = [noise.phones.landline_text(i, l_style[i]) for i in range(n)]
    d_style = [LANDLINE_STYLES[k] for k in vr.integers(0, len(LANDLINE_STYLES), n_dup).tolist()]
    d_has_landline = vr.random(n_dup) < DUPLICATE_LANDLINE_RATE
    d_landline = [
        noise.phones.landline_text(int(d_src[j]), d_style[j]) if d_has_landline[j] else ""
        for j in range(n_dup)
    ]
    last = np.where(last_followup > 0, last_followup, -1)
    pool = (last > 0) & (last < end_sec - 180 * 86400)
    status = np.where(rng.random(n) < 0.03, 2, 1)
    deal = deal_day >= 0
    deal_sec = np.where(deal, deal_day * 86400 + 10 * 3600, -1)
    update_sec = np.maximum(np.maximum(create_sec, last), deal_sec)

    def dt_or_empty(sec: np.ndarray) -> pl.Series:
        return datetime_strings(np.maximum(sec, 0)).set(pl.Series(sec < 0), None)

    prim = pl.DataFrame(
        {
            "customer_id": pop.crm_id,
            "customer_name": primary_name,
            "owner_user_id": pop.rep,
            "deal_status": deal.astype(np.int64),
            "deal_time": dt_or_empty(deal_sec),
            "mobile": prim_mobile,
            "telephone": np.where(pop.kind == 0, np.array(landline, dtype=object), "").astype(str),
            "email": contacts.email,
            "address": addresses,
            "status": status,
            "create_time": datetime_strings(create_sec),
            "update_time": datetime_strings(update_sec),
            "last_time": dt_or_empty(last),
            "pool_time": dt_or_empty(np.where(pool, last + 90 * 86400, -1)),
            "_sec": create_sec,
            "_true": pop.true_id,
            "_problem": pl.Series([None] * n, dtype=pl.String),
            "_column": pl.Series([None] * n, dtype=pl.String),
            "_detail": pl.Series([None] * n, dtype=pl.String),
        }
    )
    dups = pl.DataFrame(
        {
            "customer_id": d_id,
            "customer_name": d_name,
            "owner_user_id": rng.choice(rep_pool, n_dup) if n_dup else np.zeros(0, np.int64),
            "deal_status": np.zeros(n_dup, dtype=np.int64),
            "deal_time": pl.Series([None] * n_dup, dtype=pl.String),
            "mobile": d_mobile,
            "telephone": np.array(d_landline, dtype=object).astype(str)
            if n_dup
            else np.full(0, ""),
            "email": d_email,
            "address": [addresses[i] for i in d_src.tolist()],
            "status": np.where(np.array(d_variant) == "deleted", 3, 1).astype(np.int64),
            "create_time": datetime_strings(d_create),
            "update_time": datetime_strings(d_create),
            "last_time": pl.Series([None] * n_dup, dtype=pl.String),
            "pool_time": pl.Series([None] * n_dup, dtype=pl.String),
            "_sec": d_create,
            "_true": pop.true_id[d_src],
            "_problem": np.where(np.array(d_variant) == "deleted", "soft_delete", "crm_duplicate")
            if n_dup
            else np.zeros(0, dtype=str),
            "_column": flag(np.array(d_variant) == "deleted", "status"),
            "_detail": [
                f"{v}; duplicate of customer_id {pop.crm_id[i]}"
                for v, i in zip(d_variant, d_src.tolist(), strict=True)
            ],
        },
        schema_overrides={"_column": pl.String},
    )

    # Which shared keys the CRM carries: the ERP code field, the tax id field, or nothing.
    in_erp = erp_code != ""
    none = in_erp & (rng.random(n) < rates.no_shared_key)
    has_tax = np.array([t != "" for t in pop.tax_id], dtype=bool)
    share_code = rates.erp_code_in_crm / max(1e-9, 1 - rates.no_shared_key)
    give_code = in_erp & ~none & (rng.random(n) < share_code)
    give_tax = has_tax & ~none & (rng.random(n) < 0.55)
    give_code |= in_erp & ~none & ~give_tax  # the rest need at least one key
    # a branch with its own credit code whose rep typed the parent's ERP code (a hard negative)
    hard = noise.hard
    claimed = erp_code.copy()
    wrong = hard.parent_code & ~none & (hard.partner >= 0)
    wrong &= erp_code[np.maximum(hard.partner, 0)] != ""
    claimed[wrong] = erp_code[hard.partner[wrong]]
    give_code |= wrong
    give_tax |= wrong & has_tax  # the branch's own code sits beside the wrong ERP code
    # credit codes as typed: a share carry a typo (the truth names which)
    tax_typed = np.array(pop.tax_id, dtype=object)
    tax_variant = np.full(n, "", dtype=object)
    typo = give_tax & (vr.random(n) < TAX_TYPO_RATE)
    typo_kind = vr.integers(0, len(TAX_TYPOS), n)
    for i in np.flatnonzero(typo).tolist():
        tax_variant[i] = TAX_TYPOS[typo_kind[i]]
        tax_typed[i] = tax_id_typo(pop.tax_id[i], tax_variant[i], int(picks[i]))
    # duplicates: some reps type the credit code again (with the same typo rate)
    d_tax = np.array([pop.tax_id[i] for i in d_src.tolist()], dtype=object)
    d_give_tax = (d_tax != "") & ~none[d_src] & (vr.random(n_dup) < DUPLICATE_TAX_RATE)
    d_tax_variant = np.full(n_dup, "", dtype=object)
    d_typo = d_give_tax & (vr.random(n_dup) < TAX_TYPO_RATE)
    d_typo_kind = vr.integers(0, len(TAX_TYPOS), n_dup)
    for j in np.flatnonzero(d_typo).tolist():
        d_tax_variant[j] = TAX_TYPOS[d_typo_kind[j]]
        d_tax[j] = tax_id_typo(d_tax[j], d_tax_variant[j], j)
    no_key = pl.Series(none)
    prim = prim.with_columns(
        pl.when(pl.Series(wrong))
        .then(pl.lit("wrong_erp_code"))
        .otherwise(pl.col("_problem"))
        .alias("_problem"),
        pl.when(pl.Series(wrong))
        .then(pl.concat_str([pl.lit("branch carries the parent's ERP code "), pl.Series(claimed)]))
        .otherwise(pl.col("_detail"))
        .alias("_detail"),
    )
    prim = prim.with_columns(
        pl.when(no_key)
        .then(pl.lit("no_shared_key"))
        .otherwise(pl.col("_problem"))
        .alias("_problem"),
        pl.when(no_key)
        .then(pl.concat_str([pl.lit("ERP 客户编码 "), pl.Series(erp_code)]))
        .otherwise(pl.col("_detail"))
        .alias("_detail"),
    )
    customers = pl.concat([prim, dups]).sort("_sec", "customer_id")
    customers = customers.with_columns(
        pl.col("customer_id").map_elements(_batch_id, return_dtype=pl.String).alias("batch_id"),
        date_series(customers["_sec"].to_numpy() // 86400).alias("_drop"),
    )
    customers = customers.select(
        [
            "customer_id",
            "customer_name",
            "owner_user_id",
            "deal_status",
            "deal_time",
            "mobile",
            "telephone",
            "email",
            "address",
            "status",
            "create_time",
            "update_time",
            "last_time",
            "pool_time",
            "batch_id",
            "_drop",
            "_problem",
            "_column",
            "_detail",
            "_true",
        ]
    )

    custom = _custom_data(
        pop,
        prim["customer_id"].to_numpy(),
        d_id,
        d_src,
        claimed,
        give_code,
        (tax_typed, give_tax, d_tax, d_give_tax),
        rng,
        create_sec,
        d_create,
        ids,
    )
    contacts_df, primary_cid = _contacts(pop, contacts, prim_mobile, create_sec, rng, ids, end_sec)
    identity = pl.DataFrame(
        {
            "true_customer_id": np.r_[pop.true_id, pop.true_id[d_src]],
            "system": "crm",
            "record_id": np.r_[pop.crm_id, d_id].astype(str),
            "record_name": primary_name + d_name,
            "variant": np.r_[primary_variant.astype(str), np.array(d_variant, dtype=str)]
            if n_dup
            else primary_variant.astype(str),
            "is_primary": np.r_[np.ones(n, bool), np.zeros(n_dup, bool)],
            "phone_format": [
                f"landline:{x}" if t else "" for x, t in zip(l_style, landline, strict=True)
            ]
            + [f"landline:{x}" if t else "" for x, t in zip(d_style, d_landline, strict=True)],
            "tax_id_variant": np.r_[tax_variant, d_tax_variant].astype(str),
            "hard_negative": np.r_[hard.kind, hard.kind[d_src]].astype(str),
        }
    )
    return CrmCustomers(customers.drop("_true"), custom, contacts_df, identity, primary_cid)


def _batch_id(customer_id: int) -> str:
    # WukongCRM batch ids are 32 hex characters; derive them from the id so they are stable.
    x = (customer_id * 0x9E3779B97F4A7C15) % (1 << 64)
    y = (customer_id * 0xC2B2AE3D27D4EB4F + 0x165667B19E3779F9) % (1 << 64)
    return f"{x:016x}{y:016x}"


def _custom_data(
    pop, crm_ids, d_id, d_src, erp_code, give_code, taxes, rng, create_sec, d_create, ids
) -> pl.DataFrame:
    """One row per (customer, custom field) present, keyed by batch_id."""
    tax, give_tax, d_tax, d_give_tax = taxes
    src_label = np.array([c.label for c in CHANNELS])
    ind_label = np.array([x[1] for x in INDUSTRIES])
    level = np.array(LEVEL_BY_SIZE)[pop.size]
    parts = [
        (crm_ids, 1, "客户来源", src_label[pop.source_channel], create_sec),
        (crm_ids, 2, "客户行业", ind_label[pop.industry], create_sec),
        (crm_ids, 3, "客户级别", level, create_sec),
        (crm_ids[give_code], 4, "ERP客户编码", erp_code[give_code], create_sec[give_code]),
        (crm_ids[give_tax], 5, "纳税人识别号", tax[give_tax].astype(str), create_sec[give_tax]),
        (d_id, 1, "客户来源", src_label[rng.integers(0, len(CHANNELS), len(d_id))], d_create),
        (d_id, 2, "客户行业", ind_label[pop.industry[d_src]], d_create),
        (d_id[d_give_tax], 5, "纳税人识别号", d_tax[d_give_tax].astype(str), d_create[d_give_tax]),
    ]
    frames = []
    for cid, field_id, name, value, sec in parts:
        frames.append(
            pl.DataFrame(
                {
                    "_cid": np.asarray(cid, dtype=np.int64),
                    "field_id": np.full(len(cid), field_id, dtype=np.int64),
                    "name": np.full(len(cid), name),
                    "value": np.asarray(value).astype(str),
                    "_sec": np.asarray(sec, dtype=np.int64),
                }
            )
        )
    df = pl.concat(frames).sort("_sec", "_cid", "field_id")
    return df.with_columns(
        pl.Series("id", ids.take("customer_data", df.height)),
        pl.col("_cid").map_elements(_batch_id, return_dtype=pl.String).alias("batch_id"),
        date_series(df["_sec"].to_numpy() // 86400).alias("_drop"),
    ).select(["id", "batch_id", "field_id", "name", "value", "_drop"])


def _contacts(pop, contacts, prim_mobile, create_sec, rng, ids, end_sec):
    """Primary contact per customer plus extra contacts added over time."""
    n = len(pop.true_id)
    extra = np.where(pop.kind == 0, rng.poisson(0.8, n), 0)
    owner = np.r_[np.arange(n), np.repeat(np.arange(n), extra)]
    k = len(owner) - n
    names, pys = person_names(rng, k)
    mob = mobiles(rng, k)
    nums = rng.integers(10**5, 10**10, k)
    sec = np.r_[
        create_sec,
        np.minimum(create_sec[owner[n:]] + rng.integers(1, 700, k) * 86400, end_sec - 7200),
    ]
    post = np.r_[rng.choice([0, 1, 4], n), rng.integers(0, len(POSTS), k)]
    df = pl.DataFrame(
        {
            "customer_id": pop.crm_id[owner],
            "name": contacts.name + names,
            "mobile": prim_mobile + [str(x) for x in mob.tolist()],
            "email": contacts.email
            + [personal_email(p, int(x)) for p, x in zip(pys, nums.tolist(), strict=True)],
            "post": np.where(pop.kind[owner] == 1, "", np.array(POSTS)[post]),
            "_sec": sec,
            "_o": owner,
        }
    ).sort("_sec", "_o")
    cid = ids.take("contacts", df.height)
    df = df.with_columns(pl.Series("contacts_id", cid))
    primary = df.filter(pl.col("_o").is_first_distinct()).sort("_o")["contacts_id"].to_numpy()
    created = df["_sec"].to_numpy()
    upd = np.minimum(created + rng.integers(0, 30, df.height) * 86400, end_sec)
    # Consent is asked when a contact is created; some withdraw it later (an opt-out).
    consent = rng.random(df.height) < CONSENT_RATE
    opt_out_sec = created + rng.integers(30, 900, df.height) * 86400 + rng.integers(0, 36000)
    opted_out = consent & (rng.random(df.height) < OPT_OUT_RATE) & (opt_out_sec <= end_sec)
    upd = np.where(opted_out, np.maximum(upd, opt_out_sec), upd)
    df = df.with_columns(
        pl.Series("marketing_consent", (consent & ~opted_out).astype(np.int64)),
        datetime_strings(opt_out_sec).set(pl.Series(~opted_out), None).alias("unsubscribe_time"),
        datetime_strings(created).alias("create_time"),
        datetime_strings(upd).alias("update_time"),
        date_series(df["_sec"].to_numpy() // 86400).alias("_drop"),
    ).select(
        [
            "contacts_id",
            "customer_id",
            "name",
            "mobile",
            "email",
            "post",
            "marketing_consent",
            "unsubscribe_time",
            "create_time",
            "update_time",
            "_drop",
        ]
    )
    return df, primary
