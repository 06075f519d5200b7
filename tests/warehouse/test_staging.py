"""The staging layer against the simulator's truth and the raw extracts.

One tiny dataset is generated and landed per module, its receipts file held back (only the
truncated receipts re-send arrives, and is quarantined); a changed copy of the CRM customers file
(one customer soft-deleted) and the late receipts file are landed after it, so the latest-version
logic and the empty stand-in for a never-landed raw table are both exercised. Then
``dbt build --select staging`` runs once (models, data tests and unit tests).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.landing import land_directory
from orchestration.settings import TandemSettings
from simulator import generate
from tests.warehouse.dbt_cli import dbt_env, run_dbt

SEED = 42
RESENT_CUSTOMER_FILE = "crm/wk_crm_customer.csv"
RECEIPTS_FILE = "erp/receipts.csv"
TRUNCATED_FILE = "erp/receipts_resend.csv"  # the planted truncated_file

# staging model -> (raw table, the entity's key as SQL over the raw table)
KEYS: dict[str, tuple[str, str]] = {
    "stg_erp__customers": ("raw_erp.customers", "customer_code"),
    "stg_erp__products": ("raw_erp.products", "product_code"),
    "stg_erp__sales_orders": ("raw_erp.sales_orders", "order_no || '-' || line_no"),
    "stg_erp__sales_invoices": ("raw_erp.sales_invoices", "invoice_no || '-' || tax_rate_pct"),
    "stg_erp__receipts": ("raw_erp.receipts", "receipt_no || '-' || invoice_no"),
    "stg_erp__gl_entries": ("raw_erp.gl_entries", "voucher_no || '-' || entry_no"),
    "stg_crm__customers": ("raw_crm.customers", "customer_id"),
    "stg_crm__customer_fields": ("raw_crm.customer_data", "batch_id"),
    "stg_crm__contacts": ("raw_crm.contacts", "contacts_id"),
    "stg_crm__leads": ("raw_crm.leads", "leads_id"),
    "stg_crm__opportunities": ("raw_crm.opportunities", "business_id"),
    "stg_crm__opportunity_stage_changes": ("raw_crm.opportunity_stage_changes", "change_id"),
    "stg_crm__business_stages": ("raw_crm.business_stages", "status_id"),
    "stg_crm__contracts": ("raw_crm.contracts", "contract_id"),
    "stg_crm__receivable_plans": ("raw_crm.receivable_plans", "plan_id"),
    "stg_crm__receivables": ("raw_crm.receivables", "receivables_id"),
    "stg_crm__activities": ("raw_crm.activities", "activity_id"),
    "stg_crm__campaigns": ("raw_crm.campaigns", "marketing_id"),
    "stg_crm__tickets": ("raw_crm.tickets", "ticket_id"),
    "stg_crm__users": ("raw_crm.users", "user_id"),
    "stg_crm__departments": ("raw_crm.departments", "dept_id"),
    "stg_marketing__oceanengine_daily": (
        "raw_marketing.oceanengine_daily",
        "stat_date || campaign_id",
    ),
    "stg_marketing__baidu_sem": ("raw_marketing.baidu_sem", "period || campaign_id"),
    "stg_marketing__tencent_ads": ("raw_marketing.tencent_ads", "report_date || campaign_id"),
    "stg_marketing__trade_shows": ("raw_marketing.trade_shows", "show_name || start_date"),
}
# staging model -> the extract whose planted soft deletes it flags with is_deleted
SOFT_DELETES = {
    "stg_crm__customers": "crm/wk_crm_customer.csv",
    "stg_crm__opportunities": "crm/wk_crm_business.csv",
    "stg_crm__activities": "crm/wk_crm_activity.csv",
    "stg_erp__sales_orders": "erp/sales_orders.csv",
}


@dataclass
class Warehouse:
    db: Path
    extracts: Path
    truth: Path
    run_results: dict
    receipts_before_repair: int
    resent_customer_id: int

    def rows(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def value(self, sql: str):
        return self.rows(sql)[0][0]


def soft_delete_one_customer(source: Path, target: Path) -> int:
    """Copy the CRM customers file with the first normal customer set to status 3 (deleted)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    status, key = header.index("status"), header.index("customer_id")
    for index, line in enumerate(lines[1:], start=1):
        fields = next(csv.reader([line]))
        if fields[status] == "1":
            fields[status] = "3"
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(fields)
            lines[index] = buffer.getvalue()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(lines), encoding="utf-8")
            return int(fields[key])
    raise AssertionError("no customer with status 1 in the sample")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    tmp = tmp_path_factory.mktemp("staging")
    extracts = tmp / "extracts"
    generate(extracts, scale="tiny", seed=SEED)
    settings = TandemSettings(home=tmp / "home")
    settings.ensure_dirs()
    quarantine = tmp / "quarantine"
    # the receipts extract arrives late: the first landing sees only the truncated re-send
    late = tmp / "late"
    late.mkdir()
    shutil.move(extracts / RECEIPTS_FILE, late / "receipts.csv")
    first = land_directory(settings.build_db, extracts, quarantine_dir=quarantine)
    assert {f.file for f in first.files if f.status == "quarantined"} == {TRUNCATED_FILE}

    # a raw table that never landed still builds: staging gives an empty, typed view
    target = tmp / "dbt_target"
    run_dbt(dbt_env(settings), target, "run", "--select", "stg_erp__receipts", timeout=300)
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        before = con.execute("select count(*) from staging.stg_erp__receipts").fetchall()[0][0]
    finally:
        con.close()

    # later files: a new version of the customers file and the late receipts file
    resend = tmp / "resend"
    customer_id = soft_delete_one_customer(
        extracts / RESENT_CUSTOMER_FILE, resend / RESENT_CUSTOMER_FILE
    )
    shutil.copy2(late / "receipts.csv", extracts / RECEIPTS_FILE)
    shutil.copytree(late, resend / "erp", dirs_exist_ok=True)
    time.sleep(1.1)  # _loaded_at has second resolution: the re-send must be visibly later
    second = land_directory(settings.build_db, resend, quarantine_dir=quarantine)
    assert {f.file for f in second.files if f.status == "landed"} == {
        RESENT_CUSTOMER_FILE,
        RECEIPTS_FILE,
    }

    # cautious: a mart's relationship test to a staging model waits for the mart's build;
    # the daily spend unions the marketing staging models in intermediate
    run_dbt(
        dbt_env(settings),
        target,
        "build",
        "--select",
        "staging",
        "int_marketing__daily_spend",
        "--indirect-selection",
        "cautious",
        timeout=300,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return Warehouse(settings.build_db, extracts, extracts / "truth", results, before, customer_id)


def test_build_passes_every_model_data_test_and_unit_test(warehouse: Warehouse) -> None:
    statuses = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    failed = {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    assert not failed
    kinds = {k.split(".")[0] for k in statuses}
    assert {"model", "test", "unit_test"} <= kinds
    models = {k.split(".")[-1] for k in statuses if k.startswith("model.")}
    assert set(KEYS) | {"int_marketing__daily_spend"} <= models
    assert sum(1 for k in statuses if k.startswith("unit_test.")) >= 8


def test_missing_raw_table_builds_an_empty_view(warehouse: Warehouse) -> None:
    assert warehouse.receipts_before_repair == 0
    assert warehouse.value("select count(*) from staging.stg_erp__receipts") > 0


@pytest.mark.parametrize("model", sorted(KEYS))
def test_one_row_per_distinct_key_in_raw(warehouse: Warehouse, model: str) -> None:
    raw, key = KEYS[model]
    expected = warehouse.value(f"select count(distinct {key}) from {raw}")
    assert expected > 0
    assert warehouse.value(f"select count(*) from staging.{model}") == expected


def test_resent_file_replaces_the_earlier_version(warehouse: Warehouse) -> None:
    # CRM ids are text (alphanumeric ones land too)
    key = f"'{warehouse.resent_customer_id}'"
    versions = warehouse.value(f"select count(*) from raw_crm.customers where customer_id = {key}")
    assert versions == 2
    deleted, source = warehouse.rows(
        f"select is_deleted, source_file from staging.stg_crm__customers where customer_id = {key}"
    )[0]
    assert deleted is True
    assert source == RESENT_CUSTOMER_FILE


@pytest.mark.parametrize("model", sorted(SOFT_DELETES))
def test_soft_deletes_match_the_planted_ones(warehouse: Warehouse, model: str) -> None:
    problems = pl.read_parquet(warehouse.truth / "problems.parquet")
    planted = problems.filter(
        (pl.col("problem") == "soft_delete") & (pl.col("file") == SOFT_DELETES[model])
    ).height
    resent = 1 if model == "stg_crm__customers" else 0
    flagged = warehouse.value(f"select count(*) from staging.{model} where is_deleted")
    assert flagged == planted + resent


def test_tencent_fen_are_converted_once(warehouse: Warehouse) -> None:
    raw = pl.read_csv(
        warehouse.extracts / "marketing" / "tencent_ads.csv", schema_overrides={"cost": pl.Int64}
    )
    yuan = Decimal(int(raw["cost"].sum())) / 100
    assert warehouse.value("select sum(spend_yuan) from staging.stg_marketing__tencent_ads") == yuan
    assert (
        warehouse.value(
            "select sum(spend_yuan) from intermediate.int_marketing__daily_spend"
            " where channel = 'tencent'"
        )
        == yuan
    )


def test_daily_spend_keeps_every_yuan_of_every_channel(warehouse: Warehouse) -> None:
    truth = dict(
        pl.read_parquet(warehouse.truth / "channels.parquet").select("channel", "spend").iter_rows()
    )
    spend = dict(
        warehouse.rows(
            "select channel, sum(spend_yuan) from intermediate.int_marketing__daily_spend"
            " group by 1"
        )
    )
    assert set(spend) == {"oceanengine", "baidu", "tencent", "tradeshow"}
    for channel, total in spend.items():
        assert float(total) == pytest.approx(truth[channel], abs=0.005), channel
    # every Baidu month total becomes one spread row per day of its month (28+)
    assert (
        warehouse.value(
            "select count(*) from intermediate.int_marketing__daily_spend where is_spread"
        )
        >= warehouse.value(
            "select count(*) from staging.stg_marketing__baidu_sem where is_period_total"
        )
        * 28
    )


def test_width_bracket_and_suffix_variants_normalise_to_their_original(
    warehouse: Warehouse,
) -> None:
    """A CRM duplicate that differs only in width, brackets or legal form gets the name of an
    original record of its company (the CRM original, or the ERP one when the CRM holds only the
    variant)."""
    identity = pl.read_parquet(warehouse.truth / "identity.parquet")
    names = {
        (system, record_id): name
        for system, record_id, name in warehouse.rows(
            "select 'crm', cast(customer_id as varchar), name_normalised "
            "from staging.stg_crm__customers union all "
            "select 'erp', erp_customer_code, name_normalised from staging.stg_erp__customers"
        )
    }
    originals: dict[int, set[str]] = {}
    for row in identity.filter(pl.col("variant") == "original").iter_rows(named=True):
        originals.setdefault(row["true_customer_id"], set()).add(
            names[(row["system"], row["record_id"])]
        )
    variants = identity.filter(
        (pl.col("system") == "crm")
        & pl.col("variant").is_in(["fullwidth", "bracket", "suffix"])
        & pl.col("true_customer_id").is_in(list(originals))
    )
    compared = {v: 0 for v in ("fullwidth", "bracket", "suffix")}
    mismatched = []
    for row in variants.iter_rows(named=True):
        compared[row["variant"]] += 1
        name = names[("crm", row["record_id"])]
        if name not in originals[row["true_customer_id"]]:
            mismatched.append((row["variant"], row["record_name"], name))
    assert not mismatched
    # the simulator plants these at realistic rates now; tiny may hold only suffix variants
    assert sum(compared.values()) >= 2
    assert compared["suffix"] >= 10


def test_tax_id_check_finds_exactly_the_planted_invalid_ids(warehouse: Warehouse) -> None:
    problems = pl.read_parquet(warehouse.truth / "problems.parquet")
    planted = set(problems.filter(pl.col("problem") == "invalid_tax_id")["record_id"].to_list())
    invalid = {
        r[0]
        for r in warehouse.rows(
            "select erp_customer_code from staging.stg_erp__customers where not is_valid_tax_id"
        )
    }
    assert invalid == planted
    true_ids = set(pl.read_parquet(warehouse.truth / "companies.parquet")["tax_id"].drop_nulls())
    valid = {
        r[0]
        for r in warehouse.rows(
            "select tax_id from staging.stg_erp__customers where is_valid_tax_id"
        )
    }
    assert valid and valid <= true_ids


def test_phones_are_mainland_mobile_digits(warehouse: Warehouse) -> None:
    bad = warehouse.rows(
        "select mobile, mobile_normalised from staging.stg_crm__customers "
        "where mobile is not null and not regexp_full_match(mobile_normalised, '1[0-9]{10}')"
    )
    assert not bad
    plus86 = warehouse.value(
        "select count(*) from staging.stg_crm__customers where mobile like '+86%'"
    )
    assert plus86 > 0


def test_credit_notes_follow_the_red_ink_flag(warehouse: Warehouse) -> None:
    red_ink = warehouse.value("select count(*) from raw_erp.sales_invoices where is_red_ink = '是'")
    assert red_ink > 0
    assert (
        warehouse.value("select count(*) from staging.stg_erp__sales_invoices where is_credit_note")
        == red_ink
    )
    assert (
        warehouse.value(
            "select count(*) from staging.stg_erp__sales_invoices where is_credit_note "
            "and net_amount >= 0"
        )
        == 0
    )
