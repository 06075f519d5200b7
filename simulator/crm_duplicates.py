"""CRM names as reps type them: the primary record's variant of the official name, duplicates.

Every draw here comes in the order ``build_crm_customers`` always made it: the written files
stay the same for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.contacts import PrimaryContacts
from simulator.identity_noise import IdentityNoise
from simulator.ids import IdCounters
from simulator.names import (
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
from simulator.population import Population
from simulator.scales import ProblemRates
from simulator.variants import (
    LANDLINE_STYLES,
    MOBILE_STYLES,
    char_typo,
    english_variant,
    format_mobile_style,
    group_variant,
    legal_form_variant,
    marker_variant,
    region_variant,
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
DUPLICATE_LANDLINE_RATE = 0.5


@dataclass
class Duplicates:
    """Records a rep entered again for a company already in the CRM (or entered and deleted)."""

    src: np.ndarray  # local index of the duplicated customer
    id: np.ndarray  # CRM customer_id
    create_sec: np.ndarray
    name: list[str]
    variant: list[str]  # how the name differs, "deleted" for a soft-deleted copy
    mobile: list[str]
    email: list[str]


@dataclass
class Phones:
    """Mobiles and landlines as typed on the primary records and on the duplicates."""

    prim_mobile: list[str]
    landline: list[str]
    landline_style: list[str]
    d_landline: list[str]
    d_landline_style: list[str]


def variant_name(
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


def primary_names(
    pop: Population, rng: np.random.Generator, noise: IdentityNoise
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The name each company has in the CRM, how it varies from the official one, and picks.

    ``picks`` are per-customer numbers that choose among a variant's forms.
    """
    n = len(pop.true_id)
    vr = noise.rng
    primary_name = list(pop.names)
    primary_variant = np.full(n, "original", dtype=object)
    rng.random(n)  # the draw that once chose the varied names, kept so the stream stays put
    picks = rng.integers(0, 1000, n)
    off = (vr.random(n) < PRIMARY_VARIANT_RATE) & (pop.kind == 0)
    p_kind = vr.choice(len(PRIMARY_VARIANTS), n, p=PRIMARY_VARIANT_P)
    for i in np.flatnonzero(off).tolist():
        v = PRIMARY_VARIANTS[p_kind[i]]
        primary_name[i], primary_variant[i] = variant_name(
            pop.names[i], v, int(picks[i]), "", pop.brand_pinyin[i]
        )
        if primary_name[i] == pop.names[i]:
            primary_variant[i] = "original"
    return primary_name, primary_variant, picks


def draw_duplicates(
    pop: Population,
    contacts: PrimaryContacts,
    primary_name: list[str],
    picks: np.ndarray,
    create_sec: np.ndarray,
    end_sec: int,
    rates: ProblemRates,
    rng: np.random.Generator,
    noise: IdentityNoise,
    ids: IdCounters,
    dup_id_base: int,
) -> Duplicates:
    """Another rep enters the same company again, later, under a variant of its name."""
    n = len(pop.true_id)
    vr = noise.rng
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
            name, v = variant_name(
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
    return Duplicates(d_src, d_id, d_create, d_name, d_variant, d_mobile, d_email)


def draw_phones(
    contacts: PrimaryContacts,
    messy: np.ndarray,
    dups: Duplicates,
    rng: np.random.Generator,
    noise: IdentityNoise,
) -> Phones:
    """Mobiles in the style a rep typed them (``messy`` ones) and landlines, some on duplicates."""
    n, n_dup = len(messy), len(dups.src)
    vr = noise.rng
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
        noise.phones.landline_text(int(dups.src[j]), d_style[j]) if d_has_landline[j] else ""
        for j in range(n_dup)
    ]
    return Phones(prim_mobile, landline, l_style, d_landline, d_style)
