"""ERP general-ledger vouchers: postings of invoices, credit notes and receipts."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.calendar import date_series, date_strings
from simulator.columns import const, numbers, take
from simulator.erp_invoices import Invoices
from simulator.erp_receipts import Payments
from simulator.ids import IdCounters

ACCOUNTS = {
    "1002": "银行存款",
    "1122": "应收账款",
    "1405": "库存商品",
    "2211": "应付职工薪酬",
    "2221.01.01": "应交税费-应交增值税-销项税额",
    "6001": "主营业务收入",
    "6401": "主营业务成本",
}


def gl_frame(
    ids: IdCounters,
    inv: Invoices,
    pay: Payments,
    receipt_no: pl.Series,
    erp_code: pl.Series,
) -> pl.DataFrame:
    """Vouchers: invoice and credit-note postings, and receipt postings."""
    net, tax, cost = inv.net, inv.tax, inv.cost
    r_net, r_tax, r_cost = inv.r_net, inv.r_tax, inv.r_cost
    inv_no, cn_no, ship, ret_day = inv.number, inv.cn_number, inv.ship, inv.ret_day
    invoiced, returned, head_cust, inv_head = inv.invoiced, inv.returned, inv.head_cust, inv.head
    inv_svc = inv.svc
    p_head, p_day, p_amt = pay.head, pay.day, pay.amount
    n_h = len(invoiced)

    def head_sum(values: np.ndarray) -> np.ndarray:
        return np.round(np.bincount(inv_head, values, n_h), 2)

    blocks = []
    for is_cn, sel in ((False, invoiced), (True, returned)):
        hs = np.flatnonzero(sel)
        n_net = head_sum(r_net if is_cn else net)[hs]
        n_tax = head_sum(r_tax if is_cn else tax)[hs]
        goods_cost = head_sum(np.where(inv_svc, 0.0, r_cost if is_cn else cost))[hs]
        svc_cost = head_sum(np.where(inv_svc, r_cost if is_cn else cost, 0.0))[hs]
        gross = np.round(n_net + n_tax, 2)
        total_cost = np.round(goods_cost + svc_cost, 2)
        docs = take(cn_no if is_cn else inv_no, hs)
        days = (ret_day if is_cn else ship)[hs]
        lines = [
            ("1122", gross, 0),
            ("6001", n_net, 1),
            ("2221.01.01", n_tax, 1),
            ("6401", total_cost, 0),
            ("1405", goods_cost, 1),
            ("2211", svc_cost, 1),
        ]
        blocks.append((hs, docs, days, lines, "销售发票", "红字发票" if is_cn else "销售发票"))
    blocks.append(
        (p_head, receipt_no, p_day, [("1002", p_amt, 0), ("1122", p_amt, 1)], "收款单", "收款")
    )
    frames = []
    for hs, docs, days, lines, doc_type, memo in blocks:
        n, n_l = len(hs), len(lines)
        vno = ids.take("voucher", n)
        amount = np.column_stack([a for _, a, _ in lines]) if n else np.zeros((0, n_l))
        # Cost lines with nothing to post (no goods, or no services) are left out.
        keep = np.ones((n, n_l), dtype=bool)
        keep[:, 4:] = amount[:, 4:] != 0
        flat = np.flatnonzero(keep.ravel())
        row, k = flat // n_l, flat % n_l
        credit = np.array([c for _, _, c in lines], dtype=bool)[k]
        value = amount.ravel()[flat]
        accounts = [a for a, _, _ in lines]
        docs_rows = take(docs, row)
        frames.append(
            pl.DataFrame(
                {
                    "凭证字号": numbers("记-", vno[row], 8),
                    "凭证日期": date_strings(days[row]),
                    "分录号": keep.cumsum(axis=1).ravel()[flat],
                    "摘要": (memo + " ") + docs_rows,
                    "科目编码": take(accounts, k),
                    "科目名称": take([ACCOUNTS[a] for a in accounts], k),
                    "借方金额": np.where(credit, 0.0, value),
                    "贷方金额": np.where(credit, value, 0.0),
                    "往来单位编码": take(erp_code, head_cust[hs[row]]),
                    "源单类型": const(doc_type, len(row)),
                    "源单编号": docs_rows,
                    "_drop": date_series(days[row]),
                }
            ).with_columns(pl.col("凭证日期").str.slice(0, 7).alias("会计期间"))
        )
    return pl.concat(frames).select(
        [
            "凭证字号",
            "凭证日期",
            "会计期间",
            "分录号",
            "摘要",
            "科目编码",
            "科目名称",
            "借方金额",
            "贷方金额",
            "往来单位编码",
            "源单类型",
            "源单编号",
            "_drop",
        ]
    )
