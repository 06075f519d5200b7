"""From a definition to SQL over the serving file: the segment's customers and contacts.

Model tables other issues add (churn, CLV, clusters) may not exist yet in a warehouse; a
condition over a missing one is refused with "not available yet" rather than silently ignored,
which would widen the segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dashboards.i18n import labelled
from dashboards.segments.definition import LIST_CONDITIONS, RANGE_CONDITIONS, SegmentDefinition

# source alias -> (table, SQL selecting customer_key and the columns conditions use)
SOURCES: dict[str, tuple[str, str]] = {
    "rfm": ("ml.rfm", "select customer_key, segment, recency_days from ml.rfm"),
    "churn": (
        "ml.churn_scores",
        "select customer_key, risk_band from ml.churn_scores"
        " qualify row_number() over (partition by customer_key order by as_of_date desc) = 1",
    ),
    "clv": (
        "ml.clv",
        # bands by rank: the top fifth of predicted 12-month margin is high, the next 30% medium
        "select customer_key, case when pct <= 0.2 then 'high' when pct <= 0.5 then 'medium'"
        " else 'low' end as clv_band from (select customer_key, percent_rank() over"
        " (order by clv_12m_margin desc) as pct from ml.clv)",
    ),
    "clusters": (
        "ml.customer_clusters",
        "select customer_key, cluster_name from ml.customer_clusters",
    ),
}


class ConditionNotAvailable(ValueError):
    """A condition needs a model table this warehouse does not have yet."""


@dataclass(frozen=True)
class SegmentSize:
    customers: int
    lifetime_net_revenue: float
    consented_contacts: int


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def available_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The optional sources whose table (and columns) exist in this warehouse."""
    tables = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }
    available = set()
    for alias, (table, sql) in SOURCES.items():
        if table not in tables:
            continue
        try:
            con.execute(f"select * from ({sql}) limit 0")
        except duckdb.Error:
            continue  # the table exists but not in the shape this code reads
        available.add(alias)
    return available


def customers_sql(definition: SegmentDefinition, available: set[str]) -> str:
    """SQL for the segment's golden customers (rpt_customer_360 rows that meet every condition)."""
    used = {LIST_CONDITIONS[k][0] for k in definition.lists} | {
        RANGE_CONDITIONS[k][0] for k in definition.ranges
    }
    joins = []
    for alias in sorted(used - {"c360"}):
        if alias not in available:
            table = SOURCES[alias][0]
            raise labelled(ConditionNotAvailable, "sb.not_built", table=table)
        joins.append(f"left join ({SOURCES[alias][1]}) as {alias} using (customer_key)")
    where = ["not c360.is_deleted"]
    for key, values in sorted(definition.lists.items()):
        alias, column = LIST_CONDITIONS[key]
        where.append(f"{alias}.{column} in ({', '.join(_literal(v) for v in values)})")
    for key, (low, high) in sorted(definition.ranges.items()):
        alias, column = RANGE_CONDITIONS[key]
        if low is not None:
            where.append(f"{alias}.{column} >= {low!r}")
        if high is not None:
            where.append(f"{alias}.{column} <= {high!r}")
    return (
        "select c360.customer_key, c360.customer_name, c360.lifetime_net_revenue"
        f" from customer.rpt_customer_360 as c360 {' '.join(joins)}"
        f" where {' and '.join(where)}"
    )


def contacts_sql(definition: SegmentDefinition, available: set[str]) -> str:
    """SQL for the contacts an export may send: one row per person with their consented,
    current addresses; never a contact whose consent does not allow marketing."""
    return f"""
        with segment as ({customers_sql(definition, available)}),
        sendable as (
            select contacts.*
            from customer.dim_contact as contacts
            where contacts.has_marketing_consent
                and contacts.consent_status = 'consented'
                and contacts.is_current_for_address
                and coalesce(contacts.mobile_e164, contacts.email) is not null
        )
        select
            segment.customer_key,
            any_value(segment.customer_name) as customer_name,
            sendable.contact_id,
            any_value(sendable.contact_name) as contact_name,
            any_value(sendable.job_title) as job_title,
            max(sendable.mobile_e164) as mobile_e164,
            max(sendable.email) as email,
            max(sendable.consent_recorded_at) as consent_recorded_at
        from segment
        join sendable using (customer_key)
        group by segment.customer_key, sendable.contact_id
        order by segment.customer_key, sendable.contact_id
    """


def segment_size(con: duckdb.DuckDBPyConnection, definition: SegmentDefinition) -> SegmentSize:
    """Customers, their lifetime net revenue and the consented contacts an export would send."""
    available = available_sources(con)
    customers, revenue = con.execute(
        f"select count(*), coalesce(sum(lifetime_net_revenue), 0)"
        f" from ({customers_sql(definition, available)})"
    ).fetchone()
    contacts = con.execute(
        f"select count(*) from ({contacts_sql(definition, available)})"
    ).fetchone()[0]
    return SegmentSize(int(customers), float(revenue), int(contacts))


def condition_choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[str] | None]:
    """The values each list condition can take in this warehouse (None: not available yet)."""
    available = available_sources(con) | {"c360"}
    choices: dict[str, list[str] | None] = {}
    for key, (alias, column) in LIST_CONDITIONS.items():
        if alias not in available:
            choices[key] = None
            continue
        source = "customer.rpt_customer_360" if alias == "c360" else f"({SOURCES[alias][1]})"
        rows = con.execute(
            f"select distinct cast({column} as varchar) from {source} as s"
            f" where {column} is not null order by 1"
        ).fetchall()
        choices[key] = [row[0] for row in rows]
    return choices
