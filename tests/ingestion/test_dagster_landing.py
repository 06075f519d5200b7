"""Real Dagster runs on a real DuckDB file: raw assets, GX checks, drops, sensor, backfill."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.landing import (
    DAILY_DROP_JOB,
    DROPS_PARTITIONS_NAME,
    LAND_RAW_JOB,
    backfill_all_drops,
    land_daily_drop,
    land_extracts,
    landing_requests,
    landing_sensor,
    raw_quality_checks,
)
from orchestration.resources import TandemConfig
from orchestration.settings import TandemSettings

from .conftest import INVOICE_HEADER, invoice_row, write_csv


def q(settings: TandemSettings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_raw_assets_and_gx_checks_materialize(tiny_extract: Path, tandem_home) -> None:
    shutil.copytree(tiny_extract, tandem_home.landing_dir, dirs_exist_ok=True)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [land_extracts, raw_quality_checks],
            instance=instance,
            resources={"tandem": TandemConfig(home=str(tandem_home.root))},
        )
    assert result.success
    materialized = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert len(materialized) == 25
    manifest = json.loads((tiny_extract / "truth/manifest.json").read_text("utf-8"))["files"]
    invoices = manifest["erp/sales_invoices.csv"]["rows"]
    assert materialized["raw_erp/sales_invoices"]["rows_landed"].value == invoices
    quarantined = materialized["raw_erp/receipts"]["files_quarantined"].value
    assert quarantined == ["erp/receipts_resend.csv"]
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 25
    failed = [c for c in checks if not c.passed]
    # every raw suite passes on the simulated data, except where the simulator plants problems
    # the checks are meant to see: they warn, never block
    assert all(c.severity == dg.AssetCheckSeverity.WARN for c in failed)
    assert {c.asset_key.to_user_string() for c in checks if c.passed} >= {
        "raw_erp/sales_invoices",
        "raw_crm/customers",
    }
    stored = q(
        tandem_home,
        "select count(distinct suite), bool_and(success or not blocking) "
        "from raw_meta.quality_results",
    )
    assert stored == [(25, True)]


def test_blocking_check_fails_on_a_duplicate_key_within_a_file(tandem_home) -> None:
    write_csv(
        tandem_home.landing_dir / "erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(1), invoice_row(2)],
        "gb18030",
    )
    resources = {"tandem": TandemConfig(home=str(tandem_home.root))}
    with dg.instance_for_test() as instance:
        assert dg.materialize([land_extracts], instance=instance, resources=resources).success
        # corrupt raw behind the landing's back: the check must catch what landing promises
        with duckdb.connect(str(tandem_home.build_db)) as con:
            con.execute("update raw_erp.sales_invoices set invoice_no = 'FP00000001'")
        result = dg.materialize(
            [land_extracts, raw_quality_checks],
            instance=instance,
            resources=resources,
            selection=dg.AssetSelection.checks_for_assets(land_extracts),
            raise_on_error=False,
        )
    evaluation = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.asset_key.to_user_string() == "raw_erp/sales_invoices"
    )
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "expect_compound_columns_to_be_unique" in evaluation.metadata["failures"].value


def test_sensor_adds_drop_partitions_and_requests_runs(tiny_drops: Path, tandem_home) -> None:
    shutil.copytree(tiny_drops, tandem_home.landing_dir, dirs_exist_ok=True)
    drops = sorted(p.name for p in (tandem_home.landing_dir / "drops").iterdir())
    resources = {"tandem": TandemConfig(home=str(tandem_home.root))}
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources=resources)
        result = landing_sensor(context)
        assert [r.partition_key for r in result.run_requests] == drops
        assert {r.job_name for r in result.run_requests} == {DAILY_DROP_JOB}
        assert result.dynamic_partitions_requests[0].partition_keys == drops
        # nothing new: nothing requested
        again = landing_sensor(
            dg.build_sensor_context(instance=instance, resources=resources, cursor=result.cursor)
        )
        assert again.run_requests == []
    # a full extract dropped next to the drops asks for the land_raw job
    write_csv(
        tandem_home.landing_dir / "erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(1)],
        "gb18030",
    )
    requests, new, _ = landing_requests(tandem_home.landing_dir, {}, set(drops))
    assert new == []
    assert [r.job_name for r in requests] == [DAILY_DROP_JOB] * 3 + [LAND_RAW_JOB]


def test_daily_drop_partition_run_and_backfill(tiny_drops: Path, tandem_home) -> None:
    shutil.copytree(tiny_drops, tandem_home.landing_dir, dirs_exist_ok=True)
    drops = sorted(p.name for p in (tandem_home.landing_dir / "drops").iterdir())
    tandem = TandemConfig(home=str(tandem_home.root))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(DROPS_PARTITIONS_NAME, [drops[0]])
        first = land_daily_drop.execute_in_process(
            partition_key=drops[0], instance=instance, resources={"tandem": tandem}
        )
        assert first.success
        events = first.get_asset_materialization_events()
        assert events and all(
            e.step_materialization_data.materialization.metadata["drop_date"].value == drops[0]
            for e in events
        )
        after_first = q(tandem_home, "select count(*) from raw_meta.file_ledger")[0][0]
        results = backfill_all_drops(instance, tandem)
        assert [r.success for r in results] == [True, True, True]
        assert set(instance.get_dynamic_partitions(DROPS_PARTITIONS_NAME)) == set(drops)
    files = sum(1 for p in tandem_home.landing_dir.rglob("*.*") if p.is_file())
    ledger = q(tandem_home, "select count(*), count(distinct drop_date) from raw_meta.file_ledger")
    assert ledger == [(files, 3)]
    assert after_first < files
    # the first drop was landed once, not twice, although the backfill ran it again
    assert (
        q(tandem_home, f"select count(*) from raw_meta.file_ledger where drop_date = '{drops[0]}'")[
            0
        ][0]
        == after_first
    )


def test_definitions_resolve_with_landing_jobs_and_sensor() -> None:
    from orchestration.definitions import defs

    defs.resolve_asset_graph()
    names = {job.name for job in defs.jobs}
    for name in names:
        defs.resolve_job_def(name)
    assert {DAILY_DROP_JOB, LAND_RAW_JOB} <= names
    assert defs.resolve_sensor_def("landing_sensor").name == "landing_sensor"
    pipeline = defs.resolve_job_def("tandem_pipeline")
    assert pipeline.partitions_def is None


@pytest.mark.parametrize("use_dir", [True])
def test_tandem_land_command_lands_a_given_folder(
    tandem_home, tmp_path: Path, use_dir: bool
) -> None:
    from orchestration.commands.land import execute_land

    elsewhere = tmp_path / "exports"
    write_csv(
        elsewhere / "erp/sales_invoices.csv",
        INVOICE_HEADER,
        [invoice_row(n) for n in range(1, 4)],
        "gb18030",
    )
    summary = execute_land(elsewhere if use_dir else None, log_level="WARNING")
    assert summary.status == "success"
    landing_stage = next(s for s in summary.stages if s.stage == "land_extracts")
    assert landing_stage.rows == 3
    assert q(tandem_home, "select _file, count(*) from raw_erp.sales_invoices group by 1") == [
        ("erp/sales_invoices.csv", 3)
    ]


def test_a_quarantine_stays_on_its_asset_until_a_good_version_lands(tandem_home) -> None:
    invoices = tandem_home.landing_dir / "erp/sales_invoices.csv"
    # the invoice number (the key) is missing: the file is quarantined whole
    write_csv(invoices, INVOICE_HEADER[1:], [invoice_row(1)[1:]], "gb18030")
    resources = {"tandem": TandemConfig(home=str(tandem_home.root))}

    def open_quarantines(instance: dg.DagsterInstance) -> list[str]:
        result = dg.materialize([land_extracts], instance=instance, resources=resources)
        assert result.success
        metadata = {
            e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
            for e in result.get_asset_materialization_events()
        }
        assert metadata["raw_crm/customers"]["quarantine_open"].value == []
        return metadata["raw_erp/sales_invoices"]["quarantine_open"].value

    with dg.instance_for_test() as instance:
        first = open_quarantines(instance)
        assert len(first) == 1 and first[0].startswith("erp/sales_invoices.csv (quarantined ")
        assert "发票号码" in first[0]  # the first problem names the missing column
        # a run that lands nothing new still shows it on the asset
        assert open_quarantines(instance) == first
        # a good version of the same file closes it
        write_csv(invoices, INVOICE_HEADER, [invoice_row(1), invoice_row(2)], "gb18030")
        assert open_quarantines(instance) == []
        assert q(tandem_home, "select count(*) from raw_erp.sales_invoices") == [(2,)]
        # a second bad file is dismissed by deleting its copy from quarantine/
        write_csv(invoices, INVOICE_HEADER[1:], [invoice_row(3)[1:]], "gb18030")
        assert len(open_quarantines(instance)) == 1
        for kept in (tandem_home.quarantine_dir / "erp").glob("sales_invoices.*.csv"):
            kept.unlink()
        assert open_quarantines(instance) == []
