"""Segments on the tiny company's real warehouse: consent, audit, versions, publish, CLI."""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.segments.definition import from_dict
from dashboards.segments.export import export_log, export_segment, segment_contacts
from dashboards.segments.query import ConditionNotAvailable, condition_choices, segment_size
from dashboards.segments.store import SavedSegment, load_segment, save_segment
from orchestration.publish import publish
from orchestration.serving_content import load_plan
from orchestration.settings import TandemSettings
from tests.conftest import run_tandem
from tests.warehouse.conftest import TinyWarehouse

RFM = ["champions", "loyal", "at_risk", "lost", "hibernating", "need_attention"]
CHANNELS = ["organic", "tencent", "oceanengine", "baidu", "tradeshow", "referral"]
CONSENT = ["consented", "not_consented", "opted_out", "no_contact"]


@pytest.fixture(scope="module")
def home(tiny_warehouse: TinyWarehouse, tmp_path_factory) -> Iterator[TandemSettings]:
    """A home of its own with the tiny company's build file, published as `tandem run` does."""
    root = tmp_path_factory.mktemp("segments") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TANDEM_HOME", str(root))
        settings_ = TandemSettings()
        settings_.ensure_dirs()
        shutil.copyfile(tiny_warehouse.settings.build_db, settings_.build_db)
        publish(settings_.build_db, settings_.serving_db, *load_plan(tiny_warehouse.settings))
        yield settings_


def _rows(settings_: TandemSettings, sql: str) -> list[tuple]:
    """Read-only on the build file: the checks read staging and the key map too."""
    con = duckdb.connect(str(settings_.build_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _not_consented_addresses(settings_: TandemSettings) -> set[str]:
    """Straight from staging, not from the mart the export reads: every mobile and e-mail of a
    contact whose CRM record does not allow marketing."""
    rows = _rows(
        settings_,
        "select '+86' || mobile_normalised, email_normalised from staging.stg_crm__contacts"
        " where not coalesce(marketing_consent = 1, false) or unsubscribed_at is not null",
    )
    return {v for row in rows for v in row if v}


definitions = st.fixed_dictionaries(
    {},
    optional={
        "rfm_segment": st.lists(st.sampled_from(RFM), min_size=1, max_size=3, unique=True),
        "acquisition_channel": st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True),
        "consent": st.lists(st.sampled_from(CONSENT), min_size=1, unique=True),
        "recency_days": st.builds(lambda n: {"max": n}, st.integers(0, 2000)),
        "spend": st.builds(lambda n: {"min": n}, st.integers(0, 2_000_000)),
    },
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions=definitions)
def test_no_export_holds_a_contact_without_consent(home: TandemSettings, conditions) -> None:
    definition = from_dict({"name": "random", "conditions": conditions})
    contacts = segment_contacts(SavedSegment(definition, 1, "test", ""))
    addresses = {v for row in contacts.select("mobile_e164", "email").rows() for v in row if v}
    assert not addresses & _not_consented_addresses(home)
    consented_ids = {
        r[0]
        for r in _rows(
            home,
            "select contact_id from staging.stg_crm__contacts"
            " where marketing_consent = 1 and unsubscribed_at is null",
        )
    }
    assert set(contacts["contact_id"].to_list()) <= consented_ids
    assert contacts["contact_id"].n_unique() == contacts.height  # each person once


def test_everyone_segment_counts_match_the_warehouse(home: TandemSettings) -> None:
    definition = from_dict({"name": "everyone", "conditions": {}})
    con = duckdb.connect(str(home.serving_db), read_only=True)
    try:
        size = segment_size(con, definition)
    finally:
        con.close()
    customers, revenue = _rows(
        home,
        "select count(*), sum(lifetime_net_revenue) from customer.rpt_customer_360"
        " where not is_deleted",
    )[0]
    consented = _rows(
        home,
        "select count(distinct contacts.contact_id) from staging.stg_crm__contacts as contacts"
        " join intermediate.int_identity__customer_key_map as map on map.source_system = 'crm'"
        " and map.source_record_id = cast(contacts.customer_id as varchar)"
        " join customer.rpt_customer_360 as c on c.customer_key = map.customer_key"
        " where contacts.marketing_consent = 1 and contacts.unsubscribed_at is null"
        " and not c.is_deleted",
    )[0][0]
    assert (size.customers, round(size.lifetime_net_revenue, 2)) == (customers, float(revenue))
    assert size.consented_contacts == consented > 0


def test_every_export_is_logged_with_its_file_hash(home: TandemSettings, tmp_path: Path) -> None:
    saved = save_segment(
        from_dict({"name": "loyal-buyers", "conditions": {"rfm_segment": ["champions", "loyal"]}}),
        "mia",
    )
    before = len(export_log(1000))
    results = {
        fmt: export_segment(saved, fmt, tmp_path / f"out-{fmt}.{fmt}", "mia")
        for fmt in ("csv", "xlsx", "hashed")
    }
    log = export_log(1000)
    assert len(log) == before + 3
    for entry, fmt in zip(log[:3], ("hashed", "xlsx", "csv"), strict=True):
        result = results[fmt]
        data = result.path.read_bytes()
        assert entry["format"] == fmt
        assert entry["username"] == "mia"
        assert (entry["segment_name"], entry["segment_version"]) == ("loyal-buyers", 1)
        assert entry["file_sha256"] == hashlib.sha256(data).hexdigest() == result.sha256
        assert entry["row_count"] == result.row_count > 0
    text = results["csv"].path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(text.decode("utf-8-sig").splitlines()))
    assert len(rows) == results["csv"].row_count
    sheet = openpyxl.load_workbook(results["xlsx"].path).active
    assert sheet.max_row - 1 == results["csv"].row_count
    hashed = list(csv.DictReader(results["hashed"].path.read_text("utf-8-sig").splitlines()))
    expected_mobiles = {
        hashlib.sha256(r["mobile_e164"].encode()).hexdigest() for r in rows if r["mobile_e164"]
    }
    assert {h["mobile_sha256"] for h in hashed if h["mobile_sha256"]} == expected_mobiles
    assert all(r["mobile_e164"].startswith("+86") for r in rows if r["mobile_e164"])


