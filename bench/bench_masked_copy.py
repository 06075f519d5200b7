"""Benchmark the analysts' masked copy: the old rule (every schema) against what publish does now.

Usage:
    python -m bench.bench_masked_copy WAREHOUSE [--out DIR]

``WAREHOUSE`` is a file that holds every schema (a build file, or a serving file published
before the serving file kept marts only); it is opened read-only and never written. Three steps,
each timed, into ``DIR`` (default: a temporary folder):
- before: the masked copy as it was built until the serving file kept marts only, every schema
  but DuckDB's catalogues (raw, staging and intermediate included), personal columns masked; it
  was built on an analyst's first workbench query after a publish;
- publish: the serving file the publish step writes from that build (marts, ml, the landing
  record and docs, from the project's dbt manifest);
- after: the masked copy the publish step now builds from that serving file (marts, ml and
  docs, personal columns masked).
Prints one JSON object (seconds, bytes and tables of each file); benchmarks report, they never
fail.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from unittest import mock

import duckdb

from dashboards.workbench import connection
from orchestration.serving_content import DBT_PROJECT_DIR, serving_plan, write_serving_copy


def _tables(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from duckdb_tables()").fetchone()[0]
    finally:
        con.close()


def _measure(label: str, step, target: Path) -> dict:
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    return {
        "step": label,
        "seconds": round(seconds, 2),
        "bytes": target.stat().st_size,
        "tables": _tables(target),
    }


def _old_rule(schema: str, wanted: set[str] | None) -> bool:
    """The rule before the serving file kept marts only: every schema but the catalogues."""
    return schema not in connection.SKIPPED_SCHEMAS


def run(warehouse: Path, out: Path) -> dict:
    """Time and size the three steps (see the module docstring) into ``out``."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    plan = serving_plan(json.loads(manifest.read_text(encoding="utf-8")))
    before, serving, after = out / "before.duckdb", out / "serving.duckdb", out / "after.duckdb"
    for path in (before, serving, after):
        path.unlink(missing_ok=True)
    with mock.patch.object(connection, "_is_copied", _old_rule):
        steps = [_measure("before", lambda: connection._copy_masked(warehouse, before), before)]
    steps.append(
        _measure("publish", lambda: write_serving_copy(warehouse, serving, plan, manifest), serving)
    )
    steps.append(_measure("after", lambda: connection._copy_masked(serving, after), after))
    return {
        "warehouse": str(warehouse),
        "warehouse_bytes": warehouse.stat().st_size,
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.out is None:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(run(args.warehouse, Path(folder)), indent=2))
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(args.warehouse, args.out), indent=2))


if __name__ == "__main__":
    main()
