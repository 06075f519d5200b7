"""What an RFM score means: the segment catalogue and grid, shared by ``models_ml.rfm`` and the
pandas notebook of the benchmark (so this module imports nothing but the standard library).
"""

from __future__ import annotations

from dataclasses import dataclass

MODEL_VERSION = "rfm-1"
WINDOW_DAYS = 365
SCORES = 5


@dataclass(frozen=True)
class Segment:
    """A named RFM segment, what it means and what marketing usually does with it."""

    key: str
    label: str
    meaning: str
    action: str


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "champions",
        "Champions",
        "Ordered recently, order often and spend the most.",
        "Reward them, ask for referrals and reviews, offer new products first.",
    ),
    Segment(
        "loyal",
        "Loyal",
        "Order often and spend well; not always the most recent.",
        "Upsell higher tiers, loyalty programme, keep the account manager close.",
    ),
    Segment(
        "potential_loyalist",
        "Potential loyalists",
        "Recent customers with middling frequency and spend.",
        "Offer a framework agreement or volume terms to make them regulars.",
    ),
    Segment(
        "new",
        "New or one-off",
        "Ordered recently, but rarely and for little so far.",
        "Onboard them: follow up on the first delivery, introduce the range.",
    ),
    Segment(
        "promising",
        "Promising",
        "Fairly recent buyers with low frequency and spend.",
        "Build the relationship: samples, trials, a visit by the sales rep.",
    ),
    Segment(
        "need_attention",
        "Need attention",
        "Middling on recency, frequency and spend alike.",
        "Time-limited offers based on what they bought before.",
    ),
    Segment(
        "about_to_sleep",
        "About to sleep",
        "Below-average recency, low frequency and spend.",
        "Reconnect with relevant products before they lapse.",
    ),
    Segment(
        "at_risk",
        "At risk",
        "Ordered well in the window, but not for a while.",
        "Personal outreach and renewal offers; check open tickets and overdue invoices.",
    ),
    Segment(
        "cannot_lose",
        "Cannot lose",
        "Among the best customers of the window, silent for a long time.",
        "Win them back: a call from the manager, find out what went wrong.",
    ),
    Segment(
        "hibernating",
        "Hibernating",
        "Last order long ago, low frequency and spend.",
        "A reactivation campaign with an offer; otherwise leave alone.",
    ),
    Segment(
        "lost",
        "Lost",
        "The lowest recency, frequency and spend.",
        "Low-cost win-back only.",
    ),
)

# segment of each (recency score, frequency-monetary score) cell: rows are the recency score
# 5 (most recent) .. 1, columns the frequency-monetary score 1 .. 5
SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "new", "potential_loyalist", "loyal", "champions"),
    4: ("promising", "promising", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"),
    1: ("lost", "lost", "at_risk", "at_risk", "cannot_lose"),
}
