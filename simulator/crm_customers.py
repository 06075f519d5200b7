"""CRM customer records (wk_crm_customer) with planted duplicates, custom fields and contacts.

The parts live beside it: names and duplicates in ``crm_duplicates``, shared keys and custom
fields in ``crm_keys``, contacts in ``crm_contacts``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings
from simulator.contacts import PrimaryContacts
from simulator.crm_contacts import crm_contacts
from simulator.crm_duplicates import (
    Duplicates,
    Phones,
    draw_duplicates,
    draw_phones,
    primary_names,
)
from simulator.crm_keys import SharedKeys, custom_data, draw_shared_keys
from simulator.hard_negatives import HardNegatives
from simulator.identity_noise import IdentityNoise
from simulator.ids import IdCounters, batch_id
from simulator.population import Population
from simulator.problems import flag
from simulator.scales import ProblemRates

# wk_crm_customer as written, then the truth columns the writer strips or keeps aside
CUSTOMER_COLUMNS = [
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


@dataclass
class CrmCustomers:
    """Frames written for the CRM customer side plus identity truth rows."""

    customers: pl.DataFrame
    custom_data: pl.DataFrame
    contacts: pl.DataFrame
    identity: pl.DataFrame
    primary_contact_id: np.ndarray  # per local customer


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
    primary_name, primary_variant, picks = primary_names(pop, rng, noise)
    dups = draw_duplicates(
        pop, contacts, primary_name, picks, create_sec, end_sec, rates, rng, noise, ids, dup_id_base
    )
    d_src, d_id, d_create, d_name, d_variant = (
        dups.src, dups.id, dups.create_sec, dups.name, dups.variant
    )  # fmt: skip
    n_dup = len(d_src)
    phones = draw_phones(contacts, messy, dups, rng, noise)
    prim_mobile, landline, d_landline = phones.prim_mobile, phones.landline, phones.d_landline
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
    dup_rows = pl.DataFrame(
        {
            "customer_id": d_id,
            "customer_name": d_name,
            "owner_user_id": rng.choice(rep_pool, n_dup) if n_dup else np.zeros(0, np.int64),
            "deal_status": np.zeros(n_dup, dtype=np.int64),
            "deal_time": pl.Series([None] * n_dup, dtype=pl.String),
            "mobile": dups.mobile,
            "telephone": np.array(d_landline, dtype=object).astype(str)
            if n_dup
            else np.full(0, ""),
            "email": dups.email,
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

    keys = draw_shared_keys(pop, erp_code, dups, picks, rates, rng, noise)
    none, wrong, claimed, hard = keys.none, keys.wrong, keys.claimed, noise.hard
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
    customers = pl.concat([prim, dup_rows]).sort("_sec", "customer_id")
    customers = customers.with_columns(
        pl.col("customer_id").map_elements(batch_id, return_dtype=pl.String).alias("batch_id"),
        date_series(customers["_sec"].to_numpy() // 86400).alias("_drop"),
    )
    customers = customers.select(CUSTOMER_COLUMNS)

    custom = custom_data(pop, prim["customer_id"].to_numpy(), dups, keys, rng, create_sec, ids)
    contacts_df, primary_cid = crm_contacts(
        pop, contacts, prim_mobile, create_sec, rng, ids, end_sec
    )
    identity = _identity_rows(pop, primary_name, primary_variant, dups, phones, keys, hard)
    return CrmCustomers(customers.drop("_true"), custom, contacts_df, identity, primary_cid)


def _phone_formats(styles: list[str], landlines: list[str]) -> list[str]:
    """The landline style per record for the identity truth, "" where it has no landline."""
    return [f"landline:{x}" if t else "" for x, t in zip(styles, landlines, strict=True)]


def _identity_rows(
    pop: Population,
    primary_name: list[str],
    primary_variant: np.ndarray,
    dups: Duplicates,
    phones: Phones,
    keys: SharedKeys,
    hard: HardNegatives,
) -> pl.DataFrame:
    """identity.parquet rows of the chunk's CRM records: primaries, then duplicates."""
    n, n_dup, d_src = len(pop.true_id), len(dups.src), dups.src
    d_id, d_name, d_variant = dups.id, dups.name, dups.variant
    return pl.DataFrame(
        {
            "true_customer_id": np.r_[pop.true_id, pop.true_id[d_src]],
            "system": "crm",
            "record_id": np.r_[pop.crm_id, d_id].astype(str),
            "record_name": primary_name + d_name,
            "variant": np.r_[primary_variant.astype(str), np.array(d_variant, dtype=str)]
            if n_dup
            else primary_variant.astype(str),
            "is_primary": np.r_[np.ones(n, bool), np.zeros(n_dup, bool)],
            "phone_format": _phone_formats(phones.landline_style, phones.landline)
            + _phone_formats(phones.d_landline_style, phones.d_landline),
            "tax_id_variant": np.r_[keys.tax_variant, keys.d_tax_variant].astype(str),
            "hard_negative": np.r_[hard.kind, hard.kind[d_src]].astype(str),
        }
    )
