"""What every model reads from the built warehouse before its own inputs."""

from __future__ import annotations

import datetime as dt


def warehouse_as_of(con) -> dt.date:
    """The as-of date the dbt build used (one row in ``intermediate.int_as_of_date``)."""
    return con.execute("select as_of_date from intermediate.int_as_of_date").fetchall()[0][0]