def test_versions_and_saved_segments_survive_a_publish(home: TandemSettings) -> None:
    first = save_segment(from_dict({"name": "north", "conditions": {"region": ["北京"]}}), "mia")
    same = save_segment(from_dict({"name": "north", "conditions": {"region": ["北京"]}}), "ann")
    second = save_segment(
        from_dict({"name": "north", "conditions": {"region": ["北京", "天津"]}}), "ann"
    )
    assert (first.version, same.version, second.version) == (1, 1, 2)
    logged = len(export_log(1000))
    publish(home.build_db, home.serving_db)  # what every pipeline run ends with
    assert load_segment("north").version == 2
    assert load_segment("north", 1).definition.lists == {"region": ("北京",)}
    assert len(export_log(1000)) == logged


def test_model_conditions_say_not_available_until_the_table_exists(
    home: TandemSettings,
) -> None:
    churners = from_dict({"name": "churners", "conditions": {"churn_band": ["high"]}})
    # a warehouse built before the churn model ran: no ml.churn_scores
    con = duckdb.connect(str(home.build_db))
    try:
        con.execute("drop table if exists ml.churn_scores")
    finally:
        con.close()
    publish(home.build_db, home.serving_db)
    con = duckdb.connect(str(home.serving_db), read_only=True)
    try:
        with pytest.raises(ConditionNotAvailable, match=r"ml\.churn_scores is not available yet"):
            segment_size(con, churners)
    finally:
        con.close()
    con = duckdb.connect(str(home.build_db))
    try:
        con.execute(
            "create table ml.churn_scores as select customer_key, date '2026-01-01' as as_of_date,"
            " 0.9 as churn_probability, case when segment = 'at_risk' then 'high' else 'low' end"
            " as risk_band from ml.rfm"
        )
    finally:
        con.close()
    publish(home.build_db, home.serving_db)
    con = duckdb.connect(str(home.serving_db), read_only=True)
    try:
        size = segment_size(con, churners)
        at_risk = con.execute("select count(*) from ml.rfm where segment = 'at_risk'").fetchone()
    finally:
        con.close()
    assert size.customers == at_risk[0] > 0


