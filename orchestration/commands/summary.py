"""What a `tandem land|build|run` reports: one summary per run, one line per stage.

Kept apart from ``pipeline.py`` so that the commands that end before any build (an empty home,
nothing new to land) print a summary without importing Dagster (about 5 CPU s).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StageSummary:
    stage: str
    status: str
    seconds: float
    rows: int | None = None  # None: the step reports no row counts (e.g. dbt)
    problems: list[str] = field(default_factory=list)
    # landing steps: the files by fate (quarantined, skipped as already landed, unmatched ...)
    files: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class RunSummary:
    command: str
    status: str
    run_id: str
    seconds: float
    stages: list[StageSummary]
    # the quality gate's verdict: blocked, message, failed_checks, warnings, alerts
    quality: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def failed(self) -> bool:
        return self.status != "success"
