"""Sample-data simulator: a company's CRM, ERP and ad-platform extracts with ground truth.

See docs/SAMPLE_DATA.md for every file written.
"""

from simulator.generate import generate
from simulator.scales import SCALES, ProblemRates, ScaleConfig

__all__ = ["SCALES", "ProblemRates", "ScaleConfig", "generate"]
