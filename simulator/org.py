"""The selling company's own organisation: departments, sales reps and service agents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, datetime_strings
from simulator.names import mobiles, person_names

DEPARTMENTS = [
    (1, "总经理办公室", 0),
    (2, "销售部", 1),
    (3, "华北销售组", 2),
    (4, "华东销售组", 2),
    (5, "华南销售组", 2),
    (6, "西部销售组", 2),
    (7, "客服部", 1),
    (8, "市场部", 1),
]
REGION_DEPT = {"华北": 3, "华东": 4, "华南": 5, "西部": 6}
SERVICE_DEPT = 7


@dataclass
class Organisation:
    """Users and departments, and the lookups the generators need."""

    depts: pl.DataFrame
    users: pl.DataFrame
    reps_by_group: dict[str, np.ndarray]
    agents: np.ndarray
    names: dict[int, str]


def build_organisation(
    reps: int, agents: int, rng: np.random.Generator, start_day: int
) -> Organisation:
    """Reps spread over the regional sales groups (East and South get more), plus agents."""
    groups = list(REGION_DEPT)
    share = np.array([0.25, 0.35, 0.25, 0.15])
    per_group = np.maximum(1, np.round(share * reps).astype(int))
    user_ids = 1000 + np.arange(int(per_group.sum()) + agents, dtype=np.int64)
    dept = np.r_[
        np.repeat([REGION_DEPT[g] for g in groups], per_group), np.full(agents, SERVICE_DEPT)
    ]
    names, _ = person_names(rng, len(user_ids))
    # Make names unique within the company, as HR would (append a digit like 王伟2).
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[i] = f"{nm}{seen[nm]}"
    create = start_day - rng.integers(30, 1500, len(user_ids))
    users = pl.DataFrame(
        {
            "user_id": user_ids,
            "realname": names,
            "dept_id": dept.astype(np.int64),
            "mobile": mobiles(rng, len(user_ids)).astype(str),
            "status": np.where(rng.random(len(user_ids)) < 0.1, 0, 1),
            "create_time": datetime_strings(create * 86400 + 9 * 3600),
            "_drop": date_series(np.full(len(user_ids), start_day)),
        }
    )
    reps_by_group = {}
    offset = 0
    for g, k in zip(groups, per_group.tolist(), strict=True):
        reps_by_group[g] = user_ids[offset : offset + k]
        offset += k
    depts = pl.DataFrame(
        {
            "dept_id": [d[0] for d in DEPARTMENTS],
            "name": [d[1] for d in DEPARTMENTS],
            "parent_id": [d[2] for d in DEPARTMENTS],
            "_drop": date_series(np.full(len(DEPARTMENTS), start_day)),
        }
    )
    return Organisation(
        depts,
        users,
        reps_by_group,
        user_ids[offset:],
        dict(zip(user_ids.tolist(), names, strict=True)),
    )
