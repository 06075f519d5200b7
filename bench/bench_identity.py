"""Benchmark identity resolution: accuracy against the simulator's truth, and time.

Usage:
    python bench/bench_identity.py --scale small|medium [--data DIR] [--work DIR] [--keep]

``--data`` is a full extract made by ``tandem generate`` (generated into ``--work`` when absent).
The extract is landed into an empty warehouse, then each part of identity resolution runs and is
timed on its own: dbt phase 1 (staging + ``int_identity__records``), the Splink step
(``models_ml.identity``), dbt phase 2 restricted to the identity models (links, clusters, key
map, ``dim_customer``, ``fct_identity_links``, snapshot, history; tests included). Accuracy is
pairwise, from ``int_identity__customer_key_map`` against ``truth/identity.parquet``: every pair of
records that share a golden key is a predicted match, every pair of one true customer a true
match, counted separately for CRM-CRM pairs (duplicates) and CRM-ERP pairs (links).
Results go to ``bench/results/identity-<scale>-<timestamp>.json``. Benchmarks report; they do
not fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]

RESULTS = REPO / "bench" / "results"
GOALS = {"precision": 0.99, "f1": 0.95, "medium_resolution_seconds": 30.0}
PHASE_1 = "staging int_identity__records"
PHASE_2_IDENTITY = (
    "identity_overrides int_identity__conflicts int_identity__links int_identity__clusters "
    "int_identity__customer_key_map int_customer__crm_records int_customer__erp_records "
    "int_customer__attribute_candidates int_customer__golden_attributes dim_customer "
    "fct_identity_links fct_identity_conflicts "
    "snp_customer_status dim_customer_history"
)

ACCURACY_SQL = """
with
truth as (
    select system, record_id, true_customer_id
    from read_parquet(?)
),
mapped as (
    select
        key_map.source_system as system,
        key_map.source_record_id as record_id,
        key_map.customer_key,
        truth.true_customer_id
    from intermediate.int_identity__customer_key_map as key_map
    inner join truth
        on truth.system = key_map.source_system and truth.record_id = key_map.source_record_id
),
candidate_pairs as (
    -- pairs predicted (same key) or true (same customer): two equi-joins, not one OR join
    select a.system as a_system, a.record_id as a_id, b.system as b_system, b.record_id as b_id
    from mapped as a
    inner join mapped as b on a.customer_key = b.customer_key
    union
    select a.system, a.record_id, b.system, b.record_id
    from mapped as a
    inner join mapped as b on a.true_customer_id = b.true_customer_id
),
pairs as (
    select
        case when a.system = 'crm' and b.system = 'crm' then 'crm_crm' else 'crm_erp' end
            as pair_type,
        a.customer_key = b.customer_key as predicted,
        a.true_customer_id = b.true_customer_id as actual
    from candidate_pairs as c
    inner join mapped as a on a.system = c.a_system and a.record_id = c.a_id
    inner join mapped as b on b.system = c.b_system and b.record_id = c.b_id
    where a.system || ':' || a.record_id < b.system || ':' || b.record_id
        and (a.system = 'crm' or b.system = 'crm')
)
select
    pair_type,
    count(*) filter (where predicted and actual) as true_positives,
    count(*) filter (where predicted and not actual) as false_positives,
    count(*) filter (where actual and not predicted) as false_negatives
