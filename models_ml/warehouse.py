"""What every model reads from the built warehouse before its own inputs."""

from __future__ import annotations

import datetime as dt


def warehouse_as_of(con) -> dt.date:
    """The as-of date the dbt build used (the one row of the mart ``core.dim_as_of_date``)."""
    return con.execute("select as_of_date from core.dim_as_of_date").fetchall()[0][0]
