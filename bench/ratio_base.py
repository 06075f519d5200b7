"""What a side-by-side comparison is and returns, and the scratch warehouses it runs on."""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.context import BenchContext, reset_warehouse
from bench.measure import Measurement
from orchestration.settings import TandemSettings


@dataclass(frozen=True)
class RatioResult:
    """Paired repetitions of both sides of a comparison."""

    numerator: list[Measurement]
    denominator: list[Measurement]
    extra: dict[str, Any] = field(default_factory=dict)

    def paired(self) -> list[float]:
        """Numerator wall time over denominator wall time, repetition by repetition."""
        return [
            a.wall_seconds / b.wall_seconds
            for a, b in zip(self.numerator, self.denominator, strict=True)
            if b.wall_seconds > 0
        ]

    def value(self) -> dict[str, float]:
        """Median, min and max of the paired ratios."""
        pairs = self.paired()
        if not pairs:
            raise ValueError("no paired measurements to divide")
        return {
            "value": round(statistics.median(pairs), 4),
            "min": round(min(pairs), 4),
            "max": round(max(pairs), 4),
            "n": len(pairs),
        }


@dataclass(frozen=True)
class Ratio:
    """A comparison: ``numerator`` time over ``denominator`` time."""

    name: str
    title: str
    numerator: str
    denominator: str
    needs: str  # the last pipeline stage whose output the comparison starts from
    measure: Callable[[BenchContext], RatioResult] | None = None
    unavailable: str | None = None


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed DuckDB file (and its WAL, if a crash left one) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))


def scratch_warehouse(ctx: BenchContext, name: str) -> tuple[Path, TandemSettings]:
    """A fresh TANDEM_HOME ``ctx.work / name`` holding a copy of the stage home's build file."""
    home = ctx.work / name
    settings = ctx.settings(home)
    reset_warehouse(settings)
    copy_database(ctx.settings().build_db, settings.build_db)
    return home, settings
