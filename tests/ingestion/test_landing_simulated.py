"""The simulator's tiny extract lands as SAMPLE_DATA.md describes it, planted problems included."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.landing import land_directory

TRUNCATED = "erp/receipts_resend.csv"  # the planted truncated_file (a cut-off late re-send)


@pytest.fixture(scope="module")
def landed(tiny_extract: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("landed")
    db = home / "build.duckdb"
    first = land_directory(db, tiny_extract, quarantine_dir=home / "quarantine")
    second = land_directory(db, tiny_extract, quarantine_dir=home / "quarantine")
    return {"db": db, "first": first, "second": second, "home": home}


def q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_file_lands_with_the_manifest_row_count(landed: dict, tiny_extract: Path) -> None:
    manifest = json.loads((tiny_extract / "truth/manifest.json").read_text("utf-8"))["files"]
    outcomes = {f.file: f for f in landed["first"].files}
    assert landed["first"].count("landed") == 25
    assert landed["first"].count("quarantined") == 1
    for relative, info in manifest.items():
        if relative.startswith("truth/") or relative == TRUNCATED:
            continue
        assert outcomes[relative].status == "landed", relative
        assert outcomes[relative].rows == info["rows"], relative
        assert outcomes[relative].rejected_rows == 0, relative
        assert outcomes[relative].problems == [], relative


def test_truncated_resend_is_quarantined_and_receipts_land(landed: dict) -> None:
    outcome = next(f for f in landed["first"].files if f.file == TRUNCATED)
    assert outcome.status == "quarantined"
    assert "ends in the middle of a row" in outcome.problems[0]
    quarantined = Path(outcome.quarantine_path)
    assert quarantined.name.startswith("receipts_resend.")
    assert sorted(p.name for p in (landed["home"] / "quarantine/erp").iterdir()) == [
        quarantined.name,
        quarantined.name + ".report.csv",
        quarantined.name + ".report.txt",
    ]
    assert q(landed["db"], "select distinct _file from raw_erp.receipts") == [("erp/receipts.csv",)]


def test_landing_again_changes_nothing(landed: dict) -> None:
    second = landed["second"]
    assert second.count("skipped") == 26
    assert second.count("landed") == 0
    assert q(landed["db"], "select count(*) from raw_meta.file_ledger") == [(26,)]


def test_planted_formats_are_decoded(landed: dict, tiny_extract: Path) -> None:
    db = landed["db"]
    # tencent cost is fen in the file, yuan in raw
    source = pl.read_csv(tiny_extract / "marketing/tencent_ads.csv", infer_schema=False)
    sent = sum(int(v) for v in source["cost"])
    assert q(db, "select sum(cost) from raw_marketing.tencent_ads")[0][0] * 100 == sent
    # baidu monthly totals keep their period
    grains = dict(q(db, "select period_grain, count(*) from raw_marketing.baidu_sem group by 1"))
    assert set(grains) == {"day", "hour", "range"}
    assert q(
        db,
        "select count(*) from raw_marketing.baidu_sem where period_grain = 'range' "
        "and (day(period_start) <> 1 or period_end < period_start)",
    ) == [(0,)]
    # every lead has a creation time, including the Unix-seconds and slash-format ones
    problems = pl.read_parquet(tiny_extract / "truth/problems.parquet")
    mixed = problems.filter(
        (pl.col("file") == "crm/wk_crm_leads.csv") & (pl.col("problem") == "mixed_date_format")
    )
    assert mixed.height > 0
    rows = ", ".join(str(r) for r in mixed["row"])
    times = q(db, f"select create_time from raw_crm.leads where _row_number in ({rows})")
    assert len(times) == mixed.height
    assert all(dt.datetime(2023, 1, 1) < t[0] < dt.datetime(2026, 11, 1) for t in times)
    # soft-deleted rows are kept (staging flags them)
    soft = problems.filter(
        (pl.col("problem") == "soft_delete") & (pl.col("file") == "erp/sales_orders.csv")
    ).height
    assert q(db, "select count(*) from raw_erp.sales_orders where cancel_status = 'B'") == [(soft,)]


def test_receipts_parse_every_mixed_date(landed: dict, tiny_extract: Path) -> None:
    data = (tiny_extract / "erp/receipts.csv").read_bytes()
    outcome = next(f for f in landed["first"].files if f.file == "erp/receipts.csv")
    assert outcome.status == "landed"
    # receipt numbers carry their date (SK + yyyymmdd): every parsed date must agree
    wrong = q(
        landed["db"],
        "select count(*) from raw_erp.receipts "
        "where strftime(receipt_date, '%Y%m%d') <> substr(receipt_no, 3, 8)",
    )
    assert wrong == [(0,)]
    assert outcome.rows == data.count(b"\n") - 1
    assert q(landed["db"], "select count(*) from raw_erp.receipts") == [(outcome.rows,)]


def test_drops_land_in_date_order_with_their_drop_date(tiny_drops: Path, tmp_path: Path) -> None:
    landing_dir = tmp_path / "landing"
    shutil.copytree(tiny_drops, landing_dir)
    report = land_directory(tmp_path / "w.duckdb", landing_dir)
    drops = [f.file.split("/")[1] for f in report.files]
    assert drops == sorted(drops)
    assert report.count("landed") == len(report.files)
    ledger = q(
        tmp_path / "w.duckdb", "select distinct drop_date from raw_meta.file_ledger order by 1"
    )
    assert [str(d[0]) for d in ledger] == sorted({d for d in drops})


def test_two_workers_land_the_same_tables_as_one(tiny_extract: Path, tmp_path: Path) -> None:
    reports = {
        workers: land_directory(
            tmp_path / f"w{workers}.duckdb",
            tiny_extract,
            quarantine_dir=tmp_path / f"q{workers}",
            workers=workers,
        )
        for workers in (1, 2)
    }
    assert [(f.file, f.status, f.rows) for f in reports[1].files] == [
        (f.file, f.status, f.rows) for f in reports[2].files
    ]
    tables = q(
        tmp_path / "w1.duckdb",
        "select table_schema || '.' || table_name "
        "from information_schema.tables where table_schema like 'raw_%' "
        "and table_schema <> 'raw_meta' order by 1",
    )
    assert len(tables) == 25
    for (table,) in tables:
        sql = f"select * exclude (_loaded_at, _batch_id) from {table} order by _file, _row_number"
        assert q(tmp_path / "w1.duckdb", sql) == q(tmp_path / "w2.duckdb", sql), table
