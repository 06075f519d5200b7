"""CRM contacts (wk_crm_contacts): a primary contact per customer, more over time, consent."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings
from simulator.contacts import POSTS, PrimaryContacts
from simulator.ids import IdCounters
from simulator.names import mobiles, person_names, personal_email
from simulator.population import Population

CONSENT_RATE = 0.7  # contacts who agreed to marketing messages when they were created
OPT_OUT_RATE = 0.12  # of those, the share who unsubscribe later


def crm_contacts(
    pop: Population,
    contacts: PrimaryContacts,
    prim_mobile: list[str],
    create_sec: np.ndarray,
    rng: np.random.Generator,
    ids: IdCounters,
    end_sec: int,
) -> tuple[pl.DataFrame, np.ndarray]:
    """Primary contact per customer plus extra contacts added over time.

    Returns wk_crm_contacts and the primary contact id per local customer.
    """
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
