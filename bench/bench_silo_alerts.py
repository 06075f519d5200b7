"""Measure the order-to-cash silo alert against the simulator's true sync gaps, both directions.

Usage:
    TANDEM_HOME=/path/to/home python bench/bench_silo_alerts.py

Reads the published warehouse (read-only) and ``landing/truth/sync_gaps.parquet`` of
``TANDEM_HOME``. A true CRM-side gap is a won contract whose ERP order never came, due once it is
older than the allowed days at the as-of date. The simulator plants no ERP-side gap (every ERP
order it writes is real; an order without a contract number is an ordinary repeat order), so in
that direction every alert is a false alarm and recall has nothing to find: the figure that
matters there is how many alerts a person would have to clear for nothing. Prints JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

GAP_DAYS_DEFAULT = 7


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when there is nothing to divide by."""
    return None if denominator == 0 else round(numerator / denominator, 4)


def measure(home: Path) -> dict:
    """Precision and recall of each alert direction on one warehouse."""
    con = duckdb.connect(str(home / "warehouse" / "tandem.duckdb"), read_only=True)
    truth = home / "landing" / "truth" / "sync_gaps.parquet"
    try:
        as_of, gap_days = con.sql(
            "select max(as_of_date), max(gap_days_threshold) "
            "from order_to_cash.rpt_contract_order_reconciliation"
        ).fetchall()[0]
        due = {
            row[0]
            for row in con.execute(
                f"select contract_id from '{truth}' where order_date < ? - to_days(?)",
                [as_of, int(gap_days or GAP_DAYS_DEFAULT)],
            ).fetchall()
        }
        crm = {
            row[0]
            for row in con.sql(
                "select crm_contract_id from order_to_cash.rpt_silo_alerts "
                "where alert_type = 'crm_contract_without_erp_order'"
            ).fetchall()
        }
        erp_rows = con.sql(
            "select alert_detail like 'order placed in the ERP without a contract%', count(*) "
            "from order_to_cash.rpt_silo_alerts "
            "where alert_type = 'erp_order_without_crm_contract' group by 1"
        ).fetchall()
    finally:
        con.close()
    erp = {bool(no_number): count for no_number, count in erp_rows}
    hits = len(crm & due)
    return {
        "as_of_date": str(as_of),
        "true_crm_side_gaps_due": len(due),
        "crm_contract_without_erp_order": {
            "alerts": len(crm),
            "true_positives": hits,
            "precision": ratio(hits, len(crm)),
            "recall": ratio(hits, len(due)),
        },
        "erp_order_without_crm_contract": {
            "alerts": sum(erp.values()),
            "without_contract_number": erp.get(True, 0),
            "citing_no_approved_contract": erp.get(False, 0),
            "true_positives": 0,
            "precision": ratio(0, sum(erp.values())),
            "recall": None,
        },
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(os.environ["TANDEM_HOME"])), indent=2))
