"""ERP documents of one chunk: sales orders, invoices, credit notes, receipts and GL entries.

Each document type has its own module (``erp_orders``, ``erp_lines``, ``erp_invoices``,
``erp_receipts``, ``erp_ledger``, ``erp_customers``); this one draws them in a fixed order, so
that the random streams, and with them the written files, stay the same for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.columns import doc_numbers
from simulator.erp_customers import customer_frame, erp_customers
from simulator.erp_invoices import draw_invoices, invoice_frame
from simulator.erp_ledger import gl_frame
from simulator.erp_lines import draw_lines, order_lines_frame
from simulator.erp_orders import Orders, build_orders
from simulator.erp_receipts import draw_payments, receipt_frame
from simulator.ids import IdCounters
from simulator.population import Population
from simulator.products import Catalogue
from simulator.scales import ScaleConfig


@dataclass
class ErpChunk:
    """Everything the ERP side wrote for a chunk plus what the truth and CRM need from it."""

    orders: Orders
    order_lines: pl.DataFrame
    invoices: pl.DataFrame
    receipts: pl.DataFrame
    gl: pl.DataFrame
    customers: pl.DataFrame
    erp_code: np.ndarray  # per local customer, "" if not in the ERP
    received_by_order: np.ndarray  # gross received per order by the period end
    payments: pl.DataFrame  # order index, day, amount (for CRM receivables)
    revenue_net: np.ndarray  # per local customer
    margin: np.ndarray


def build_erp(
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    cat: Catalogue,
    cfg: ScaleConfig,
    rng: np.random.Generator,
    ids: IdCounters,
    start_day: int,
    end_day: int,
    rep_names: dict[int, str],
    primary_mobile: np.ndarray,
    addresses: list[str],
) -> ErpChunk:
    """Build the ERP documents of a chunk of customers."""
    cust, month, day, via, contract_day, gap = build_orders(
        pop, paths, months, rng, start_day, end_day, cfg.problems.sync_gap
    )
    n_orders = len(cust)
    n_cust = len(pop.true_id)
    lines = draw_lines(pop, cust, cat, cfg.lines_per_order, rng)
    seq = ids.take("order", n_orders)
    contract_id = np.zeros(n_orders, dtype=np.int64)
    contract_id[via] = ids.take("contract", int(via.sum()))
    contract_num = doc_numbers("HT", contract_day, contract_id, 6).set(pl.Series(~via), "")
    orders = Orders(
        cust,
        month,
        day,
        via,
        contract_day,
        gap,
        lines.per_order(lines.gross, n_orders),
        lines.per_order(lines.net, n_orders),
        lines.per_order(lines.cost, n_orders),
        doc_numbers("SO", day, seq, 7),
        contract_id,
        contract_num,
    )

    erp_idx, erp_code, created = erp_customers(pop, orders, ids, start_day, end_day)
    erp_s = pl.Series(erp_code.tolist(), dtype=pl.String)
    name = pl.Series(pop.names, dtype=pl.String)
    lines_df = order_lines_frame(
        orders, lines, cat, erp_s, name, pop, rep_names, end_day, rng, cfg.problems.soft_delete
    )
    inv = draw_invoices(orders, lines, pop, ids, rng, end_day)
    invoices = invoice_frame(inv, orders.number, erp_s, name)
    pay = draw_payments(inv, pop, paths, months, rng, end_day)
    rc_seq = ids.take("receipt", len(pay.head))
    receipts = receipt_frame(pay, rc_seq, inv, erp_s, name, rng, cfg.problems.mixed_date_format)
    gl = gl_frame(ids, inv, pay, receipts["收款单号"], erp_s)

    received_by_order = np.zeros(n_orders)
    np.add.at(received_by_order, inv.head_order[pay.head], pay.amount)
    payments = pl.DataFrame(
        {
            "order": inv.head_order[pay.head],
            "day": pay.day,
            "amount": pay.amount,
            "method": receipts["结算方式"],
        }
    )
    # Truth revenue: net of invoiced orders less returns.
    rev = np.zeros(n_cust)
    mar = np.zeros(n_cust)
    inv_c = inv.head_cust[inv.head]
    sel = inv.invoiced[inv.head]
    np.add.at(rev, inv_c[sel], inv.net[sel] + inv.r_net[sel])
    np.add.at(mar, inv_c[sel], (inv.net - inv.cost + inv.r_net - inv.r_cost)[sel])

    customers = customer_frame(
        erp_idx,
        erp_code,
        created,
        pop,
        paths,
        months,
        end_day,
        rep_names,
        primary_mobile,
        addresses,
        rng,
        cfg.problems.invalid_tax_id,
    )
    return ErpChunk(
        orders,
        lines_df,
        invoices,
        receipts,
        gl,
        customers,
        erp_code,
        received_by_order,
        payments,
        rev,
        mar,
    )
