"""ERP sales order lines: products by popularity, quantities by spend, planted soft deletes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, date_strings
from simulator.columns import pick, take
from simulator.erp_orders import Orders
from simulator.population import Population
from simulator.problems import flag
from simulator.products import Catalogue


@dataclass
class Lines:
    """Order lines of a chunk, ERP or not, in order of their order."""

    order: np.ndarray  # order index of each line
    line_no: np.ndarray
    prod: np.ndarray  # catalogue index
    svc: np.ndarray  # the product is a service (6 % VAT, invoiced apart from goods)
    qty: np.ndarray
    price: np.ndarray  # net unit price after the customer's discount
    rate: np.ndarray  # VAT rate
    net: np.ndarray
    tax: np.ndarray
    gross: np.ndarray
    cost: np.ndarray

    def per_order(self, values: np.ndarray, n_orders: int) -> np.ndarray:
        """Sum of a line amount per order, rounded to cents."""
        return np.round(np.bincount(self.order, values, n_orders), 2)


def draw_lines(
    pop: Population,
    cust: np.ndarray,
    cat: Catalogue,
    lines_per_order: float,
    rng: np.random.Generator,
) -> Lines:
    """Lines of every order: products by popularity, quantities by the customer's spend level."""
    n_orders = len(cust)
    n_lines = 1 + rng.poisson(lines_per_order - 1, n_orders)
    line_order = np.repeat(np.arange(n_orders), n_lines)
    line_no = np.arange(len(line_order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    prod = np.searchsorted(np.cumsum(cat.popularity), rng.random(len(line_order)))
    prod = np.minimum(prod, len(cat.code) - 1)
    lc = cust[line_order]
    svc = cat.is_service[prod]
    qty = np.where(
        svc,
        1 + (rng.random(len(prod)) < 0.2),
        np.maximum(1, np.round(rng.lognormal(np.log(1.6 * pop.spend_level[lc]), 0.8))),
    ).astype(np.int64)
    discount = np.array([0.0, 0.03, 0.06, 0.1])[pop.size[lc]] + rng.uniform(0, 0.05, len(prod))
    price = np.round(cat.price[prod] * (1 - discount), 2)
    rate = cat.tax_rate[prod]
    net = np.round(price * qty, 2)
    tax = np.round(net * rate, 2)
    gross = np.round(net + tax, 2)
    cost = np.round(cat.cost[prod] * qty, 2)
    return Lines(line_order, line_no, prod, svc, qty, price, rate, net, tax, gross, cost)


def order_lines_frame(
    orders: Orders,
    lines: Lines,
    cat: Catalogue,
    erp_code: pl.Series,
    name: pl.Series,
    pop: Population,
    rep_names: dict[int, str],
    end_day: int,
    rng: np.random.Generator,
    soft_delete: float,
) -> pl.DataFrame:
    """Sales order lines in the ERP, plus cancelled copies (planted soft deletes)."""
    line_order, line_no, prod, qty = lines.order, lines.line_no, lines.prod, lines.qty
    price, rate, net, tax, gross = lines.price, lines.rate, lines.net, lines.tax, lines.gross
    n_orders = len(orders.day)
    cancel_copy = (rng.random(n_orders) < soft_delete) & ~orders.gap
    # A cancelled copy is an earlier entry of the same order, voided and re-keyed.
    sel_orders = np.r_[np.flatnonzero(~orders.gap), np.flatnonzero(cancel_copy)]
    is_copy = np.r_[np.zeros(int((~orders.gap).sum()), bool), np.ones(int(cancel_copy.sum()), bool)]
    copy_no = take(orders.number, np.flatnonzero(cancel_copy)) + "-1"
    number = pl.concat([take(orders.number, np.flatnonzero(~orders.gap)), copy_no])
    # Expand to lines: each selected order contributes all its lines.
    counts = np.bincount(line_order, minlength=n_orders)
    first_line = np.cumsum(counts) - counts
    rep_line = np.repeat(np.arange(len(sel_orders)), counts[sel_orders])
    li = np.repeat(first_line[sel_orders], counts[sel_orders]) + (
        np.arange(len(rep_line))
        - np.repeat(np.cumsum(counts[sel_orders]) - counts[sel_orders], counts[sel_orders])
    )
    o = sel_orders[rep_line]
    c = orders.cust[o]
    fresh = orders.day[o] >= end_day - 2
    status = pick(fresh & (rng.random(len(o)) < 0.3), "A", "C")
    reps = [rep_names[int(r)] for r in pop.rep]
    df = pl.DataFrame(
        {
            "单据编号": take(number, rep_line),
            "行号": line_no[li],
            "单据日期": date_strings(orders.day[o]),
            "单据状态": status,
            "作废状态": pick(is_copy[rep_line], "B", "A"),
            "客户编码": take(erp_code, c),
            "客户名称": take(name, c),
            "销售员": take(reps, c),
            "合同编号": take(orders.contract_num, o),
            "物料编码": take(cat.code.tolist(), prod[li]),
            "数量": qty[li],
            "单价": price[li],
            "含税单价": np.round(price[li] * (1 + rate[li]), 2),
            "税率(%)": np.round(rate[li] * 100).astype(np.int64),
            "金额": net[li],
            "税额": tax[li],
            "价税合计": gross[li],
            "交货日期": date_strings(orders.day[o] + 3),
            "_drop": date_series(orders.day[o]),
            "_order": o,
            "_problem": flag(is_copy[rep_line], "soft_delete"),
            "_column": flag(is_copy[rep_line], "作废状态"),
        }
    )
    return df
