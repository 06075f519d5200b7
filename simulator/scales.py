"""Scale presets and planted-problem rates for the sample-data simulator."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProblemRates:
    """How often each data-quality problem is planted (fractions of the rows they apply to)."""

    crm_duplicate: float = 0.06  # share of true CRM customers that get a duplicate record
    no_shared_key: float = 0.35  # buying companies with neither ERP code nor tax id in the CRM
    erp_code_in_crm: float = 0.45  # of the rest: share carrying the ERP code custom field
    sync_gap: float = 0.03  # won CRM contracts whose ERP order never arrives
    soft_delete: float = 0.01  # soft-deleted rows in files that support them
    mixed_date_format: float = 0.02  # date values written in a non-standard format
    invalid_tax_id: float = 0.01  # ERP companies whose tax id fails its check digit
    deleted_campaigns: int = 2  # Baidu campaigns shown with the [已删除] suffix
    unit_fen: bool = True  # Tencent ads cost written as integer fen
    truncated_file: bool = True  # a receipts re-send (drops: one receipts file) cut mid-row


@dataclass(frozen=True)
class ScaleConfig:
    """Size of the simulated company; order volume follows from the behaviour model."""

    name: str
    customers: int  # true customers (companies and persons that became CRM customers)
    products: int
    target_order_lines: int  # what the behaviour knobs below are tuned to produce
    chunk_customers: int  # customers simulated per chunk (bounds peak memory)
    reps: int  # sales reps
    agents: int  # service agents
    purchase_rate: float  # mean orders per active buyer and month
    lines_per_order: float  # mean order lines per order
    problems: ProblemRates = field(default_factory=ProblemRates)


SCALES: dict[str, ScaleConfig] = {
    "tiny": ScaleConfig("tiny", 200, 40, 5_000, 50_000, 8, 3, 0.56, 2.6),
    "small": ScaleConfig("small", 5_000, 200, 150_000, 50_000, 40, 10, 0.54, 3.6),
    "medium": ScaleConfig("medium", 50_000, 1_000, 2_000_000, 5_000, 200, 40, 0.58, 4.4),
    "large": ScaleConfig("large", 500_000, 2_000, 20_000_000, 5_000, 1_500, 300, 0.58, 4.4),
}


def get_scale(name: str) -> ScaleConfig:
    """Return the preset called ``name`` or raise a ValueError listing the valid ones."""
    try:
        return SCALES[name]
    except KeyError:
        valid = ", ".join(SCALES)
        raise ValueError(f"unknown scale {name!r}: choose one of {valid}") from None
