"""ERP sales invoices (one per order and VAT rate, issued at shipment) and red-ink credit notes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.calendar import date_series, date_strings, next_business_day
from simulator.columns import const, numbers, take
from simulator.erp_lines import Lines
from simulator.erp_orders import Orders
from simulator.ids import IdCounters
from simulator.population import Population

CREDIT_NOTE_RATE = 0.03


@dataclass
class Invoices:
    """Invoice rows (one per order and rate) grouped under heads (one per invoiced order)."""

    head: np.ndarray  # head index of each invoice row
    svc: np.ndarray  # the row invoices services (6 %), else goods (13 %)
    net: np.ndarray
    tax: np.ndarray
    gross: np.ndarray
    cost: np.ndarray
    r_net: np.ndarray  # returned share of the row (credit note), negative
    r_tax: np.ndarray
    r_gross: np.ndarray
    r_cost: np.ndarray
    head_order: np.ndarray  # order index of each head
    head_cust: np.ndarray  # local customer index of each head
    ship: np.ndarray  # invoice day
    due: np.ndarray
    invoiced: np.ndarray  # shipped by the period end
    returned: np.ndarray  # a credit note was issued by the period end
    ret_day: np.ndarray
    number: pl.Series  # 发票号码 per head
    cn_number: pl.Series  # credit-note number per head, "" when none
    due_amount: np.ndarray  # gross less returns per head


def draw_invoices(
    orders: Orders,
    lines: Lines,
    pop: Population,
    ids: IdCounters,
    rng: np.random.Generator,
    end_day: int,
) -> Invoices:
    """Invoice the ERP orders at shipment; part of a few invoices comes back as a credit note."""
    cust, day = orders.cust, orders.day
    line_in_erp = ~orders.gap[lines.order]
    inv_key = lines.order * 2 + lines.svc
    keys, inv_of_line = np.unique(inv_key[line_in_erp], return_inverse=True)
    inv_order = keys // 2
    inv_svc = (keys % 2).astype(bool)
    lw = np.flatnonzero(line_in_erp)
    inv_net = np.round(np.bincount(inv_of_line, lines.net[lw], len(keys)), 2)
    inv_tax = np.round(np.bincount(inv_of_line, lines.tax[lw], len(keys)), 2)
    inv_cost = np.round(np.bincount(inv_of_line, lines.cost[lw], len(keys)), 2)
    inv_gross = np.round(inv_net + inv_tax, 2)
    orders_with_inv, inv_head = np.unique(inv_order, return_inverse=True)
    ship = next_business_day(
        day[orders_with_inv] + rng.integers(0, 6, len(orders_with_inv)), strictly_after=False
    )
    invoiced = ship <= end_day
    terms = np.where(pop.size[cust[orders_with_inv]] >= 2, 60, 30)
    due = ship + terms
    inv_seq = ids.take("invoice", len(orders_with_inv))
    inv_no = numbers("2644", inv_seq, 16)
    head_cust = cust[orders_with_inv]
    # Credit notes: part of an invoice comes back as a red-ink return.
    returned = invoiced & (rng.random(len(orders_with_inv)) < CREDIT_NOTE_RATE)
    ret_frac = np.where(returned, rng.choice([0.25, 0.5, 1.0], len(orders_with_inv)), 0.0)
    ret_day = next_business_day(ship + rng.integers(5, 41, len(ship)), strictly_after=False)
    returned &= ret_day <= end_day
    ret_frac = np.where(returned, ret_frac, 0.0)
    cn_seq = ids.take("invoice", int(returned.sum()))
    cn_pos = np.zeros(len(orders_with_inv), dtype=np.int64)
    cn_pos[returned] = np.arange(1, len(cn_seq) + 1)
    cn_no = take(pl.concat([const("", 1), numbers("2644", cn_seq, 16)]), cn_pos)

    r_net = -np.round(inv_net * ret_frac[inv_head], 2)
    r_tax = -np.round(inv_tax * ret_frac[inv_head], 2)
    r_cost = -np.round(inv_cost * ret_frac[inv_head], 2)
    r_gross = np.round(r_net + r_tax, 2)
    head_gross = np.round(np.bincount(inv_head, inv_gross, len(orders_with_inv)), 2)
    head_ret = np.round(np.bincount(inv_head, r_gross, len(orders_with_inv)), 2)
    return Invoices(
        head=inv_head,
        svc=inv_svc,
        net=inv_net,
        tax=inv_tax,
        gross=inv_gross,
        cost=inv_cost,
        r_net=r_net,
        r_tax=r_tax,
        r_gross=r_gross,
        r_cost=r_cost,
        head_order=orders_with_inv,
        head_cust=head_cust,
        ship=ship,
        due=due,
        invoiced=invoiced,
        returned=returned,
        ret_day=ret_day,
        number=inv_no,
        cn_number=cn_no,
        due_amount=np.round(head_gross + head_ret, 2),
    )


def invoice_frame(
    inv: Invoices, order_number: pl.Series, erp_code: pl.Series, name: pl.Series
) -> pl.DataFrame:
    """Invoice rows (one per invoice and rate) followed by their credit notes."""
    net, tax, gross, cost = inv.net, inv.tax, inv.gross, inv.cost
    r_net, r_tax, r_gross, r_cost = inv.r_net, inv.r_tax, inv.r_gross, inv.r_cost
    inv_no, cn_no, ship, due, ret_day = inv.number, inv.cn_number, inv.ship, inv.due, inv.ret_day
    orders_with_inv, head_cust = inv.head_order, inv.head_cust
    rate = np.where(inv.svc, 6, 13)
    h = inv.head
    inv_rows, cn_rows = inv.invoiced[h], inv.returned[h]
    parts = []
    for is_cn, sel in ((False, inv_rows), (True, cn_rows)):
        hh = h[sel]
        parts.append(
            pl.DataFrame(
                {
                    "发票号码": take(cn_no if is_cn else inv_no, hh),
                    "开票日期": date_strings((ret_day if is_cn else ship)[hh]),
                    "到期日期": date_strings(due[hh]),
                    "单据状态": const("C", len(hh)),
                    "红字发票": const("是" if is_cn else "否", len(hh)),
                    "原发票号码": take(inv_no, hh) if is_cn else const("", len(hh)),
                    "源单编号": take(order_number, orders_with_inv[hh]),
                    "客户编码": take(erp_code, head_cust[hh]),
                    "客户名称": take(name, head_cust[hh]),
                    "税率(%)": rate[sel],
                    "金额": (r_net if is_cn else net)[sel],
                    "税额": (r_tax if is_cn else tax)[sel],
                    "价税合计": (r_gross if is_cn else gross)[sel],
                    "销售成本": (r_cost if is_cn else cost)[sel],
                    "_drop": date_series((ret_day if is_cn else ship)[hh]),
                }
            )
        )
    return pl.concat(parts)
