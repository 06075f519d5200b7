"""The customer 360 against the simulator's truth and the landed extracts.

Expected figures come from the ground truth (revenue and margin per true customer) and from the
raw tables as landed, aggregated here in SQL written independently of the dbt models; only the
record -> golden customer mapping is taken from the warehouse, since identity resolution is
judged on its own in test_identity.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from tests.warehouse.conftest import TinyWarehouse

C360 = "customer.rpt_customer_360"
KEY_MAP = "intermediate.int_identity__customer_key_map"


@pytest.fixture(scope="module")
def as_of(tiny_warehouse: TinyWarehouse) -> dt.date:
    dates = tiny_warehouse.rows(f"select distinct as_of_date from {C360}")
    assert len(dates) == 1
    return dates[0][0]


def by_key(tiny_warehouse: TinyWarehouse, column: str) -> dict[str, object]:
    return dict(tiny_warehouse.rows(f"select customer_key, {column} from {C360}"))


def test_one_row_per_golden_customer(tiny_warehouse: TinyWarehouse) -> None:
    golden = tiny_warehouse.scalar("select count(*) from core.dim_customer")
    assert golden > 150  # the tiny company has ~200 customers
    assert tiny_warehouse.scalar(f"select count(*) from {C360}") == golden
    assert tiny_warehouse.scalar(f"select count(distinct customer_key) from {C360}") == golden


def test_as_of_date_is_the_latest_business_day(tiny_warehouse: TinyWarehouse, as_of) -> None:
    latest = tiny_warehouse.build_scalar(
        """
        select max(d) from (
            select max(cast(invoice_date as date)) as d from raw_erp.sales_invoices
            union all select max(cast(order_date as date)) from raw_erp.sales_orders
            union all select max(cast(create_time as date)) from raw_crm.opportunity_stage_changes
            union all select max(cast(create_time as date)) from raw_crm.activities
            union all select max(cast(create_time as date)) from raw_crm.leads
        )
        """
    )
    assert as_of == latest


def test_lifetime_revenue_and_margin_equal_the_truth(tiny_warehouse: TinyWarehouse) -> None:
    # truth per true customer, summed over the true customers whose ERP record each golden
    # customer holds: exact to the fen whatever identity resolution merged
    expected = dict(
        (key, (Decimal(str(round(rev, 2))), Decimal(str(round(margin, 2)))))
        for key, rev, margin in tiny_warehouse.build_rows(
            "select customer_key, sum(revenue_net), sum(gross_margin) "
            f"from ({tiny_warehouse.true_companies()}) group by 1"
        )
    )
    actual = dict(
        (key, (rev, margin))
        for key, rev, margin in tiny_warehouse.rows(
            f"select customer_key, lifetime_net_revenue, lifetime_gross_margin from {C360}"
        )
    )
    buyers = {key for key, (rev, _) in expected.items() if rev != 0}
    assert len(buyers) > 100
    mismatched = {
        key: (actual.get(key), want)
        for key, want in expected.items()
        if abs(actual.get(key, (Decimal(0), Decimal(0)))[0] - want[0]) > Decimal("0.05")
        or abs(actual.get(key, (Decimal(0), Decimal(0)))[1] - want[1]) > Decimal("0.05")
    }
    assert mismatched == {}
    # customers with no ERP record have no revenue
    assert all(rev == 0 for key, (rev, _) in actual.items() if key not in expected)


def test_trailing_twelve_months_and_orders_match_the_extracts(
    tiny_warehouse: TinyWarehouse, as_of: dt.date
) -> None:
    window_start = as_of.replace(year=as_of.year - 1)
    t12m = dict(
        tiny_warehouse.build_rows(
            f"""
            select key_map.customer_key, sum(invoices.net_amount)
            from raw_erp.sales_invoices as invoices
            join {KEY_MAP} as key_map
                on key_map.source_system = 'erp'
                and key_map.source_record_id = invoices.customer_code
            where invoices.doc_status = 'C'
                and cast(invoices.invoice_date as date) > ?
                and cast(invoices.invoice_date as date) <= ?
            group by 1
            """,
            [window_start, as_of],
        )
    )
    actual = by_key(tiny_warehouse, "t12m_net_revenue")
    assert sum(t12m.values()) > 0
    assert {k: v for k, v in actual.items() if v != 0} == {k: v for k, v in t12m.items() if v != 0}

    orders = {
        key: (count, first, last)
        for key, count, first, last in tiny_warehouse.build_rows(
            f"""
            select key_map.customer_key, count(distinct orders.order_no),
                   min(cast(orders.order_date as date)), max(cast(orders.order_date as date))
            from raw_erp.sales_orders as orders
            join {KEY_MAP} as key_map
                on key_map.source_system = 'erp' and key_map.source_record_id = orders.customer_code
            where orders.doc_status = 'C' and coalesce(orders.cancel_status, 'A') <> 'B'
                and cast(orders.order_date as date) <= ?
            group by 1
            """,
            [as_of],
        )
    }
    actual_orders = {
        key: (count, first, last)
        for key, count, first, last in tiny_warehouse.rows(
            f"select customer_key, order_count, first_order_date, last_order_date from {C360} "
            "where order_count > 0"
        )
    }
    assert actual_orders == orders
    # average order value = net order amount / orders, for one customer worked by hand
    key, count = max(((k, v[0]) for k, v in orders.items()), key=lambda kv: (kv[1], kv[0]))
    net = tiny_warehouse.build_scalar(
        f"""
        select sum(orders.net_amount) from raw_erp.sales_orders as orders
        join {KEY_MAP} as key_map
            on key_map.source_system = 'erp' and key_map.source_record_id = orders.customer_code
        where key_map.customer_key = ? and orders.doc_status = 'C'
            and coalesce(orders.cancel_status, 'A') <> 'B'
        """,
        [key],
    )
    aov = by_key(tiny_warehouse, "average_order_value")[key]
    assert abs(aov - (net / count)) <= Decimal("0.01")


def test_tickets_and_sla_breaches_in_the_last_90_days(
    tiny_warehouse: TinyWarehouse, as_of: dt.date
) -> None:
    since = as_of - dt.timedelta(days=90)
    end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    expected = {
        key: (tickets, breaches)
        for key, tickets, breaches in tiny_warehouse.build_rows(
            f"""
            select key_map.customer_key, count(*),
                   sum(case
                       when resolve_time is not null and resolve_time < ?
                           then case when resolve_time > create_time + sla_hours * interval 1 hour
                                then 1 else 0 end
                       when create_time + sla_hours * interval 1 hour < ? then 1
                       else 0 end)
            from raw_crm.tickets as tickets
            join {KEY_MAP} as key_map
                on key_map.source_system = 'crm'
                and key_map.source_record_id = cast(tickets.customer_id as varchar)
            where cast(create_time as date) > ? and cast(create_time as date) <= ?
            group by 1
            """,
            [end_of_day, end_of_day, since, as_of],
        )
    }
    actual = {
        key: (tickets, breaches)
        for key, tickets, breaches in tiny_warehouse.rows(
            f"select customer_key, tickets_90d, sla_breaches_90d from {C360} where tickets_90d > 0"
        )
    }
    assert sum(t for t, _ in expected.values()) > 0
    assert actual == expected


def test_consent_status_follows_the_contacts(tiny_warehouse: TinyWarehouse) -> None:
    expected = {
        key: consenting
        for key, consenting in tiny_warehouse.build_rows(
            f"""
            select key_map.customer_key,
                   sum(case when contacts.marketing_consent = 1 then 1 else 0 end)
            from raw_crm.contacts as contacts
            join {KEY_MAP} as key_map
                on key_map.source_system = 'crm'
                and key_map.source_record_id = cast(contacts.customer_id as varchar)
            group by 1
            """
        )
    }
    rows = tiny_warehouse.rows(
        f"select customer_key, consent_status, consenting_contacts from {C360}"
    )
    statuses = {status for _, status, _ in rows}
    assert "consented" in statuses  # every status below is checked row by row
    for key, status, consenting in rows:
        if key not in expected:
            assert (status, consenting) == ("no_contact", 0), key
        else:
            assert consenting == expected[key], key
            assert (status == "consented") == (expected[key] > 0), key


def test_receivables_and_source_records_add_up(tiny_warehouse: TinyWarehouse) -> None:
    outstanding, overdue = tiny_warehouse.rows(
        f"select sum(receivables_outstanding), sum(receivables_overdue) from {C360}"
    )[0]
    assert outstanding == tiny_warehouse.scalar(
        "select sum(open_amount) from finance.rpt_open_receivables"
    )
    assert 0 <= overdue <= outstanding
    # every source record is listed on exactly one golden customer
    crm, erp = tiny_warehouse.rows(
        f"select sum(crm_record_count), sum(erp_record_count) from {C360}"
    )[0]
    assert crm == tiny_warehouse.build_scalar(
        "select count(distinct customer_id) from raw_crm.customers"
    )
    assert erp == tiny_warehouse.build_scalar(
        "select count(distinct customer_code) from raw_erp.customers"
    )


def test_the_benchmarks_pandas_notebook_computes_the_same_customer_360(
    tiny_warehouse: TinyWarehouse,
) -> None:
    # bench/ compares this mart's SQL with a pandas notebook doing the same work; the ratio only
    # means something if both compute the same table
    import pandas as pd

    from bench.pandas_notebook import customer_360, load_inputs

    notebook = customer_360(load_inputs(tiny_warehouse.settings.build_db)).set_index("customer_key")
    con = duckdb.connect(str(tiny_warehouse.settings.serving_db), read_only=True)
    try:
        mart = con.sql(f"select * from {C360}").df().set_index("customer_key")
    finally:
        con.close()
    assert sorted(notebook.index) == sorted(mart.index)
    assert set(mart.columns) <= set(notebook.columns)
    notebook = notebook.loc[mart.index]
    mismatches = {}
    for column in mart.columns:
        ours, theirs = mart[column], notebook[column]
        if pd.api.types.is_numeric_dtype(ours) and not pd.api.types.is_bool_dtype(ours):
            # money is float in the notebook: a cent of rounding is allowed, counts stay exact
            differs = (ours.astype(float) - theirs.astype(float)).abs() > 0.011
        else:
            if "date" in column:
                ours, theirs = pd.to_datetime(ours), pd.to_datetime(theirs)
            differs = ours != theirs
        differs &= ~(ours.isna() & theirs.isna())
        if differs.any():
            mismatches[column] = int(differs.sum())
    assert mismatches == {}
    assert notebook["order_count"].sum() == mart["order_count"].sum() > 0
