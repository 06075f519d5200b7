"""One generation per session: tiny (full and daily drops) and small (for planted rates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import generate

SEED = 7


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("tiny") / "data"
    return out, generate(out, scale="tiny", seed=SEED)


@pytest.fixture(scope="session")
def tiny_drops(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("tiny_drops") / "data"
    return out, generate(out, scale="tiny", seed=SEED, daily_drops=True)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small") / "data"
    return out, generate(out, scale="small", seed=SEED)
