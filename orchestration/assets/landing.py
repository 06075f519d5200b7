"""Raw assets, their quality checks, the daily-drop job, the landing sensor and the backfill.

Two ways into the same raw tables (landing is idempotent, keyed by file hash, so both can run):

- ``land_extracts``: one unpartitioned multi-asset, part of the main pipeline (``tandem run``,
  ``tandem land``). It lands everything new under ``landing/``: full extracts first, then every
  drop folder in date order.
- ``land_daily_drop``: a job partitioned by drop date (dynamic partitions, one per
  ``landing/drops/YYYY-MM-DD`` folder) over an op that lands one drop and reports the raw assets
  it touched. A partitioned job of its own keeps the main pipeline's assets unpartitioned, which
  Dagster requires to run them in one job. ``landing_sensor`` adds a partition per new drop folder
  and requests its run; a backfill over all partitions (Dagster UI, or
  :func:`backfill_all_drops`) lands every drop in date order.
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

import dagster as dg

from data_tests.raw_checks import build_raw_quality_checks, run_raw_suites
from ingestion.contracts import Contract, load_contracts
from ingestion.landing import LandingReport, drop_folders, land_directory, list_extract_files
from orchestration.resources import TandemConfig, sensor_status

LANDING_GROUP = "raw"
DROPS_PARTITIONS_NAME = "landing_drops"
DAILY_DROP_JOB = "land_daily_drop"
LAND_RAW_JOB = "land_raw"

drop_partitions = dg.DynamicPartitionsDefinition(name=DROPS_PARTITIONS_NAME)
_CONTRACTS = load_contracts()


def raw_asset_key(source: str, entity: str) -> dg.AssetKey:
    # the same key dagster-dbt gives the dbt source `raw_<source>.<entity>`, so lineage joins up
    return dg.AssetKey([f"raw_{source}", entity])


def contract_asset_key(contract: Contract) -> dg.AssetKey:
    return raw_asset_key(contract.source, contract.entity)


class LandingConfig(dg.Config):
    """Where to land from; empty means ``TANDEM_HOME/landing``."""

    landing_dir: str = ""


def _landing_dir(tandem: TandemConfig, config: LandingConfig | None = None) -> Path:
    if config is not None and config.landing_dir:
        return Path(config.landing_dir).expanduser().resolve()
    return tandem.settings().landing_dir


def _log_outcomes(log: dg.DagsterLogManager, report: LandingReport) -> None:
    for outcome in report.files:
        if outcome.status in ("quarantined", "failed", "unmatched"):
            log.warning(f"{outcome.file}: {outcome.status}: {'; '.join(outcome.problems[:3])}")
    for name, waiting in report.open_quarantines.items():
        for entry in waiting:
            log.warning(f"{name}: still quarantined, waiting for a good version: {entry}")
    log.info(
        f"batch {report.batch_id}: {report.count('landed')} files landed ({report.rows:,} rows), "
        f"{report.count('skipped')} already landed, {report.count('quarantined')} quarantined, "
        f"{report.count('unmatched')} matched no contract, "
        f"{report.count('failed')} failed in {report.seconds:.1f} s"
    )


def _entity_metadata(report: LandingReport, contract: Contract) -> dict[str, object]:
    mine = [f for f in report.files if f.entity == contract.name]
    return {
        "rows_landed": sum(f.rows for f in mine if f.status == "landed"),
        "rows_rejected": sum(f.rejected_rows for f in mine),
        "files_landed": sum(1 for f in mine if f.status == "landed"),
        "files_skipped": sum(1 for f in mine if f.status == "skipped"),
        "files_quarantined": [f.file for f in mine if f.status == "quarantined"],
        # every quarantine of this table still waiting for a good version, from any run
        "quarantine_open": report.open_quarantines.get(contract.name, []),
        "files_failed": [f.file for f in mine if f.status == "failed"],
        "skipped_files": [f.file for f in mine if f.status == "skipped"],
        # files of no contract belong to the landing as a whole: every raw asset names them
        "files_unmatched": [f.file for f in report.files if f.status == "unmatched"],
        "batch_id": report.batch_id,
        "duckdb_memory_limit": report.duckdb_memory_limit,
    }


def _raw_specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            contract_asset_key(c),
            description=(
                f"{c.description} Append-only landing of `{c.file_pattern}` per contract "
                f"{c.path.name}, with lineage columns."
            ),
            group_name=LANDING_GROUP,
            kinds={"duckdb"},
            metadata={"contract": c.path.name, "primary_key": ", ".join(c.primary_key)},
        )
        for c in _CONTRACTS
    ]


@dg.multi_asset(specs=_raw_specs(), name="land_extracts", can_subset=False)
def land_extracts(context: dg.AssetExecutionContext, tandem: TandemConfig, config: LandingConfig):
    """Land new files from ``landing/`` into ``raw_*`` tables (a file lands whole or not at all)."""
    settings = tandem.settings()
    settings.ensure_dirs()
    report = land_directory(
        settings.build_db,
        _landing_dir(tandem, config),
        contracts=_CONTRACTS,
        progress=context.log.info,
        quarantine_dir=settings.quarantine_dir,
        duckdb_config=settings.duckdb_config("landing"),
    )
    _log_outcomes(context.log, report)
    for contract in _CONTRACTS:
        yield dg.MaterializeResult(
            asset_key=contract_asset_key(contract), metadata=_entity_metadata(report, contract)
        )
    failed = [f for f in report.files if f.status == "failed"]
    if failed:
        # the machine failed (disk, memory), not the file: stop here rather than build on a
        # partial landing; the next run retries the file
        raise dg.Failure(
            f"{len(failed)} file(s) could not be landed: "
            + "; ".join(f.problems[0] if f.problems else f.file for f in failed[:3])
        )


raw_quality_checks = build_raw_quality_checks(
    _CONTRACTS,
    contract_asset_key,
    lambda context: context.resources.tandem.settings().build_db,
    {"tandem"},
)


# ------------------------------------------------------------------------------- daily drops


@dg.op(required_resource_keys={"tandem"})
def land_drop(context: dg.OpExecutionContext) -> None:
    """Land one drop folder (the run's partition) and validate the raw tables it touched."""
    drop = context.partition_key
    tandem: TandemConfig = context.resources.tandem
    settings = tandem.settings()
    settings.ensure_dirs()
    folders = drop_folders(settings.landing_dir)
    if drop not in folders:
        raise dg.Failure(f"no drop folder for {drop} under {settings.landing_dir}")
    report = land_directory(
        settings.build_db,
        settings.landing_dir,
        contracts=_CONTRACTS,
        progress=context.log.info,
        quarantine_dir=settings.quarantine_dir,
        duckdb_config=settings.duckdb_config("landing"),
        subdir=folders[drop],
    )
    _log_outcomes(context.log, report)
    touched = [c for c in _CONTRACTS if any(f.entity == c.name for f in report.files)]
    landed = [c for c in touched if _entity_metadata(report, c)["rows_landed"]]
    quality = {r.raw_table: r for r in run_raw_suites(settings.build_db, landed)}
    for contract in touched:
        suite = quality.get(contract.raw_table)
        context.log_event(
            dg.AssetMaterialization(
                asset_key=contract_asset_key(contract),
                description=f"drop {drop}",
                metadata={
                    **_entity_metadata(report, contract),
                    "drop_date": drop,
                    "quality": "not run"
                    if suite is None
                    else ("passed" if suite.success else "; ".join(suite.failures)),
                },
            )
        )


@dg.job(
    name=DAILY_DROP_JOB,
    partitions_def=drop_partitions,
    description="Land one daily drop folder (partition = drop date) into the raw tables.",
)
def land_daily_drop() -> None:
    land_drop()


land_raw_job = dg.define_asset_job(
    LAND_RAW_JOB,
    selection=dg.AssetSelection.groups(LANDING_GROUP),
    description="Land everything new under landing/ and run the raw quality checks.",
)


def _fingerprint(landing_dir: Path, files: list[tuple[Path, str]]) -> str:
    digest = hashlib.sha1()
    for path, relative in files:
        stat = path.stat()
        digest.update(f"{relative}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def landing_requests(
    landing_dir: Path, cursor: dict[str, str], known_partitions: set[str]
) -> tuple[list[dg.RunRequest], list[str], dict[str, str]]:
    """What the sensor asks for: run requests, new partitions and the next cursor.

    A drop folder whose listing (names, sizes, mtimes) changed gets a run of its partition; new
    or changed full-extract files get a ``land_raw`` run. Pure, so tests can call it directly.
    """
    folders = drop_folders(landing_dir)
    requests: list[dg.RunRequest] = []
    new_partitions = sorted(d for d in folders if d not in known_partitions)
    next_cursor = dict(cursor)
    for drop, subdir in sorted(folders.items()):
        fingerprint = _fingerprint(landing_dir, list_extract_files(landing_dir, subdir))
        if cursor.get(drop) != fingerprint:
            requests.append(
                dg.RunRequest(
                    run_key=f"{drop}:{fingerprint}", partition_key=drop, job_name=DAILY_DROP_JOB
                )
            )
            next_cursor[drop] = fingerprint
    in_drops = tuple(f"{subdir}/" for subdir in folders.values())
    full = [
        (path, rel)
        for path, rel in list_extract_files(landing_dir)
        if not rel.startswith(in_drops) and not rel.startswith("truth/")
    ]
    if full:
        fingerprint = _fingerprint(landing_dir, full)
        if cursor.get("_full") != fingerprint:
            requests.append(dg.RunRequest(run_key=f"full:{fingerprint}", job_name=LAND_RAW_JOB))
            next_cursor["_full"] = fingerprint
    return requests, new_partitions, next_cursor


@dg.sensor(
    name="landing_sensor",
    jobs=[land_daily_drop, land_raw_job],
    minimum_interval_seconds=60,
    # on unless TANDEM_SCHEDULES_ENABLED=false; the instance runs one run at a time
    # (dagster.yaml, see settings.ensure_dirs), so its runs never race the daily pipeline
    default_status=sensor_status(),
    description="Notices new files in landing/: one run per new or changed drop folder.",
)
def landing_sensor(context: dg.SensorEvaluationContext, tandem: TandemConfig) -> dg.SensorResult:
    """Add a partition per new drop folder and request the runs that land new files."""
    cursor = json.loads(context.cursor) if context.cursor else {}
    known = set(context.instance.get_dynamic_partitions(DROPS_PARTITIONS_NAME))
    requests, new_partitions, next_cursor = landing_requests(
        tandem.settings().landing_dir, cursor, known
    )
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=(
            [drop_partitions.build_add_request(new_partitions)] if new_partitions else []
        ),
        cursor=json.dumps(next_cursor, sort_keys=True),
    )


def backfill_all_drops(
    instance: dg.DagsterInstance, tandem: TandemConfig, since: dt.date | None = None
) -> list[dg.ExecuteInProcessResult]:
    """Register every drop folder as a partition and land them one by one, in date order."""
    folders = drop_folders(tandem.settings().landing_dir)
    drops = sorted(d for d in folders if since is None or d >= since.isoformat())
    instance.add_dynamic_partitions(DROPS_PARTITIONS_NAME, drops)
    return [
        land_daily_drop.execute_in_process(
            partition_key=drop,
            instance=instance,
            resources={"tandem": tandem},
            raise_on_error=False,
        )
        for drop in drops
    ]


# What definitions.py collects from this module; landing owns its own checks, jobs and sensors.
LANDING_ASSETS: list[dg.AssetsDefinition] = [land_extracts]
LANDING_CHECKS: list[dg.AssetChecksDefinition] = [raw_quality_checks]
LANDING_JOBS: list[dg.JobDefinition] = [land_daily_drop, land_raw_job]  # type: ignore[list-item]
LANDING_SENSORS: list[dg.SensorDefinition] = [landing_sensor]
