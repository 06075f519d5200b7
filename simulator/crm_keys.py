"""Which shared keys a CRM record carries (ERP code, credit code, none) and its custom fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series
from simulator.crm_duplicates import Duplicates
from simulator.identity_noise import IdentityNoise
from simulator.ids import IdCounters, batch_id
from simulator.marketing import CHANNELS
from simulator.names import INDUSTRIES
from simulator.population import LEVEL_BY_SIZE, Population
from simulator.scales import ProblemRates
from simulator.variants import TAX_TYPOS, tax_id_typo

TAX_TYPO_RATE = 0.1  # entered credit codes with a typo (see variants.TAX_TYPOS)
DUPLICATE_TAX_RATE = 0.35  # duplicates whose rep typed the credit code in again


@dataclass
class SharedKeys:
    """The ERP code and credit code fields as the CRM holds them, per record."""

    none: np.ndarray  # an ERP customer whose CRM record carries no shared key (planted)
    give_code: np.ndarray  # the record carries an ERP code
    give_tax: np.ndarray  # the record carries a credit code
    claimed: np.ndarray  # the ERP code it carries ("" when none)
    wrong: np.ndarray  # a branch carrying its parent's ERP code (a hard negative)
    tax_typed: np.ndarray  # credit codes as typed
    tax_variant: np.ndarray  # the typo planted in it, "" when none
    d_tax: np.ndarray  # the same for the duplicates
    d_give_tax: np.ndarray
    d_tax_variant: np.ndarray


def draw_shared_keys(
    pop: Population,
    erp_code: np.ndarray,
    dups: Duplicates,
    picks: np.ndarray,
    rates: ProblemRates,
    rng: np.random.Generator,
    noise: IdentityNoise,
) -> SharedKeys:
    """Which shared keys the CRM carries: the ERP code field, the tax id field, or nothing."""
    n, n_dup = len(pop.true_id), len(dups.src)
    d_src = dups.src
    vr = noise.rng
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
    return SharedKeys(
        none,
        give_code,
        give_tax,
        claimed,
        wrong,
        tax_typed,
        tax_variant,
        d_tax,
        d_give_tax,
        d_tax_variant,
    )


def custom_data(
    pop: Population,
    crm_ids: np.ndarray,
    dups: Duplicates,
    keys: SharedKeys,
    rng: np.random.Generator,
    create_sec: np.ndarray,
    ids: IdCounters,
) -> pl.DataFrame:
    """One row per (customer, custom field) present, keyed by batch_id."""
    tax, give_tax, d_tax, d_give_tax = keys.tax_typed, keys.give_tax, keys.d_tax, keys.d_give_tax
    d_id, d_src, d_create = dups.id, dups.src, dups.create_sec
    erp_code, give_code = keys.claimed, keys.give_code
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
        pl.col("_cid").map_elements(batch_id, return_dtype=pl.String).alias("batch_id"),
        date_series(df["_sec"].to_numpy() // 86400).alias("_drop"),
    ).select(["id", "batch_id", "field_id", "name", "value", "_drop"])