def test_export_segment_command(home: TandemSettings, tmp_path: Path) -> None:
    definition = tmp_path / "vip.yaml"
    definition.write_text(
        "name: vip\nconditions:\n  spend: {min: 100000}\n  consent: [consented]\n",
        encoding="utf-8",
    )
    out = tmp_path / "vip.csv"
    env = {"TANDEM_HOME": str(home.root)}
    done = run_tandem(
        "export-segment",
        "vip",
        "--definition",
        str(definition),
        "--format",
        "csv",
        "--out",
        str(out),
        "--user",
        "cli-test",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    rows = out.read_text("utf-8-sig").splitlines()
    assert done.stdout.startswith(f"vip v1: {len(rows) - 1:,} consented contacts -> {out}")
    assert "selecting the consented contacts of vip v1" in done.stderr
    assert export_log(1)[0]["username"] == "cli-test"
    missing = run_tandem("export-segment", "nope", "--out", str(out), env=env)
    assert missing.returncode == 1
    assert "no saved segment 'nope'" in missing.stderr


# condition -> SQL of the non-deleted customers it keeps for the value $1, written here from the
# tables themselves (not from dashboards/segments/query.py)
CONDITION_SQL = {
    "rfm_segment": "select customer_key from ml.rfm where segment = $1",
    "cluster": "select customer_key from ml.customer_clusters where cluster_name = $1",
    "churn_band": "select customer_key from ml.churn_scores group by customer_key"
    " having arg_max(risk_band, as_of_date) = $1",
    "acquisition_channel": "select customer_key from customer.rpt_customer_360"
    " where acquisition_channel = $1",
    "region": "select customer_key from customer.rpt_customer_360 where region = $1",
    "industry": "select customer_key from customer.rpt_customer_360 where industry = $1",
    "owner": "select customer_key from customer.rpt_customer_360 where owner_name = $1",
    "consent": "select customer_key from customer.rpt_customer_360 where consent_status = $1",
}


def test_each_condition_keeps_the_customers_its_table_says(home: TandemSettings) -> None:
    """Every list condition, on a value the tiny company has: the segment's customers are the
    ones the condition's own table names; a model table the build lacks says so instead."""
    con = duckdb.connect(str(home.serving_db), read_only=True)
    try:
        choices = condition_choices(con)
        checked = []
        for key, sql in CONDITION_SQL.items():
            definition = from_dict({"name": "one", "conditions": {key: ["x"]}})
            if choices[key] is None:
                with pytest.raises(ConditionNotAvailable, match="not available yet"):
                    segment_size(con, definition)
                continue
            # the value most customers have: a condition that keeps nobody proves little
            value = max(choices[key], key=lambda v, s=sql: _count(con, s, v))
            definition = from_dict({"name": "one", "conditions": {key: [value]}})
            expected = _count(con, sql, value)
            assert segment_size(con, definition).customers == expected > 0, (key, value)
            checked.append(key)
    finally:
        con.close()
    # the conditions on the customer 360 and RFM work on every build the pipeline publishes
    assert {"rfm_segment", "acquisition_channel", "region", "industry", "owner"} <= set(checked)


def _count(con: duckdb.DuckDBPyConnection, sql: str, value: str) -> int:
    return con.execute(
        f"select count(*) from customer.rpt_customer_360 where not is_deleted"
        f" and customer_key in ({sql})",
        [value],
    ).fetchone()[0]
