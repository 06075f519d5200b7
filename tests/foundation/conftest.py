"""The thin slice's first run, shared by the modules that start from it.

The pipeline slice (test_pipeline_slice.py) and the quality gate (test_quality_gate.py) both begin
with one `tandem run` of the same hand-written ERP extract (tests/foundation/invoices.py). The
session pays for that run once, in a folder every xdist worker sees, under a file lock; each module
works on its own copy (:func:`tests.conftest.copy_home`), so the shared home stays as the first
run left it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from filelock import FileLock

from orchestration.settings import TandemSettings
from tests.conftest import run_tandem, shared_dir
from tests.foundation.invoices import write_erp_extract

# a tiny run takes 2-3 min on an idle machine; a loaded one needs far longer
RUN_TIMEOUT = 1800


@pytest.fixture(scope="session")
def slice_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Path, dict]:
    """(home, JSON summary) of the first `tandem run` of the slice's ERP extract: read only."""
    root = shared_dir(tmp_path_factory, worker_id) / "slice-run"
    root.mkdir(exist_ok=True)
    home, summary = root / "home", root / "run.json"
    with FileLock(root / ".lock"):
        if not summary.exists():
            write_erp_extract(TandemSettings(home=home).landing_dir)
            completed = run_tandem(
                "run", "--json", env={"TANDEM_HOME": str(home)}, timeout=RUN_TIMEOUT
            )
            assert completed.returncode == 0, completed.stderr[-3000:]
            summary.write_text(completed.stdout, encoding="utf-8")
    return home, json.loads(summary.read_text(encoding="utf-8"))
