"""Running id counters shared by all chunks, so ids stay unique and deterministic."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class IdCounters:
    """Next free number per id sequence; ``take`` hands out a contiguous block."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, sequence: str, n: int, first: int = 1) -> np.ndarray:
        """Reserve ``n`` consecutive ids of ``sequence`` (starting at ``first`` the first time)."""
        start = self.next.get(sequence, first)
        self.next[sequence] = start + n
        return np.arange(start, start + n, dtype=np.int64)


def batch_id(customer_id: int) -> str:
    """The 32-hex-character WukongCRM batch id of a customer, derived from its id (stable)."""
    x = (customer_id * 0x9E3779B97F4A7C15) % (1 << 64)
    y = (customer_id * 0xC2B2AE3D27D4EB4F + 0x165667B19E3779F9) % (1 << 64)
    return f"{x:016x}{y:016x}"
