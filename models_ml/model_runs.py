"""One row per model run in ``ml.model_runs``, and the way a model says it cannot run.

Every model asset (RFM, churn, CLV, segments, channel ROI, ...) records each run here: its
version, parameters, the data window it learned from, its metrics, and whether it ran or was
skipped and why. The table lives in the build file and is appended to, so it keeps the history
of every build; the dashboards read the latest row per model to say why a score is missing.

A model that lacks data (too few customers, months, churners, a single class) raises
:class:`NotEnoughData` with a sentence a person can act on; the asset catches it, records a
``skipped`` run and lets the rest of the pipeline publish.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal

RunStatus = Literal["ok", "skipped"]

CREATE_SQL = """
create table if not exists ml.model_runs (
    model varchar not null,
    model_version varchar not null,
    as_of_date date,
    run_at timestamp not null,
    status varchar not null,
    reason varchar,
    parameters json,
    data_window varchar,
    metrics json,
    rows_written bigint
)
"""


class NotEnoughData(Exception):
    """A model cannot be trained or scored on this data; ``reason`` says why and what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ModelRun:
    """What one run of one model did."""

    model: str
    model_version: str
    as_of_date: dt.date | None
    status: RunStatus = "ok"
    reason: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    data_window: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    rows_written: int = 0

    @classmethod
    def skipped(
        cls, model: str, model_version: str, as_of_date: dt.date | None, reason: str
    ) -> ModelRun:
        """The run of a model that did not run, with the reason a person reads."""
        return cls(model, model_version, as_of_date, status="skipped", reason=reason)


def _json(value: dict[str, Any]) -> str:
    # numpy and date values appear in metrics; str() keeps them readable instead of failing
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record_model_run(con, run: ModelRun, run_at: dt.datetime | None = None) -> None:
    """Append ``run`` to ``ml.model_runs`` (creating the schema and table when needed)."""
    con.execute("create schema if not exists ml")
    con.execute(CREATE_SQL)
    con.execute(
        "insert into ml.model_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.model,
            run.model_version,
            run.as_of_date,
            run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
            run.status,
            run.reason,
            _json(run.parameters),
            run.data_window,
            _json(run.metrics),
            run.rows_written,
        ],
    )


def latest_runs(con) -> list[dict[str, Any]]:
    """The newest run of every model (empty when no model has run yet)."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'ml' and table_name = 'model_runs'"
    ).fetchall()[0][0]
    if not exists:
        return []
    cursor = con.execute(
        """
        select * from ml.model_runs
        qualify row_number() over (partition by model order by run_at desc) = 1
        order by model
        """
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
