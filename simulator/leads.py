"""CRM leads (wk_crm_leads): every lead the channels produced, converted or not."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings
from simulator.columns import take
from simulator.contacts import PrimaryContacts
from simulator.marketing import CHANNEL_KEYS, CHANNELS, Marketing
from simulator.names import mobiles, person_names, personal_email
from simulator.population import LeadNames, Population
from simulator.problems import flag, flag_values

LEAD_ID_BASE = 200_000
UTM_LOSS = 0.10  # forms whose UTM parameters got lost on the way


def lead_ids(n: int) -> np.ndarray:
    """CRM leads_id of the leads 0..n-1 (leads are numbered in time order)."""
    return LEAD_ID_BASE + np.arange(1, n + 1, dtype=np.int64)


def build_leads(
    m: Marketing,
    lead_to_customer: np.ndarray,
    pop: Population,
    contacts: PrimaryContacts,
    lead_names: LeadNames,
    all_reps: np.ndarray,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    mixed_rate: float,
) -> pl.DataFrame:
    """Rows lo..hi-1 of wk_crm_leads."""
    idx = np.arange(lo, hi)
    cust = lead_to_customer[idx]
    conv = cust >= 0
    unconv_pos = np.cumsum(lead_to_customer < 0) - 1
    k = len(idx)
    people, pys = person_names(rng, k)
    mob = mobiles(rng, k)
    # Converted leads carry the customer's name and primary contact; the others their own.
    conv_at = np.flatnonzero(conv)
    own_at = np.flatnonzero(~conv)
    c = cust[conv_at]
    p = unconv_pos[idx[own_at]]
    names = _merge(k, conv_at, take(pop.names, c), own_at, take(lead_names.names, p))
    contact = _merge(k, conv_at, take(contacts.name, c), own_at, take(people, own_at))
    mobile = _merge(
        k,
        conv_at,
        pl.Series(contacts.mobile[c]).cast(pl.String),
        own_at,
        pl.Series(mob[own_at]).cast(pl.String),
    )
    own_mail = [personal_email(pys[j], int(mob[j])) for j in own_at.tolist()]
    email = _merge(
        k, conv_at, take(contacts.email, c), own_at, pl.Series(own_mail, dtype=pl.String)
    )
    sec = m.lead_day[idx] * 86400 + m.lead_second[idx]
    conv_sec = np.where(
        conv,
        pop.acquired_day[np.maximum(cust, 0)] * 86400 + pop.acquired_second[np.maximum(cust, 0)],
        sec,
    )
    ch = m.lead_channel[idx]
    utm = np.array(CHANNEL_KEYS, dtype=object)[ch]
    utm[rng.random(k) < UTM_LOSS] = ""
    created = datetime_strings(sec).to_numpy().astype(object)
    mixed = rng.random(k) < mixed_rate
    style = rng.integers(0, 2, k)
    detail = np.full(k, None, dtype=object)
    for j in np.flatnonzero(mixed).tolist():
        if style[j] == 0:
            created[j] = str(int(sec[j]) - 8 * 3600)  # Unix seconds (UTC) of the Beijing time
            detail[j] = "unix_seconds"
        else:
            created[j] = created[j][:16].replace("-", "/")
            detail[j] = "slash_minutes"
    owner = np.where(conv, pop.rep[np.maximum(cust, 0)], rng.choice(all_reps, k))
    return pl.DataFrame(
        {
            "leads_id": lead_ids(hi)[lo:hi],
            "leads_name": names,
            "customer_id": pl.Series(np.where(conv, pop.crm_id[np.maximum(cust, 0)], 0)).set(
                pl.Series(~conv), None
            ),
            "contact_name": contact,
            "mobile": mobile,
            "email": email,
            "source": np.array([c.label for c in CHANNELS])[ch],
            "utm_source": utm.astype(str),
            "owner_user_id": owner,
            "is_transform": conv.astype(np.int64),
            "status": np.ones(k, np.int64),
            "create_time": created.astype(str),
            "update_time": datetime_strings(conv_sec),
            "_drop": date_series(m.lead_day[idx]),
            "_problem": flag(mixed, "mixed_date_format"),
            "_column": flag(mixed, "create_time"),
            "_detail": flag_values(mixed, detail),
        }
    )


def _merge(n: int, at_a: np.ndarray, a: pl.Series, at_b: np.ndarray, b: pl.Series) -> pl.Series:
    """A length-``n`` String series with ``a`` at positions ``at_a`` and ``b`` at ``at_b``."""
    out = pl.repeat("", n, eager=True, dtype=pl.String)
    if len(at_a):
        out = out.scatter(at_a, a)
    if len(at_b):
        out = out.scatter(at_b, b)
    return out
