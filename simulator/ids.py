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
