"""Roles, the pages each may open, and which columns hold personal data.

Phone, mobile and e-mail numbers are personal data: only ``marketing`` (who exports consented
contacts) and ``admin`` see them. Every other role sees them masked, in pages, downloads and the
SQL workbench alike; the same rule (:func:`is_personal_column`) decides all three.
"""

from __future__ import annotations

import re
from typing import Literal

import duckdb
import polars as pl

Role = Literal["manager", "analyst", "marketing", "admin"]
ROLES: tuple[Role, ...] = ("manager", "analyst", "marketing", "admin")

# Page id -> the roles that may open it; a page not listed is open to nobody. Managers run the
# business pages; analysts also query; marketing works on customers, segments and channels.
_EVERYONE = frozenset(ROLES)
_BUSINESS = frozenset({"manager", "analyst", "admin"})
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overview": _EVERYONE,
    "finance": _BUSINESS,
    "sales": _BUSINESS,
    "customer_360": _EVERYONE,
    "churn": _EVERYONE,
    "channel_roi": _EVERYONE,
    "segments": _EVERYONE,
    "data_quality": _BUSINESS,
    "workbench": frozenset({"analyst", "marketing", "admin"}),
    "segment_builder": frozenset({"marketing", "admin"}),
}

# a masked phone keeps only its last four digits; a fixed run of stars hides its length too
PHONE_STARS = "*******"

ROLES_SEEING_PERSONAL_DATA: frozenset[str] = frozenset({"marketing", "admin"})

# A personal column is named for a phone, mobile or e-mail, optionally followed by the form it
# is kept in (`mobile_normalised`, `mobile_e164`). Columns that only describe such a value
# (`phone_level`, `email_weight`, `email_domain`) do not match.
PERSONAL_COLUMN = re.compile(
    r"(^|_)(phone|mobile|telephone|tel|email|e_mail)s?(_(normalised|normalized|e164|raw))?$",
    re.IGNORECASE,
)


def may_open(role: str, page: str) -> bool:
    """True when ``role`` may open ``page`` (unknown roles may open nothing)."""
    if role not in ROLES:
        return False
    return role in PAGE_ROLES.get(page, frozenset())


def sees_personal_data(role: str) -> bool:
    return role in ROLES_SEEING_PERSONAL_DATA


def is_personal_column(name: str) -> bool:
    return bool(PERSONAL_COLUMN.search(name))


def mask_value_sql(column_sql: str, column_name: str) -> str:
    """DuckDB SQL that masks one personal column: e-mails keep their first letter and domain,
    phones only their last four digits."""
    if "mail" in column_name.lower():
        return (
            f"case when {column_sql} is null then null"
            f" when strpos({column_sql}, '@') > 1"
            f" then left({column_sql}, 1) || '***@' || split_part({column_sql}, '@', 2)"
            f" else '***' end"
        )
    return (
        f"case when {column_sql} is null then null"
        f" else '{PHONE_STARS}' || right({column_sql}, 4) end"
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mask_frame(frame: pl.DataFrame, role: str) -> pl.DataFrame:
    """``frame`` as ``role`` may see it: personal columns masked unless marketing or admin.

    The masking is :func:`mask_value_sql` itself, run by DuckDB over the frame, so the pages and
    the workbench's masked copy cannot drift apart.
    """
    if sees_personal_data(role):
        return frame
    personal = [name for name in frame.columns if is_personal_column(name)]
    if not personal:
        return frame
    masked_sql = ", ".join(
        f"{mask_value_sql(f'cast({_quote(name)} as varchar)', name)} as {_quote(name)}"
        for name in personal
    )
    con = duckdb.connect()
    try:
        con.register("_frame", frame.select(personal))
        # a plain projection keeps the rows in the frame's order (insertion order is preserved)
        masked = con.sql(f"select {masked_sql} from _frame").pl()
    finally:
        con.close()
    return frame.with_columns(masked.get_column(name) for name in personal)
