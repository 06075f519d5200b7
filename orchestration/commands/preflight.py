"""Checks before a long run: say what is missing and how to land it, in seconds, not minutes.

``tandem run`` and ``tandem build`` on an empty home used to build for minutes and end in a model's
traceback. :func:`check_home` looks at the landing folder and the file ledger first: with nothing
landed and nothing to land it fails in one line that says where to put extracts; with some
entities missing it names them (the rest still builds: their raw tables build empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.contracts import Contract, load_contracts
from ingestion.landing import list_extract_files, match_contract
from ingestion.ledger import LEDGER_TABLE
from orchestration.settings import TandemSettings


class NothingToBuild(RuntimeError):
    """The home holds no extract, landed or waiting; the message says how to get some."""


@dataclass
class HomeState:
    """Which contracts have data landed, which have files waiting in landing/, which have none."""

    landed: set[str] = field(default_factory=set)
    waiting: set[str] = field(default_factory=set)
    missing: list[Contract] = field(default_factory=list)


def landed_entities(build_db: Path) -> set[str]:
    """``source.entity`` of every contract with a landed file in the ledger (empty: no build)."""
    if not build_db.exists():
        return set()
    try:
        with duckdb.connect(str(build_db), read_only=True) as con:
            rows = con.execute(
                f"select distinct source || '.' || entity from {LEDGER_TABLE} "
                "where status = 'landed'"
            ).fetchall()
    except duckdb.CatalogException:
        return set()  # a build file without a ledger: nothing landed
    return {row[0] for row in rows}


def home_state(settings: TandemSettings, contracts: list[Contract] | None = None) -> HomeState:
    """What the home holds, per contract."""
    contracts = load_contracts() if contracts is None else contracts
    state = HomeState(landed=landed_entities(settings.build_db))
    for _, relative in list_extract_files(settings.landing_dir):
        contract = match_contract(relative, contracts)
        if contract is not None:
            state.waiting.add(contract.name)
    state.missing = [
        c for c in contracts if c.name not in state.landed and c.name not in state.waiting
    ]
    return state


def check_home(command: str, settings: TandemSettings) -> list[str]:
    """Raise :class:`NothingToBuild` for an empty home; else warnings naming missing entities."""
    state = home_state(settings)
    if command == "build" and not state.landed:
        hint = (
            "run `tandem land` (or `tandem run`) first"
            if state.waiting
            else f"put extracts in {settings.landing_dir} and run `tandem run`"
        )
        raise NothingToBuild(f"nothing has landed in {settings.build_db} yet: {hint}")
    if command == "run" and not state.landed and not state.waiting:
        raise NothingToBuild(
            f"nothing to build: no extract has landed and {settings.landing_dir} holds no file "
            "a contract claims. Put your ERP/CRM extracts there (README: Use your own extracts) "
            "or write sample data with `tandem generate --scale tiny`, then `tandem run`"
        )
    if not state.missing:
        return []
    shown = ", ".join(f"{c.name} ({c.file_pattern})" for c in state.missing[:6])
    more = f" and {len(state.missing) - 6} more" if len(state.missing) > 6 else ""
    return [
        f"no data for {len(state.missing)} of the contracts, their tables build empty: "
        f"{shown}{more}; drop such files in {settings.landing_dir} to fill them"
    ]