from pairs
group by pair_type
order by pair_type
"""


def pairwise_accuracy(database: Path, truth: Path) -> dict[str, dict[str, float | int]]:
    """Pairwise precision, recall and F1 of the key map against the truth, per pair type."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(ACCURACY_SQL, [str(truth)]).fetchall()
        unmapped = con.execute(
            "select count(*) from read_parquet(?) as truth where not exists (select 1 from "
            "intermediate.int_identity__customer_key_map as m where m.source_system = truth.system "
            "and m.source_record_id = truth.record_id)",
            [str(truth)],
        ).fetchone()[0]
    finally:
        con.close()
    result: dict[str, dict[str, float | int]] = {}
    for pair_type, tp, fp, fn in rows:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[pair_type] = {
            "true_positives": tp,
            "false_positives": fp,
            "false_negatives": fn,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    result["truth_records_not_in_key_map"] = {"count": int(unmapped)}
    return result


def variant_accuracy(database: Path, truth: Path) -> dict[str, dict]:
    """P/R/F1 per pair type (CRM-CRM, CRM-ERP, overall) and per variant kind of the truth."""
    import polars as pl

    from models_ml.identity_eval import pair_accuracy

    con = duckdb.connect(str(database), read_only=True)
    try:
        assignment = con.sql(
            "select source_system as system, source_record_id as record_id, customer_key "
            "from intermediate.int_identity__customer_key_map"
        ).pl()
    finally:
        con.close()
    return pair_accuracy(assignment, pl.read_parquet(truth))


def run_dbt(env: dict[str, str], target: Path, *args: str) -> float:
    """Run one dbt command; return its wall seconds (exit on failure)."""
    # cautious: tests that also read marts outside the selection wait for those marts
    cautious = ["--indirect-selection", "cautious"] if args[0] == "build" else []
    started = time.perf_counter()
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            *cautious,
            "--project-dir",
            str(REPO / "dbt_project"),
            "--profiles-dir",
            str(REPO / "dbt_project"),
            "--target-path",
            str(target),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{completed.stdout[-3000:]}")
    return time.perf_counter() - started


def model_seconds(target: Path, name: str) -> float | None:
    """Execution time of one model in the last run_results.json."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    for result in results["results"]:
        if result["unique_id"].endswith(f".{name}") and result["unique_id"].startswith("model."):
            return round(result["execution_time"], 2)
    return None


def bench(scale: str, data: Path, work: Path, reuse: bool = False) -> dict:
    """Land ``data`` into a fresh home under ``work`` and measure identity resolution.

    ``reuse`` keeps the home a previous run landed (landing is not measured then)."""
    from ingestion.landing import land_directory
    from models_ml.identity import read_records, score_record_pairs, write_match_pairs
    from orchestration.settings import TandemSettings

    home = work / "home"
    if home.exists() and not reuse:
        shutil.rmtree(home)
    settings = TandemSettings(home=home)
    settings.ensure_dirs()
    env = {**os.environ, **settings.tool_env()}
    target = home / "dbt_target"
    seconds: dict[str, float | None] = {}

    started = time.perf_counter()
    if reuse and settings.build_db.exists():
        seconds["land"] = None
    else:
        land_directory(settings.build_db, data, quarantine_dir=settings.quarantine_dir)
        seconds["land"] = time.perf_counter() - started
    seconds["dbt_phase_1"] = run_dbt(env, target, "build", "--select", PHASE_1)
    seconds["int_identity__records_model"] = model_seconds(target, "int_identity__records")

    started = time.perf_counter()
    con = duckdb.connect(str(settings.build_db))
    try:
        records = read_records(con)
        pairs = score_record_pairs(records)
        write_match_pairs(con, pairs)
    finally:
        con.close()
    seconds["splink"] = time.perf_counter() - started
    seconds["dbt_phase_2_identity"] = run_dbt(env, target, "build", "--select", PHASE_2_IDENTITY)

    resolution = (
        (seconds["int_identity__records_model"] or 0.0)
        + seconds["splink"]
        + seconds["dbt_phase_2_identity"]
    )
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        counts = dict(
            con.execute(
                "select 'records', count(*) from intermediate.int_identity__records union all "
                "select 'scored_pairs', count(*) from identity.match_pairs union all "
                "select 'links', count(*) from core.fct_identity_links union all "
                "select 'golden_customers', count(*) from core.dim_customer union all "
                "select 'conflicts', count(*) from core.fct_identity_conflicts"
            ).fetchall()
        )
        by_rule = dict(
            con.execute(
                "select link_rule || ' ' || link_type, count(*) from core.fct_identity_links "
                "group by 1 order by 1"
            ).fetchall()
        )
    finally:
        con.close()
    return {
        "scale": scale,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load": os.getloadavg()[0],
            "python": platform.python_version(),
        },
        "goals": GOALS,
        "seconds": {k: round(v, 2) if v is not None else None for k, v in seconds.items()},
        "resolution_seconds": round(resolution, 2),
        "rows": {**counts, "links_by_rule": by_rule},
        "accuracy": pairwise_accuracy(settings.build_db, data / "truth" / "identity.parquet"),
        "accuracy_by_kind": variant_accuracy(
            settings.build_db, data / "truth" / "identity.parquet"
        ),
        "conflicts": counts.get("conflicts"),
    }


def main() -> None:
    """Parse arguments, run the benchmark, save JSON, print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--data", type=Path, help="full extract (default: generate one)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new one in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the warehouse --work landed before"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tandem-bench-identity-"))
    work.mkdir(parents=True, exist_ok=True)
    data = args.data
    if data is None:
        from simulator import generate

        data = work / "extract"
        generate(data, scale=args.scale, seed=42)
    results = bench(args.scale, data, work, reuse=args.reuse)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"identity-{args.scale}-{stamp}.json").write_text(json.dumps(results, indent=2))
    from models_ml.identity_eval import markdown_table

    print(markdown_table(results["accuracy_by_kind"]))
    print(json.dumps(results["seconds"]), f"resolution {results['resolution_seconds']} s")
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
