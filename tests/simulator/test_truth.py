"""Ground truth against the extracts: planted problems, sync gaps, churn, channels, drops."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

from simulator import SCALES
from simulator.tax_id import is_valid_uscc
from tests.simulator.helpers import read_csv

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
RATES = SCALES["small"].problems


def problems(out: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(out / "truth/problems.parquet").filter(pl.col("problem") == name)


def test_planted_rates_are_within_tolerance_of_their_configuration(small) -> None:
    out, _ = small
    identity = pl.read_parquet(out / "truth/identity.parquet").filter(pl.col("system") == "crm")
    primary = identity.filter(pl.col("is_primary")).height
    dups = problems(out, "crm_duplicate").height
    assert abs(dups / primary - RATES.crm_duplicate) < 0.015
    assert (
        identity.filter(~pl.col("is_primary")).height
        == dups
        + problems(out, "soft_delete").filter(pl.col("file") == "crm/wk_crm_customer.csv").height
    )

    contracts = read_csv(out / "crm/wk_crm_contract.csv", "crm/wk_crm_contract.csv")
    gaps = problems(out, "sync_gap").height
    assert abs(gaps / contracts.height - RATES.sync_gap) < 0.01

    erp = read_csv(out / "erp/customers.csv", "erp/customers.csv")
    with_tax = erp.filter(pl.col("统一社会信用代码").fill_null("") != "").height
    assert abs(problems(out, "invalid_tax_id").height / with_tax - RATES.invalid_tax_id) < 0.006

    leads = read_csv(out / "crm/wk_crm_leads.csv", "crm/wk_crm_leads.csv")
    receipts = read_csv(out / "erp/receipts.csv", "erp/receipts.csv", complete_rows_only=True)
    mixed = problems(out, "mixed_date_format")
    for rel, n in (("crm/wk_crm_leads.csv", leads.height), ("erp/receipts.csv", receipts.height)):
        share = mixed.filter(pl.col("file") == rel).height / n
        assert abs(share - RATES.mixed_date_format) < 0.008, rel

    acts = read_csv(out / "crm/wk_crm_activity.csv", "crm/wk_crm_activity.csv")
    followups = acts.filter(pl.col("type").is_in(["1", "4"]))
    share = (followups["status"] == "0").mean()
    assert abs(share - RATES.soft_delete) < 0.004

    crm = read_csv(out / "crm/wk_crm_customer.csv", "crm/wk_crm_customer.csv")
    no_key = problems(out, "no_shared_key").height
    in_erp = erp.height
    assert abs(no_key / in_erp - RATES.no_shared_key) < 0.04
    assert crm.height == identity.height


def test_problem_locations_point_at_the_problem(small) -> None:
    out, _ = small
    cache: dict[str, pl.DataFrame] = {}

    def cell(rel: str, row: int, column: str) -> str | None:
        if rel not in cache:
            cache[rel] = read_csv(out / rel, rel, complete_rows_only=True)
        return cache[rel][row - 1, column]

    for rel, row, col, record in (
        problems(out, "mixed_date_format").select("file", "row", "column", "record_id").iter_rows()
    ):
        value = cell(rel, row, col)
        assert not ISO_DATE.match(value) and not ISO_DATETIME.match(value), (rel, row, value)
        assert str(cache[rel][row - 1, 0]) == record
    for rel, row, col in (
        problems(out, "invalid_tax_id").select("file", "row", "column").iter_rows()
    ):
        assert not is_valid_uscc(cell(rel, row, col))
    for rel, row, col in problems(out, "soft_delete").select("file", "row", "column").iter_rows():
        assert cell(rel, row, col) in {"3", "0", "B"}, (rel, row, col)
    deleted = problems(out, "deleted_campaign")
    assert deleted.height > 0
    for rel, row, col in deleted.select("file", "row", "column").iter_rows():
        assert cell(rel, row, col).endswith("[已删除]")
    dup = problems(out, "crm_duplicate")
    identity = pl.read_parquet(out / "truth/identity.parquet")
    secondary = set(identity.filter(~pl.col("is_primary"))["record_id"])
    assert set(dup["record_id"]) <= secondary


def test_every_true_sync_gap_is_a_won_contract_without_an_erp_order(small) -> None:
    out, _ = small
    gaps = pl.read_parquet(out / "truth/sync_gaps.parquet")
    contracts = read_csv(out / "crm/wk_crm_contract.csv", "crm/wk_crm_contract.csv")
    orders = read_csv(out / "erp/sales_orders.csv", "erp/sales_orders.csv")
    in_erp = set(orders["合同编号"].drop_nulls())
    gap_nums = set(gaps["contract_num"])
    assert len(gap_nums) > 50
    assert gap_nums.isdisjoint(in_erp)
    won = contracts.filter(pl.col("check_status") == "1")
    assert gap_nums <= set(won["num"])
    # ...and the converse: every approved contract missing in the ERP is a true gap.
    assert set(won["num"]) - in_erp == gap_nums


def test_churned_customers_stop_buying(small) -> None:
    out, _ = small
    companies = pl.read_parquet(out / "truth/companies.parquet")
    identity = pl.read_parquet(out / "truth/identity.parquet").filter(pl.col("system") == "erp")
    orders = read_csv(out / "erp/sales_orders.csv", "erp/sales_orders.csv").filter(
        pl.col("作废状态") == "A"
    )
    late = (
        orders.join(identity, left_on="客户编码", right_on="record_id")
        .join(companies, on="true_customer_id")
        .filter(pl.col("churned"))
        .filter(pl.col("单据日期").str.to_date() >= pl.col("churn_month"))
    )
    assert late.height == 0
    churned = companies.filter(pl.col("is_buyer"))["churned"].mean()
    assert 0.15 < churned < 0.6


def test_truth_hazard_follows_the_documented_formula(small) -> None:
    out, _ = small
    panel = pl.read_parquet(out / "truth/churn_monthly.parquet")
    base = pl.read_parquet(out / "truth/companies.parquet").select(
        "true_customer_id", "base_hazard"
    )
    prev = [
        pl.col(c).shift(k).over("true_customer_id")
        for k in (1, 2, 3)
        for c in ("payment_delay_days",)
    ]
    feats = (
        panel.sort("true_customer_id", "month")
        .with_columns(pl.col("payment_delay_days").fill_nan(None))
        .with_columns(
            pl.mean_horizontal(prev).fill_null(0.0).alias("delay"),
            pl.sum_horizontal(
                [pl.col("tickets").shift(k).over("true_customer_id") for k in (1, 2, 3)]
            ).alias("tix"),
            pl.sum_horizontal(
                [pl.col("followups").shift(k).over("true_customer_id") for k in (1, 2, 3)]
            ).alias("fu"),
            pl.int_range(pl.len()).over("true_customer_id").alias("age"),
        )
        .join(base, on="true_customer_id")
        .filter((pl.col("age") >= 3) & (pl.col("hazard") > 0))
    )
    assert feats.height > 10_000
    risk = (
        0.03 * feats["delay"].clip(0, 60)
        + 0.25 * feats["tix"].clip(0, 6)
        + 0.9 * (feats["fu"] == 0).cast(pl.Float64)
    )
    expected = 1 - np.exp(-feats["base_hazard"].to_numpy() * np.exp(risk.to_numpy()))
    assert np.abs(expected - feats["hazard"].to_numpy()).max() < 1e-5
    # Late payers really are riskier than prompt payers.
    late = (
        feats.filter(pl.col("delay") > 30)["hazard"]
        / feats.filter(pl.col("delay") > 30)["base_hazard"]
    )
    prompt = (
        feats.filter(pl.col("delay") < 3)["hazard"]
        / feats.filter(pl.col("delay") < 3)["base_hazard"]
    )
    assert late.mean() > 1.5 * prompt.mean()


def test_ad_reports_add_up_to_true_spend_with_the_fen_trap(small) -> None:
    out, _ = small
    channels = pl.read_parquet(out / "truth/channels.parquet")
    spend = dict(channels.select("channel", "spend").iter_rows())
    ocean = read_csv(out / "marketing/oceanengine_daily.csv", "marketing/oceanengine_daily.csv")
    assert abs(ocean["cost"].cast(pl.Float64).sum() - spend["oceanengine"]) < 1.0
    tencent = read_csv(out / "marketing/tencent_ads.csv", "marketing/tencent_ads.csv")
    fen = tencent["cost"].cast(pl.Int64)
    assert abs(fen.sum() / 100 - spend["tencent"]) < 1.0
    assert problems(out, "unit_fen")["file"].to_list() == ["marketing/tencent_ads.csv"]
    baidu = read_csv(out / "marketing/baidu_sem.csv", "marketing/baidu_sem.csv")
    assert abs(baidu["消费"].cast(pl.Float64).sum() - spend["baidu"]) < 2.0
    kinds = {
        "day": baidu["日期"].str.contains(r"^\d{4}-\d{2}-\d{2}$").sum(),
        "hour": baidu["日期"].str.contains(r" \d{2}:00$").sum(),
        "month": baidu["日期"].str.contains("至").sum(),
    }
    assert all(v > 0 for v in kinds.values()), kinds
    paid = channels.filter(pl.col("spend") > 0)
    assert paid.height == 4 and paid["roi"].is_not_null().all()
    assert paid["roi"].max() > 1.5 * paid["roi"].min()  # channels really differ


def test_leads_follow_spend_through_the_true_response(small) -> None:
    out, _ = small
    leads = pl.read_parquet(out / "truth/leads.parquet")
    ocean = read_csv(out / "marketing/oceanengine_daily.csv", "marketing/oceanengine_daily.csv")
    daily = (
        ocean.with_columns(pl.col("stat_datetime").str.slice(0, 10).str.to_date().alias("d"))
        .group_by("d")
        .agg(pl.col("cost").cast(pl.Float64).sum())
        .join(
            leads.filter(pl.col("channel") == "oceanengine").group_by("lead_date").len(),
            left_on="d",
            right_on="lead_date",
            how="left",
        )
        .fill_null(0)
        .sort("d")
    )
    weekly = daily.group_by_dynamic("d", every="1w").agg(pl.col("cost", "len").sum())
    corr = np.corrcoef(weekly["cost"], weekly["len"])[0, 1]
    assert corr > 0.5


def test_truncated_file_is_a_cut_resend_and_receipts_stay_whole(tiny) -> None:
    out, summary = tiny
    hit = problems(out, "truncated_file")
    assert hit["file"].to_list() == ["erp/receipts_resend.csv"]
    # the full receipts extract is complete: every row has all its fields and a line end
    full = (out / "erp/receipts.csv").read_bytes().decode("gb18030")
    assert full.endswith("\r\n")
    assert (
        read_csv(out / "erp/receipts.csv", "erp/receipts.csv").height
        == (summary["files"]["erp/receipts.csv"]["rows"])
    )
    # the re-send repeats the newest receipts and stops in the middle of its last row
    data = (out / "erp/receipts_resend.csv").read_bytes().decode("gb18030")
    assert not data.endswith("\n")
    header, *rows = data.split("\r\n")
    assert header == full.split("\r\n", 1)[0]
    assert 0 < rows[-1].count(",") < 9
    newest = full.rstrip("\r\n").split("\r\n")[-len(rows) :]
    assert "\r\n".join(newest).startswith("\r\n".join(rows))
    assert rows[-1] != newest[-1]
    assert hit["row"][0] == summary["files"]["erp/receipts_resend.csv"]["rows"] == len(rows)


def test_daily_drops_hold_the_same_rows_split_by_business_day(tiny, tiny_drops) -> None:
    _full, full_summary = tiny
    drops, summary = tiny_drops
    folders = sorted(p.name for p in (drops / "drops").iterdir())
    assert all(np.datetime64(f).astype("datetime64[D]").item().weekday() < 5 for f in folders)
    totals: dict[str, int] = {}
    for rel, info in summary["files"].items():
        if rel.startswith("drops/"):
            entity = rel.split("/", 2)[2]
            totals[entity] = totals.get(entity, 0) + info["rows"]
    for entity, info in full_summary["files"].items():
        if entity.endswith(".csv") and entity != "erp/receipts_resend.csv":  # full mode only
            assert totals[entity] == info["rows"], entity
    # ERP is T+1: every order in a drop is dated before the drop day.
    for f in folders[5:40]:
        path = drops / "drops" / f / "erp/sales_orders.csv"
        if path.exists():
            dates = read_csv(path, "erp/sales_orders.csv")["单据日期"]
            assert (dates < f).all(), f
    # CRM lands the same day: a customer row created on a business day is in that day's drop.
    for f in folders[100:130]:
        path = drops / "drops" / f / "crm/wk_crm_customer.csv"
        if path.exists():
            created = read_csv(path, "crm/wk_crm_customer.csv")["create_time"].str.slice(0, 10)
            assert (created <= f).all() and (created == f).any(), f
    truncated = problems(drops, "truncated_file")["file"].to_list()
    assert len(truncated) == 1 and truncated[0].startswith("drops/")


def test_contacts_carry_consent_and_opt_outs(small) -> None:
    out, _ = small
    contacts = read_csv(out / "crm/wk_crm_contacts.csv", "crm/wk_crm_contacts.csv")
    opted_out = contacts.filter(pl.col("unsubscribe_time").is_not_null())
    assert opted_out.height > 100
    assert (opted_out["marketing_consent"] == "0").all()
    assert (opted_out["unsubscribe_time"] > opted_out["create_time"]).all()
    share = (contacts["marketing_consent"] == "1").mean()
    assert 0.5 < share < 0.7


def test_duplicate_names_are_the_variants_the_truth_says(small) -> None:
    out, _ = small
    identity = pl.read_parquet(out / "truth/identity.parquet").filter(pl.col("system") == "crm")
    primary = identity.filter(pl.col("is_primary")).select(
        "true_customer_id", pl.col("record_name").alias("primary_name")
    )
    dups = identity.filter(~pl.col("is_primary")).join(primary, on="true_customer_id")
    seen = set(dups["variant"])
    assert {"fullwidth", "bracket", "suffix", "branch", "typo", "other_contact", "deleted"} <= seen
    for name, base, variant in dups.select("record_name", "primary_name", "variant").iter_rows():
        if variant == "fullwidth":
            assert name != base and unicodedata.normalize("NFKC", name) == unicodedata.normalize(
                "NFKC", base
            )
        elif variant == "bracket":
            assert (
                name.replace("（", "(").replace("）", ")")
                == base.replace("（", "(").replace("）", ")")
                and name != base
            )
        elif variant == "branch":
            assert name.startswith(base) and name.endswith("分公司")
        elif variant == "typo":
            # One homophone swapped; names without brand characters get a stray space instead.
            one_char = (
                len(name) == len(base) and sum(a != b for a, b in zip(name, base, strict=True)) == 1
            )
            assert one_char or (name != base and name.strip() == base)
        elif variant == "other_contact":
            assert name == base
        elif variant == "suffix":
            stem = re.sub(r"(股份有限公司|有限责任公司|有限公司)$", "", base)
            assert name != base and name.startswith(stem)
    # The CRM file carries exactly these names under the recorded ids.
    crm = read_csv(out / "crm/wk_crm_customer.csv", "crm/wk_crm_customer.csv")
    joined = dups.join(crm, left_on="record_id", right_on="customer_id")
    assert joined.height == dups.height
    assert (joined["record_name"] == joined["customer_name"]).all()


def test_no_shared_key_companies_carry_neither_erp_code_nor_tax_id(small) -> None:
    out, _ = small
    crm = read_csv(out / "crm/wk_crm_customer.csv", "crm/wk_crm_customer.csv")
    data = read_csv(out / "crm/wk_crm_customer_data.csv", "crm/wk_crm_customer_data.csv")
    keyed = set(data.filter(pl.col("field_id").is_in(["4", "5"]))["batch_id"])
    flagged = set(problems(out, "no_shared_key")["record_id"])
    flagged_batches = set(crm.filter(pl.col("customer_id").is_in(flagged))["batch_id"])
    assert len(flagged) > 500
    assert flagged_batches.isdisjoint(keyed)
    # Every ERP code written into the CRM is a real ERP customer of the same company, except
    # the planted hard negatives: a branch whose rep typed the parent's code.
    identity = pl.read_parquet(out / "truth/identity.parquet")
    wrong = set(problems(out, "wrong_erp_code")["record_id"])
    assert len(wrong) > 10
    codes = (
        data.filter(pl.col("field_id") == "4")
        .join(crm, on="batch_id")
        .filter(~pl.col("customer_id").is_in(wrong))
        .join(
            identity.filter(pl.col("system") == "crm"), left_on="customer_id", right_on="record_id"
        )
        .join(identity.filter(pl.col("system") == "erp"), left_on="value", right_on="record_id")
    )
    assert codes.height == data.filter(pl.col("field_id") == "4").height - len(wrong)
    assert (codes["true_customer_id"] == codes["true_customer_id_right"]).all()


def test_daily_drops_are_the_same_when_flushed_often(tiny_drops, tmp_path, monkeypatch) -> None:
    from simulator import generate, writers

    _, summary = tiny_drops
    monkeypatch.setattr(writers, "FLUSH_BYTES", 50_000)
    again = generate(tmp_path / "d", scale="tiny", seed=7, daily_drops=True)
    assert again["files"] == summary["files"]
    for rel in list(summary["files"])[::97]:
        assert (tmp_path / "d" / rel).stat().st_size == summary["files"][rel]["bytes"]
