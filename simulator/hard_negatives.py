"""Hard negatives: different companies whose records look alike, planted inside one chunk.

- ``branch``: company B is the branch of company A (``<A's name><B's city>分公司``) registered
  with its own valid credit code and sharing A's mail domain; in some of them a sales rep typed
  A's ERP code into B's CRM record (``branch_with_parent_code``).
- ``sister_domain`` / ``sister_building``: B belongs to A's group: same brand, another industry,
  and the group's mail domain or A's building.
- ``same_brand_other_city``: B has A's brand and industry in its own city.
- ``shared_switchboard``: B is an unrelated firm answering on A's switchboard (same landline).

Each is a distinct true customer; the truth labels both records of a pair so precision can be
reported per kind. Only A's and B's attributes change, never the number of customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.names import INDUSTRIES
from simulator.population import Population
from simulator.variants import name_parts

KINDS = (
    "branch",
    "sister_domain",
    "sister_building",
    "same_brand_other_city",
    "shared_switchboard",
)
# share of a chunk's companies that become B of each kind
KIND_RATES = (0.015, 0.008, 0.007, 0.01, 0.01)
PARENT_CODE_SHARE = 0.4  # of the branches: the parent's ERP code typed into the CRM record


@dataclass
class HardNegatives:
    """Per local customer: the kind it takes part in ('' if none) and its partner (-1)."""

    kind: np.ndarray
    partner: np.ndarray
    parent_code: np.ndarray  # True: the CRM record carries the partner's ERP code
    is_b: np.ndarray  # True: the record that was rewritten (the branch, the sister, ...)


def plant(
    pop: Population,
    addresses: list[str],
    landline: list[str],
    rng: np.random.Generator,
) -> HardNegatives:
    """Rewrite B's name, brand pinyin, address or landline in place (``pop`` is a chunk)."""
    n = len(pop.true_id)
    kind = np.full(n, "", dtype=object)
    partner = np.full(n, -1, dtype=np.int64)
    parent_code = np.zeros(n, dtype=bool)
    is_b = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero((pop.kind == 0) & np.array([t != "" for t in pop.tax_id]))
    candidates = candidates[[name_parts(pop.names[i]) is not None for i in candidates.tolist()]]
    order = rng.permutation(candidates)
    counts = [round(rate * n) for rate in KIND_RATES]
    cursor = 0
    for label, count in zip(KINDS, counts, strict=True):
        for _ in range(count):
            if cursor + 2 > len(order):
                break
            if label == "same_brand_other_city":
                _partner_in_other_city(order, cursor, pop)
            a, b = int(order[cursor]), int(order[cursor + 1])
            cursor += 2
            _apply(label, a, b, pop, addresses, landline, rng)
            kind[a] = kind[b] = label
            partner[a], partner[b] = b, a
            is_b[b] = True
            if label == "branch" and rng.random() < PARENT_CODE_SHARE:
                parent_code[b] = True
    return HardNegatives(kind, partner, parent_code, is_b)


def _partner_in_other_city(order: np.ndarray, cursor: int, pop: Population) -> None:
    """Move the first later candidate outside A's region to ``cursor + 1``."""
    region_a = pop.region[order[cursor]]
    for k in range(cursor + 1, len(order)):
        if pop.region[order[k]] != region_a:
            order[cursor + 1], order[k] = order[k], order[cursor + 1]
            return


def _apply(label, a, b, pop, addresses, landline, rng) -> None:
    parts_a = name_parts(pop.names[a])
    parts_b = name_parts(pop.names[b])
    city_b = parts_b["city"]
    if label != "shared_switchboard":
        pop.brand_pinyin[b] = pop.brand_pinyin[a]  # one brand: one pinyin for English names
    if label == "branch":
        pop.names[b] = f"{pop.names[a]}{city_b}分公司"
    elif label in ("sister_domain", "sister_building"):
        words = [w for w, _ in INDUSTRIES if w != parts_a["word"]]
        word = words[int(rng.integers(0, len(words)))]
        if label == "sister_building":  # one building: one city
            addresses[b] = addresses[a]
            pop.region[b] = pop.region[a]
            city_b = parts_a["city"]
        pop.names[b] = f"{city_b}{parts_a['brand']}{word}{parts_b['legal'] or '有限公司'}"
    elif label == "same_brand_other_city":
        pop.names[b] = (
            f"{city_b}{parts_a['brand']}{parts_a['word']}{parts_b['legal'] or '有限公司'}"
        )
    else:
        landline[b] = landline[a]
