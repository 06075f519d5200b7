"""The `tandem` entry point: its commands, and one-line reasons on failure."""

from __future__ import annotations

import json
import shutil

from orchestration.settings import TandemSettings
from tests.conftest import run_tandem
from tests.foundation.invoices import INVOICES, write_erp_extract


def test_help_lists_every_command() -> None:
    completed = run_tandem("--help")
    assert completed.returncode == 0
    for command in ("generate", "land", "build", "run", "serve", "export-segment", "bench"):
        assert command in completed.stdout


def test_installed_console_script_is_on_the_venv_path() -> None:
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("tandem")
    assert script.exists(), "the `tandem` console script is missing: run `uv sync`"
    assert shutil.which(str(script))


def test_serve_without_a_published_warehouse_fails_in_one_line(
    tandem_home: TandemSettings,
) -> None:
    completed = run_tandem("serve")
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert lines == [
        f"tandem serve: no published warehouse at {tandem_home.serving_db}: run `tandem run`"
    ]


def test_unknown_scale_is_refused_by_the_parser() -> None:
    completed = run_tandem("generate", "--scale", "huge")
    assert completed.returncode == 2
    assert "invalid choice: 'huge'" in completed.stderr


def test_build_on_an_empty_home_fails_at_once_saying_how_to_land(
    tandem_home: TandemSettings,
) -> None:
    # before issue #18 this built for minutes and failed at ml_revenue_trend
    completed = run_tandem("build", "--json")
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.strip().splitlines() == [
        f"tandem build: nothing has landed in {tandem_home.build_db} yet: put extracts in "
        f"{tandem_home.landing_dir} and run `tandem run`"
    ]


def test_land_from_another_folder_reports_rows_and_quarantine(
    tandem_home: TandemSettings, tmp_path
) -> None:
    elsewhere = tmp_path / "exports"
    write_erp_extract(elsewhere)
    (elsewhere / "erp" / "sales_orders.csv").write_bytes(b"")  # an empty extract
    completed = run_tandem("land", str(elsewhere), "--json")
    assert completed.returncode == 0, completed.stderr[-2000:]
    stages = {s["stage"]: s for s in json.loads(completed.stdout)["stages"]}
    assert stages["land_extracts"]["rows"] == len(INVOICES) + 3
    assert stages["land_extracts"]["problems"] == [
        "quarantined erp/sales_orders.csv (see quarantine/)"
    ]
    assert not any(tandem_home.landing_dir.rglob("*.csv"))  # nothing was copied into landing
