"""Monthly latent behaviour: purchases, payment delays, tickets, follow-ups and churn.

Churn hazard in month m (probability a buyer stops buying from that month on):
    h = 1 - exp(-base_hazard * exp(B_DELAY * delay + B_TICKETS * tickets + B_SILENCE * silence))
with delay = mean payment delay (days, capped at 60) of the last three months' orders,
tickets = tickets in the last three months (capped at 6), silence = 1 when there was no
follow-up in the last three months. Churned customers stop buying for good.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.population import Population

B_DELAY = 0.03
B_TICKETS = 0.25
B_SILENCE = 0.9
WINDOW = 3


@dataclass
class MonthlyPaths:
    """[customer, month] matrices for one chunk."""

    orders: np.ndarray
    delay: np.ndarray  # mean payment delay drawn for that month's orders (NaN without orders)
    tickets: np.ndarray
    followups: np.ndarray
    hazard: np.ndarray
    alive: np.ndarray  # buyer is a customer at the start of the month
    churn_month: np.ndarray  # month index of churn, -1 if never
    acq_month: np.ndarray


def simulate_months(pop: Population, months: np.ndarray, rng: np.random.Generator) -> MonthlyPaths:
    """Run the month-by-month process for a chunk of customers (vectorised over customers)."""
    n = len(pop.true_id)
    n_m = len(months) - 1
    acq_month = np.clip(np.searchsorted(months, pop.acquired_day, side="right") - 1, 0, n_m - 1)
    started = pop.acquired_day < months[0]
    orders = np.zeros((n, n_m), dtype=np.int32)
    delay = np.full((n, n_m), np.nan, dtype=np.float32)
    tickets = np.zeros((n, n_m), dtype=np.int32)
    followups = np.zeros((n, n_m), dtype=np.int32)
    hazard = np.zeros((n, n_m), dtype=np.float32)
    alive = np.zeros((n, n_m), dtype=bool)
    churn_month = np.full(n, -1, dtype=np.int32)
    is_alive = pop.is_buyer.copy()
    for m in range(n_m):
        acquired = started | (acq_month <= m)
        first_month = ~started & (acq_month == m)
        age = np.maximum(0, m - acq_month) + np.where(started, 12, 0)
        lo = max(0, m - WINDOW)
        if m > 0:
            win_delay = delay[:, lo:m]
            has = ~np.isnan(win_delay)
            mean_delay = np.where(
                has.any(axis=1), np.nansum(win_delay, axis=1) / np.maximum(has.sum(axis=1), 1), 0.0
            )
            recent_tickets = tickets[:, lo:m].sum(axis=1)
            silence = (followups[:, lo:m].sum(axis=1) == 0) & (m - lo >= WINDOW) & (age >= WINDOW)
        else:
            mean_delay = np.zeros(n)
            recent_tickets = np.zeros(n)
            silence = np.zeros(n, dtype=bool)
        risk = (
            B_DELAY * np.minimum(np.maximum(mean_delay, 0), 60)
            + B_TICKETS * np.minimum(recent_tickets, 6)
            + B_SILENCE * silence
        )
        h = 1.0 - np.exp(-pop.base_hazard * np.exp(risk))
        at_risk = is_alive & acquired & ~first_month
        h = np.where(at_risk, h, 0.0)
        churn = at_risk & (rng.random(n) < h)
        churn_month[churn] = m
        is_alive = is_alive & ~churn
        active = is_alive & acquired
        alive[:, m] = active
        hazard[:, m] = h
        # Reps follow up less as an account ages (fast for the accounts that get neglected),
        # and hardly at all once a customer has gone quiet.
        f_rate = pop.followup_rate * np.exp(-pop.followup_fade * age)
        f_rate = np.where(acquired, f_rate, 0.0) * np.where(pop.is_buyer & ~is_alive, 0.15, 1.0)
        followups[:, m] = rng.poisson(f_rate)
        k = rng.poisson(np.where(active, pop.purchase_rate, 0.0))
        k = np.where(active & first_month, np.maximum(k, 1), k)  # the won deal is an order
        orders[:, m] = k
        d = pop.delay_propensity * rng.gamma(2.0, 0.5, n) - 3.0
        delay[:, m] = np.where(k > 0, d, np.nan)
        tickets[:, m] = rng.poisson(np.where(active, pop.ticket_rate * (1 + 0.6 * k), 0.0))
    return MonthlyPaths(orders, delay, tickets, followups, hazard, alive, churn_month, acq_month)
