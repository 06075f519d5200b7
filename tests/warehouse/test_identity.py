"""Identity resolution against the simulator's truth and the raw extracts.

One tiny dataset is generated and landed per module; dbt phase 1 builds the identity records,
the Splink step scores pairs into the build file, and dbt phase 2 builds the identity models
(links, clusters, key map, dim_customer, the evidence mart, the snapshot and its history) with
their data and unit tests. Accuracy is pairwise against ``truth/identity.parquet``; golden
attributes are checked against the extract files.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from bench.bench_identity import PHASE_2_IDENTITY, pairwise_accuracy
from ingestion.landing import land_directory
from models_ml import identity
from models_ml.identity import (
    EM_BLOCKS,
    PAIR_COLUMNS,
    read_records,
    score_record_pairs,
    write_match_pairs,
)
from orchestration.settings import TandemSettings
from simulator import generate
from tests.warehouse.dbt_cli import dbt_env, run_dbt

SEED = 42
FIELDS = ("name", "phone", "email", "address", "region", "tax_id")
# measured on tiny (seed 42): every link right; the misses are other_contact duplicates (new
# phone and e-mail) whose evidence stays just under the threshold. Issue targets: P >= 0.99.
FLOORS = {
    "crm_crm": {"precision": 0.99, "recall": 0.85},
    "crm_erp": {"precision": 0.99, "recall": 0.99},
}


@dataclass
class Warehouse:
    settings: TandemSettings
    extracts: Path
    target: Path
    run_results: dict

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.settings.build_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def value(self, sql: str):
        return self.rows(sql)[0][0]

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        return identity_dbt(self.settings, self.target, *args)


def identity_dbt(settings: TandemSettings, target: Path, *args: str) -> subprocess.CompletedProcess:
    # cautious: other areas' relationship tests to dim_customer wait for their own marts
    cautious = ["--indirect-selection", "cautious"] if args[0] == "build" else []
    return run_dbt(dbt_env(settings), target, *args, *cautious)


def score_into_build_file(settings: TandemSettings) -> None:
    con = duckdb.connect(str(settings.build_db))
    try:
        write_match_pairs(con, score_record_pairs(read_records(con)))
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    tmp = tmp_path_factory.mktemp("identity")
    extracts = tmp / "extracts"
    generate(extracts, scale="tiny", seed=SEED)
    settings = TandemSettings(home=tmp / "home")
    settings.ensure_dirs()
    land_directory(settings.build_db, extracts, quarantine_dir=tmp / "quarantine")
    target = tmp / "dbt_target"
    # staging's own tests run in test_staging.py: phase 1 only builds what identity needs
    identity_dbt(settings, target, "run", "--select", "+int_identity__records")
    score_into_build_file(settings)
    identity_dbt(settings, target, "build", "--select", PHASE_2_IDENTITY)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return Warehouse(settings, extracts, target, results)


def read_csv(path: Path, encoding: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(path.read_text(encoding=encoding)), infer_schema=False)


def test_phase_2_passes_every_model_data_test_and_unit_test(warehouse: Warehouse) -> None:
    statuses = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    failed = {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    assert not failed
    built = {k.split(".")[-1] for k in statuses if k.split(".")[0] in ("model", "snapshot")}
    assert {
        "int_identity__links",
        "int_identity__clusters",
        "int_identity__customer_key_map",
        "dim_customer",
        "fct_identity_links",
        "snp_customer_status",
        "dim_customer_history",
    } <= built
    assert sum(1 for k in statuses if k.startswith("unit_test.")) >= 2


@pytest.mark.parametrize("pair_type", sorted(FLOORS))
def test_pairwise_accuracy_against_truth(warehouse: Warehouse, pair_type: str) -> None:
    accuracy = pairwise_accuracy(
        warehouse.settings.build_db, warehouse.extracts / "truth" / "identity.parquet"
    )
    figures = accuracy[pair_type]
    assert figures["true_positives"] > 0
    assert figures["precision"] >= FLOORS[pair_type]["precision"], figures
    assert figures["recall"] >= FLOORS[pair_type]["recall"], figures


def test_key_map_covers_every_extract_record_exactly_once(warehouse: Warehouse) -> None:
    crm = read_csv(warehouse.extracts / "crm" / "wk_crm_customer.csv", "utf-8")
    erp = read_csv(warehouse.extracts / "erp" / "customers.csv", "gb18030")
    expected = sorted(
        [("crm", value) for value in crm["customer_id"]] + [("erp", v) for v in erp["客户编码"]]
    )
    mapped = warehouse.rows(
        "select source_system, source_record_id from intermediate.int_identity__customer_key_map "
        "order by 1, 2"
    )
    assert sorted(mapped) == expected  # same records, none twice
    # every golden key in the map is one row of dim_customer and back
    assert warehouse.value(
        "select count(distinct customer_key) from intermediate.int_identity__customer_key_map"
    ) == warehouse.value("select count(*) from core.dim_customer")


def test_every_link_has_evidence(warehouse: Warehouse) -> None:
    links = warehouse.rows(
        "select link_rule, match_probability, match_weight, "
        + ", ".join(f"{f}_level, {f}_weight" for f in FIELDS)
        + " from core.fct_identity_links"
    )
    assert links
    rules = {row[0] for row in links}
    assert {"erp_code", "splink"} <= rules
    priors = set()
    for rule, probability, weight, *fields in links:
        if rule == "splink":
            assert probability >= 0.99
            levels, weights = fields[0::2], fields[1::2]
            assert all(level is not None for level in levels)
            # the field weights plus the same prior make up the total match weight
            priors.add(round(weight - sum(weights), 6))
    assert len(priors) == 1, priors
    # the Splink pairs table holds the evidence columns the mart exposes
    assert set(PAIR_COLUMNS) >= {f"{f}_weight" for f in FIELDS}


def test_survivorship_erp_wins_legal_name_and_tax_id(warehouse: Warehouse) -> None:
    erp = read_csv(warehouse.extracts / "erp" / "customers.csv", "gb18030")
    truth = pl.read_parquet(warehouse.extracts / "truth" / "companies.parquet")
    golden = dict(
        (code, (name, tax_id))
        for code, name, tax_id in warehouse.rows(
            "select m.source_record_id, d.customer_name, d.tax_id "
            "from intermediate.int_identity__customer_key_map as m "
            "join core.dim_customer as d using (customer_key) where m.source_system = 'erp'"
        )
    )
    true_tax_ids = set(truth["tax_id"].drop_nulls())
    checked = 0
    for code, name, credit_code in erp.select(
        "客户编码", "客户名称", "统一社会信用代码"
    ).iter_rows():
        assert golden[code][0] == name
        if credit_code in true_tax_ids:  # a valid code: the golden customer carries it
            assert golden[code][1] == credit_code
            checked += 1
    assert checked > 100


def test_survivorship_crm_wins_owner_and_level(warehouse: Warehouse) -> None:
    crm = read_csv(warehouse.extracts / "crm" / "wk_crm_customer.csv", "utf-8")
    # golden customers with exactly one CRM record, which is live: its owner is the owner
    single = warehouse.rows(
        "select m.source_record_id, d.owner_user_id "
        "from intermediate.int_identity__customer_key_map as m "
        "join core.dim_customer as d using (customer_key) "
        "where m.source_system = 'crm' and d.crm_record_count = 1 "
        "and d.deleted_crm_record_count = 0"
    )
    owners = dict(zip(crm["customer_id"], crm["owner_user_id"], strict=True))
    assert len(single) > 100
    assert all(str(owner) == owners[record] for record, owner in single)
    levels = warehouse.rows(
        "select customer_level, count(*) from core.dim_customer "
        "where crm_record_count > 0 group by 1"
    )
    assert {level for level, _ in levels} <= {"A", "B", "C", None}


def test_soft_deleted_crm_records_are_counted_not_lost(warehouse: Warehouse) -> None:
    crm = read_csv(warehouse.extracts / "crm" / "wk_crm_customer.csv", "utf-8")
    deleted = crm.filter(pl.col("status") == "3").height
    assert (
        warehouse.value("select coalesce(sum(deleted_crm_record_count), 0) from core.dim_customer")
        == deleted
    )


def test_history_has_one_current_version_per_customer(warehouse: Warehouse) -> None:
    assert warehouse.value(
        "select count(*) from core.dim_customer_history where is_current"
    ) == warehouse.value("select count(*) from core.dim_customer")


def test_scoring_does_not_crash_on_degenerate_input(warehouse: Warehouse) -> None:
    con = duckdb.connect(str(warehouse.settings.build_db), read_only=True)
    try:
        records = read_records(con)
    finally:
        con.close()
    erp_only = records.filter(pl.col("source_system") == "erp").head(3)
    assert score_record_pairs(erp_only).is_empty()
    assert score_record_pairs(records.head(0)).is_empty()
    # two copies of one CRM record and an ERP record: nothing to train on, still scored
    crm = records.filter(pl.col("source_system") == "crm").head(1)
    twins = pl.concat([crm, crm.with_columns(record_key=pl.lit("crm:999999999"))])
    scored = score_record_pairs(pl.concat([twins, erp_only.head(1)]))
    assert list(scored.columns) == list(PAIR_COLUMNS)


def test_a_failing_training_step_is_undone(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # on the large sample EM on the name block failed half-way and Splink had already dropped
    # the name comparison; a failed step must leave the model as it was before the step
    con = duckdb.connect(str(warehouse.settings.build_db), read_only=True)
    try:
        records = read_records(con)
    finally:
        con.close()
    # tiny is below SMALL_EXTRACT_RECORDS (documented parameters, no training): train anyway
    monkeypatch.setattr(identity, "SMALL_EXTRACT_RECORDS", 0)
    normal = score_record_pairs(records)
    monkeypatch.setattr(identity, "EM_BLOCKS", ("l.no_such_field = r.no_such_field", *EM_BLOCKS))
    with caplog.at_level(logging.WARNING, logger="models_ml.identity"):
        recovered = score_record_pairs(records)
    assert "m (EM on l.no_such_field = r.no_such_field) not estimated" in caplog.text
    assert recovered.height == normal.height > 0
    keys = ["left_system", "left_record_id", "right_system", "right_record_id"]
    assert recovered.sort(keys).equals(normal.sort(keys))
    assert recovered["name_weight"].abs().sum() > 0


def test_group_setting_joins_a_branch_to_its_parent(warehouse: Warehouse, tmp_path: Path) -> None:
    """Legal entity (the default) keeps a branch with its own credit code apart from the
    parent whose ERP code its rep typed; the group setting joins them (rule branch_of)."""
    conflicts = warehouse.rows(
        "select c.crm_customer_id, c.erp_customer_code from core.fct_identity_conflicts as c "
        "where c.crm_is_branch"
    )
    assert conflicts

    def keys(build_db: Path) -> dict[tuple[str, str], str]:
        con = duckdb.connect(str(build_db), read_only=True)
        try:
            rows = con.execute(
                "select source_system, source_record_id, customer_key "
                "from intermediate.int_identity__customer_key_map"
            ).fetchall()
        finally:
            con.close()
        return {(system, record): key for system, record, key in rows}

    legal = keys(warehouse.settings.build_db)
    assert all(legal[("crm", c)] != legal[("erp", e)] for c, e in conflicts)
    # the group build runs on a copy of the build file (same name, so dbt keeps its parse):
    # the module's warehouse keeps the legal-entity keys without a second build to restore them
    grouped_db = tmp_path / "group" / warehouse.settings.build_db.name
    grouped_db.parent.mkdir()
    shutil.copy2(warehouse.settings.build_db, grouped_db)
    group_env = dbt_env(
        warehouse.settings,
        TANDEM_IDENTITY_CUSTOMER_ENTITY="group",
        TANDEM_BUILD_DB=str(grouped_db),
    )
    selection = "int_identity__links int_identity__clusters int_identity__customer_key_map"
    run_dbt(group_env, tmp_path / "group_target", "build", "--select", selection)
    grouped = keys(grouped_db)
    assert all(grouped[("crm", c)] == grouped[("erp", e)] for c, e in conflicts)
    con = duckdb.connect(str(grouped_db), read_only=True)
    try:
        branch_links = con.execute(
            "select count(*) from intermediate.int_identity__links where link_rule = 'branch_of'"
        ).fetchone()[0]
    finally:
        con.close()
    assert branch_links >= len(conflicts)
    assert keys(warehouse.settings.build_db) == legal


def test_overrides_win(warehouse: Warehouse) -> None:
    """Runs last: it changes the overrides table and rebuilds the identity models."""
    # a golden customer of exactly one CRM and one ERP record, linked by Splink or a rule
    crm_id, erp_code, key = warehouse.rows(
        "select l.left_record_id, l.right_record_id, l.customer_key "
        "from core.fct_identity_links as l join core.dim_customer as d using (customer_key) "
        "where l.link_type = 'crm-erp' and d.crm_record_count = 1 and d.erp_record_count = 1 "
        "order by l.link_id limit 1"
    )[0]
    # two records of different golden customers, both single-record CRM prospects
    (left_id,), (right_id,) = warehouse.rows(
        "select m.source_record_id from intermediate.int_identity__customer_key_map as m "
        "where m.source_system = 'crm' and m.cluster_size = 1 order by m.record_key limit 2"
    )
    overrides = [
        ("force_split", "erp", erp_code, "crm", crm_id, "two legal entities"),
        ("force_match", "crm", left_id, "crm", right_id, "same buyer, confirmed by phone"),
    ]
    con = duckdb.connect(str(warehouse.settings.build_db))
    try:
        con.executemany(
            "insert into seeds.identity_overrides values (?, ?, ?, ?, ?, ?, 'test', "
            "date '2026-11-27')",
            overrides,
        )
    finally:
        con.close()
    warehouse.dbt(
        "build",
        "--select",
        "int_identity__links int_identity__clusters int_identity__customer_key_map "
        "int_customer__crm_records int_customer__erp_records int_customer__attribute_candidates "
        "int_customer__golden_attributes dim_customer fct_identity_links",
    )
    keys = dict(
        ((system, record), customer_key)
        for system, record, customer_key in warehouse.rows(
            "select source_system, source_record_id, customer_key "
            "from intermediate.int_identity__customer_key_map"
        )
    )
    assert keys[("erp", erp_code)] == key
    assert keys[("crm", crm_id)] != key  # split off, although the evidence said match
    assert keys[("crm", left_id)] == keys[("crm", right_id)]  # forced together
    forced = warehouse.rows(
        "select link_rule, override_reason from core.fct_identity_links "
        "where link_rule = 'force_match'"
    )
    assert forced == [("force_match", "same buyer, confirmed by phone")]
    assert not warehouse.rows(
        "select 1 from core.fct_identity_links where link_id = ?",
        [f"crm:{crm_id}~erp:{erp_code}"],
    )
