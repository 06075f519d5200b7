"""People at each customer: the primary contact (also on leads), extra contacts, addresses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.names import (
    BRAND_POOL,
    REGIONS,
    company_email,
    mobiles,
    person_names,
    personal_email,
)
from simulator.population import Population

POSTS = ["总经理", "采购经理", "采购专员", "财务", "技术负责人", "行政", "设备主管", "IT经理"]
DISTRICTS = ["高新区", "经济开发区", "工业园区", "新区", "中心区", "科技园", "保税区"]


@dataclass
class PrimaryContacts:
    """The person a customer first came in with (one per customer)."""

    name: list[str]
    pinyin: list[str]
    mobile: np.ndarray  # int64
    email: list[str]


def primary_contacts(pop: Population, rng: np.random.Generator) -> PrimaryContacts:
    """Primary contact per customer: individuals are their own contact."""
    n = len(pop.true_id)
    names, pys = person_names(rng, n)
    for i in np.flatnonzero(pop.kind == 1).tolist():
        names[i] = pop.names[i]
        pys[i] = pop.brand_pinyin[i]
    mob = mobiles(rng, n)
    work_mail = rng.random(n) < 0.7
    tld = rng.integers(0, 4, n)
    nums = rng.integers(10**5, 10**10, n)
    email = [
        company_email(pys[i], pop.brand_pinyin[i], int(tld[i]))
        if work_mail[i] and pop.kind[i] == 0
        else personal_email(pys[i], int(nums[i]))
        for i in range(n)
    ]
    return PrimaryContacts(names, pys, mob, email)


def addresses(pop: Population, rng: np.random.Generator) -> list[str]:
    """Street addresses in each customer's city."""
    n = len(pop.true_id)
    d = rng.integers(0, len(DISTRICTS), n)
    r1 = rng.integers(0, len(BRAND_POOL), n)
    r2 = rng.integers(0, len(BRAND_POOL), n)
    no = rng.integers(1, 999, n)
    return [
        f"{REGIONS[pop.region[i]][0]}市{DISTRICTS[d[i]]}{BRAND_POOL[r1[i]]}{BRAND_POOL[r2[i]]}路"
        f"{no[i]}号"
        for i in range(n)
    ]
