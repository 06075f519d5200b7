"""One chunk of customers at a time: their months, ERP and CRM documents, tickets and truth.

Chunks keep memory flat at any scale; each chunk draws from its own random streams (seeded by
the chunk number), so the output does not depend on anything but the seed and the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.behaviour import simulate_months
from simulator.contacts import PrimaryContacts
from simulator.crm_customers import build_crm_customers
from simulator.erp import build_erp
from simulator.identity_noise import (
    IdentityNoise,
    chunk_phones,
    plant_hard_negatives,
    share_group_domains,
)
from simulator.ids import IdCounters
from simulator.org import Organisation
from simulator.population import Population, slice_population
from simulator.products import Catalogue
from simulator.sales import build_sales
from simulator.scales import ScaleConfig
from simulator.service import build_tickets
from simulator.truth import TruthWriter
from simulator.truth_frames import churn_panel, identity_rows
from simulator.writers import CRM, ERP, ExtractWriter


@dataclass
class Company:
    """What every chunk shares: the configuration, the whole population and the writers."""

    cfg: ScaleConfig
    seed: int
    months: np.ndarray
    start_day: int
    end_day: int
    cat: Catalogue
    org: Organisation
    pop: Population
    contacts: PrimaryContacts
    addresses: list[str]
    all_reps: np.ndarray
    ids: IdCounters
    writer: ExtractWriter
    truth: TruthWriter
    dup_id_base: int


@dataclass
class Outcomes:
    """Per-customer results of the whole run, filled chunk by chunk (truth companies)."""

    revenue: np.ndarray
    margin: np.ndarray
    n_orders: np.ndarray
    churn_month: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Outcomes:
        """Zero revenue, margin and orders, and no churn month, for ``n`` customers."""
        return cls(
            np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        )


def simulate_chunk(co: Company, k: int, lo: int, hi: int, out: Outcomes) -> int:
    """Simulate customers ``lo:hi`` (chunk ``k``), write their files, fill ``out``.

    Returns the number of ERP order lines written (for progress messages).
    """
    cfg, pop, contacts, months = co.cfg, co.pop, co.contacts, co.months
    start_day, end_day, ids, rates = co.start_day, co.end_day, co.ids, co.cfg.problems
    rng = np.random.default_rng([co.seed, 1_000 + k])
    chunk = slice_population(pop, lo, hi)
    paths = simulate_months(chunk, months, rng)
    mobile = contacts.mobile[lo:hi]
    # identity variants draw from their own stream: the rest of the extract stays as it was
    vrng = np.random.default_rng([co.seed, 7_000 + k])
    chunk_addr = list(co.addresses[lo:hi])
    phones = chunk_phones(chunk, mobile, vrng)
    hard = plant_hard_negatives(chunk, chunk_addr, phones.landline, vrng)
    pop.names[lo:hi] = chunk.names
    pop.brand_pinyin[lo:hi] = chunk.brand_pinyin
    chunk_email = share_group_domains(contacts.email[lo:hi], hard)
    phones = phones.with_erp_phone(vrng)
    erp = build_erp(
        chunk,
        paths,
        months,
        co.cat,
        cfg,
        rng,
        ids,
        start_day,
        end_day,
        co.org.names,
        phones.erp_phone,
        chunk_addr,
    )
    sales = build_sales(chunk, paths, erp, months, rates, rng, ids, start_day, end_day)
    sub_contacts = type(contacts)(contacts.name[lo:hi], contacts.pinyin[lo:hi], mobile, chunk_email)
    crm = build_crm_customers(
        chunk,
        sub_contacts,
        chunk_addr,
        erp.erp_code,
        sales.deal_day,
        sales.last_followup,
        rates,
        rng,
        ids,
        co.dup_id_base,
        end_day,
        co.all_reps,
        IdentityNoise(phones, hard, vrng),
    )
    tickets = build_tickets(
        chunk, paths, months, crm.primary_contact_id, co.org.agents, rng, ids, end_day
    )
    writer = co.writer
    writer.csv("crm/wk_crm_customer.csv", crm.customers, CRM)
    writer.csv("crm/wk_crm_customer_data.csv", crm.custom_data, CRM)
    writer.csv("crm/wk_crm_contacts.csv", crm.contacts, CRM)
    writer.csv("crm/wk_crm_business.csv", sales.business, CRM)
    writer.csv("crm/wk_crm_business_change.csv", sales.changes, CRM)
    writer.csv("crm/wk_crm_contract.csv", sales.contracts, CRM)
    writer.csv("crm/wk_crm_receivables_plan.csv", sales.plans, CRM)
    writer.csv("crm/wk_crm_receivables.csv", sales.receivables, CRM)
    writer.csv("crm/wk_crm_activity.csv", sales.activities, CRM)
    writer.csv("crm/wk_crm_ticket.csv", tickets, CRM)
    writer.csv("erp/customers.csv", erp.customers, ERP)
    writer.csv("erp/sales_orders.csv", erp.order_lines, ERP)
    writer.csv("erp/sales_invoices.csv", erp.invoices, ERP)
    writer.csv("erp/receipts.csv", erp.receipts, ERP)
    writer.csv("erp/gl_entries.csv", erp.gl, ERP)

    co.truth.append("identity", identity_rows(crm.identity, chunk, erp.erp_code, phones, hard))
    co.truth.append("churn_monthly", churn_panel(chunk, paths, months))
    co.truth.append("sync_gaps", sales.sync_gaps)
    out.revenue[lo:hi] = erp.revenue_net
    out.margin[lo:hi] = erp.margin
    out.n_orders[lo:hi] = np.bincount(erp.orders.cust[~erp.orders.gap], minlength=hi - lo)
    out.churn_month[lo:hi] = paths.churn_month
    return erp.order_lines.height
