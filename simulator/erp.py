"""ERP documents of one chunk: sales orders, invoices, credit notes, receipts and GL entries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.behaviour import MonthlyPaths
from simulator.calendar import (
    date_series,
    date_strings,
    next_business_day,
    to_business_day,
)
from simulator.columns import const, doc_numbers, numbers, pick, take
from simulator.ids import IdCounters
from simulator.names import INDUSTRIES, REGIONS
from simulator.population import Population
from simulator.problems import flag, flag_values
from simulator.products import Catalogue
from simulator.scales import ScaleConfig
from simulator.tax_id import corrupt_check_char

CONTRACT_SHARE = 0.22  # repeat orders that go through a CRM contract (first orders always do)
CREDIT_NOTE_RATE = 0.03
PARTIAL_PAYMENT_RATE = 0.15
PAY_METHODS = ["电汇", "网上转账", "承兑汇票", "支付宝", "微信支付"]
ACCOUNTS = {
    "1002": "银行存款",
    "1122": "应收账款",
    "1405": "库存商品",
    "2211": "应付职工薪酬",
    "2221.01.01": "应交税费-应交增值税-销项税额",
    "6001": "主营业务收入",
    "6401": "主营业务成本",
}


@dataclass
class Orders:
    """Order headers of a chunk (one per order, including sync-gap orders)."""

    cust: np.ndarray  # local customer index
    month: np.ndarray
    day: np.ndarray
    via_contract: np.ndarray
    contract_day: np.ndarray
    gap: np.ndarray  # reached the CRM but never the ERP
    gross: np.ndarray
    net: np.ndarray
    cost: np.ndarray
    number: np.ndarray  # ERP 单据编号 (str)
    contract_id: np.ndarray  # CRM contract id, 0 when the order did not come from a contract
    contract_num: np.ndarray  # CRM contract num, "" when none


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


def build_orders(
    pop: Population,
    paths: MonthlyPaths,
    months: np.ndarray,
    rng: np.random.Generator,
    start_day: int,
    end_day: int,
    sync_gap_rate: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expand monthly order counts into dated orders; mark CRM-contract and sync-gap ones."""
    n, n_m = paths.orders.shape
    flat = paths.orders.ravel()
    cust = np.repeat(np.repeat(np.arange(n), n_m), flat)
    month = np.repeat(np.tile(np.arange(n_m), n), flat)
    length = months[month + 1] - months[month]
    day = months[month] + (rng.random(len(cust)) * length).astype(np.int64)
    group_start = np.r_[0, np.flatnonzero((np.diff(cust) != 0) | (np.diff(month) != 0)) + 1]
    rank = np.arange(len(cust)) - np.repeat(group_start, np.diff(np.r_[group_start, len(cust)]))
    started = pop.acquired_day < start_day
    in_acq = (~started[cust]) & (month == paths.acq_month[cust])
    is_first = in_acq & (rank == 0)
    lag = rng.integers(0, 4, len(cust))
    acq = pop.acquired_day[cust]
    day = np.where(is_first, acq + lag, np.where(in_acq, np.maximum(day, acq), day))
    day = np.minimum(day, months[month + 1] - 1)  # an order belongs to the month it was drawn in
    day = np.clip(day, start_day, end_day)
    # Weekend orders are booked on a working day of the same month (churn is monthly).
    forward = next_business_day(day, strictly_after=False)
    day = np.where(forward < months[month + 1], forward, to_business_day(day))
    keep = day <= end_day
    cust, month, day, is_first, lag = cust[keep], month[keep], day[keep], is_first[keep], lag[keep]
    via = is_first | (rng.random(len(cust)) < CONTRACT_SHARE)
    contract_day = np.minimum(np.where(is_first, pop.acquired_day[cust], day - lag), day)
    gap = via & (rng.random(len(cust)) < sync_gap_rate)
    order = np.lexsort((day, cust))
    return (cust[order], month[order], day[order], via[order], contract_day[order], gap[order])


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

    # Lines: products by popularity, quantities by the customer's spend level.
    n_lines = 1 + rng.poisson(cfg.lines_per_order - 1, n_orders)
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

    order_gross = np.round(np.bincount(line_order, gross, n_orders), 2)
    order_net = np.round(np.bincount(line_order, net, n_orders), 2)
    order_cost = np.round(np.bincount(line_order, cost, n_orders), 2)
    seq = ids.take("order", n_orders)
    number = doc_numbers("SO", day, seq, 7)
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
        order_gross,
        order_net,
        order_cost,
        number,
        contract_id,
        contract_num,
    )

    in_erp = ~gap
    line_in_erp = in_erp[line_order]

    # ERP customers: every pre-existing buyer plus every buyer with an order that reached the ERP.
    started = pop.acquired_day < start_day
    first_day = np.full(n_cust, np.iinfo(np.int64).max)
    np.minimum.at(first_day, cust[in_erp], day[in_erp])
    has_erp = (pop.is_buyer & started) | (first_day < np.iinfo(np.int64).max)
    created = np.where(started, pop.acquired_day, np.minimum(first_day, end_day))
    erp_idx = np.flatnonzero(has_erp)
    erp_idx = erp_idx[np.argsort(created[erp_idx], kind="stable")]
    codes = ids.take("erp_customer", len(erp_idx))
    erp_code = np.full(n_cust, "", dtype=object)
    erp_code[erp_idx] = numbers("CUST", codes, 6).to_list()
    erp_code = erp_code.astype(str)
    erp_s = pl.Series(erp_code.tolist(), dtype=pl.String)
    name = pl.Series(pop.names, dtype=pl.String)

    lines_df = _order_lines(
        orders,
        line_order,
        line_no,
        prod,
        qty,
        price,
        rate,
        net,
        tax,
        gross,
        cat,
        erp_s,
        name,
        pop,
        rep_names,
        end_day,
        rng,
        cfg.problems.soft_delete,
    )

    # Invoices: one per order and tax rate, issued at shipment.
    inv_key = line_order * 2 + svc
    keys, inv_of_line = np.unique(inv_key[line_in_erp], return_inverse=True)
    inv_order = keys // 2
    inv_svc = (keys % 2).astype(bool)
    lw = np.flatnonzero(line_in_erp)
    inv_net = np.round(np.bincount(inv_of_line, net[lw], len(keys)), 2)
    inv_tax = np.round(np.bincount(inv_of_line, tax[lw], len(keys)), 2)
    inv_cost = np.round(np.bincount(inv_of_line, cost[lw], len(keys)), 2)
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
    due_amount = np.round(head_gross + head_ret, 2)

    inv_rows = invoiced[inv_head]
    cn_rows = returned[inv_head]
    invoices = _invoice_frame(
        inv_no,
        cn_no,
        inv_head,
        inv_rows,
        cn_rows,
        ship,
        due,
        ret_day,
        orders.number,
        orders_with_inv,
        head_cust,
        erp_s,
        name,
        inv_svc,
        (inv_net, inv_tax, inv_gross, inv_cost),
        (r_net, r_tax, r_gross, r_cost),
    )

    # Receipts: paid at due date + the customer's delay of that month; some in two parts.
    m_idx = np.minimum(np.searchsorted(months, ship, side="right") - 1, paths.delay.shape[1] - 1)
    mean_delay = paths.delay[head_cust, m_idx]
    mean_delay = np.where(np.isnan(mean_delay), pop.delay_propensity[head_cust], mean_delay)
    pay_day = np.maximum(due + np.round(mean_delay + rng.normal(0, 3, len(due))), ship + 1)
    pay_day = next_business_day(pay_day.astype(np.int64), strictly_after=False)
    partial = rng.random(len(due)) < PARTIAL_PAYMENT_RATE
    first_share = np.round(rng.uniform(0.3, 0.7, len(due)), 2)
    first_day = np.maximum(ship + 1, pay_day - rng.integers(10, 40, len(due)))
    first_day = next_business_day(first_day, strictly_after=False)
    payable = invoiced & (due_amount > 0)
    amt1 = np.where(partial, np.round(due_amount * first_share, 2), due_amount)
    amt2 = np.round(due_amount - amt1, 2)
    p_head = np.r_[np.flatnonzero(payable), np.flatnonzero(payable & partial)]
    p_day = np.r_[np.where(partial, first_day, pay_day)[payable], pay_day[payable & partial]]
    p_amt = np.r_[amt1[payable], amt2[payable & partial]]
    paid_in_period = p_day <= end_day
    p_head, p_day, p_amt = p_head[paid_in_period], p_day[paid_in_period], p_amt[paid_in_period]
    o = np.lexsort((p_day, p_head))
    p_head, p_day, p_amt = p_head[o], p_day[o], p_amt[o]
    rc_seq = ids.take("receipt", len(p_head))
    receipts = _receipt_frame(
        p_head,
        p_day,
        p_amt,
        rc_seq,
        inv_no,
        due_amount,
        head_cust,
        erp_s,
        name,
        rng,
        cfg.problems.mixed_date_format,
    )

    gl = _gl_frame(
        ids,
        inv_no,
        cn_no,
        invoiced,
        returned,
        ship,
        ret_day,
        head_cust,
        erp_s,
        inv_head,
        inv_svc,
        (inv_net, inv_tax, inv_cost),
        (r_net, r_tax, r_cost),
        p_head,
        p_day,
        p_amt,
        receipts["收款单号"],
    )

    received_by_order = np.zeros(n_orders)
    np.add.at(received_by_order, orders_with_inv[p_head], p_amt)
    payments = pl.DataFrame(
        {
            "order": orders_with_inv[p_head],
            "day": p_day,
            "amount": p_amt,
            "method": receipts["结算方式"],
        }
    )
    # Truth revenue: net of invoiced orders less returns.
    rev = np.zeros(n_cust)
    mar = np.zeros(n_cust)
    inv_c = head_cust[inv_head]
    sel = inv_rows
    np.add.at(rev, inv_c[sel], inv_net[sel] + r_net[sel])
    np.add.at(mar, inv_c[sel], (inv_net - inv_cost + r_net - r_cost)[sel])

    customers = _customer_frame(
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


def _order_lines(
    orders: Orders,
    line_order: np.ndarray,
    line_no: np.ndarray,
    prod: np.ndarray,
    qty: np.ndarray,
    price: np.ndarray,
    rate: np.ndarray,
    net: np.ndarray,
    tax: np.ndarray,
    gross: np.ndarray,
    cat: Catalogue,
    erp_code: np.ndarray,
    name: np.ndarray,
    pop: Population,
    rep_names: dict[int, str],
    end_day: int,
    rng: np.random.Generator,
    soft_delete: float,
) -> pl.DataFrame:
    """Sales order lines in the ERP, plus cancelled copies (planted soft deletes)."""
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


def _invoice_frame(
    inv_no,
    cn_no,
    inv_head,
    inv_rows,
    cn_rows,
    ship,
    due,
    ret_day,
    order_number,
    orders_with_inv,
    head_cust,
    erp_code,
    name,
    inv_svc,
    amounts,
    returns,
) -> pl.DataFrame:
    """Invoice rows (one per invoice and rate) followed by their credit notes."""
    net, tax, gross, cost = amounts
    r_net, r_tax, r_gross, r_cost = returns
    rate = np.where(inv_svc, 6, 13)
    h = inv_head
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


MIXED_DATE_STYLES = ("slash", "chinese", "excel_serial")


def _receipt_frame(
    p_head, p_day, p_amt, seq, inv_no, due_amount, head_cust, erp_code, name, rng, mixed_rate
) -> pl.DataFrame:
    """Receipts with a few 收款日期 values in the formats people type by hand."""
    dates = date_strings(p_day)
    mixed = rng.random(len(p_day)) < mixed_rate
    style = rng.integers(0, 3, len(p_day))
    idx = np.flatnonzero(mixed)
    values = []
    for i in idx.tolist():
        y, mo, d = (int(x) for x in dates[i].split("-"))
        if style[i] == 0:
            values.append(f"{y}/{mo}/{d}")
        elif style[i] == 1:
            values.append(f"{y}年{mo}月{d}日")
        else:
            values.append(str(int(p_day[i]) + 25569))  # Excel serial (1900 system)
    if len(idx):
        dates = dates.scatter(idx, values)
    c = head_cust[p_head]
    return pl.DataFrame(
        {
            "收款单号": doc_numbers("SK", p_day, seq, 7),
            "收款日期": dates,
            "客户编码": take(erp_code, c),
            "客户名称": take(name, c),
            "结算方式": take(PAY_METHODS, rng.choice(5, len(c), p=[0.5, 0.3, 0.1, 0.05, 0.05])),
            "收款科目": const("1002", len(c)),
            "核销发票号码": take(inv_no, p_head),
            "应收金额": due_amount[p_head],
            "实收金额": p_amt,
            "单据状态": const("C", len(c)),
            "_drop": date_series(p_day),
            "_problem": flag(mixed, "mixed_date_format"),
            "_column": flag(mixed, "收款日期"),
            "_detail": flag_values(mixed, np.array(MIXED_DATE_STYLES)[style]),
        }
    )


def _gl_frame(
    ids,
    inv_no,
    cn_no,
    invoiced,
    returned,
    ship,
    ret_day,
    head_cust,
    erp_code,
    inv_head,
    inv_svc,
    amounts,
    returns,
    p_head,
    p_day,
    p_amt,
    receipt_no,
) -> pl.DataFrame:
    """Vouchers: invoice and credit-note postings, and receipt postings."""
    net, tax, cost = amounts
    r_net, r_tax, r_cost = returns
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


def _customer_frame(
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
    invalid_rate,
) -> pl.DataFrame:
    """ERP customer master; a few tax ids carry a wrong check digit (planted)."""

    tax = [pop.tax_id[i] for i in erp_idx.tolist()]
    invalid = (rng.random(len(erp_idx)) < invalid_rate) & np.array([t != "" for t in tax], bool)
    shifts = rng.integers(0, 30, len(erp_idx))
    for j in np.flatnonzero(invalid).tolist():
        tax[j] = corrupt_check_char(tax[j], int(shifts[j]))
    churned = paths.churn_month[erp_idx]
    long_gone = (churned >= 0) & (months[np.maximum(churned, 0)] < end_day - 180)
    return pl.DataFrame(
        {
            "客户编码": erp_code[erp_idx],
            "客户名称": [pop.names[i] for i in erp_idx.tolist()],
            "统一社会信用代码": tax,
            "客户分组": np.where(pop.kind[erp_idx] == 1, "个人", "企业"),
            "区域": [REGIONS[r][0] for r in pop.region[erp_idx].tolist()],
            "行业": [INDUSTRIES[k][1] for k in pop.industry[erp_idx].tolist()],
            "销售员": [rep_names[int(r)] for r in pop.rep[erp_idx].tolist()],
            "联系电话": primary_mobile[erp_idx].astype(str),
            "地址": [addresses[i] for i in erp_idx.tolist()],
            "禁用状态": np.where(long_gone, "B", "A"),
            "创建日期": date_strings(created[erp_idx]),
            "_drop": date_series(created[erp_idx]),
            "_problem": flag(invalid, "invalid_tax_id"),
            "_column": flag(invalid, "统一社会信用代码"),
        }
    )
