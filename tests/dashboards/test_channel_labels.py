"""The filter bar names every channel of the seed in the reader's language."""

from __future__ import annotations

import csv

import duckdb
import pytest

from dashboards.filters import KEY_CHANNELS
from dashboards.i18n import LABELS
from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, TandemSettings
from tests.dashboards.conftest import open_page

SEED = REPO_ROOT / "dbt_project" / "seeds" / "channels.csv"


def _seed_channels() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_seeded_channel_has_a_label_in_both_languages() -> None:
    for row in _seed_channels():
        english, chinese = LABELS[f"channel.{row['channel']}"]
        assert english == row["channel_name"]  # the English label is the warehouse's own name
        assert chinese != english


@pytest.fixture
def filter_warehouse(tandem_home: TandemSettings) -> TandemSettings:
    """A published warehouse holding only the four tables the filter bar reads its options
    from, with the seed's channels."""
    con = duckdb.connect(str(tandem_home.build_db))
    try:
        con.execute("create schema finance")
        con.execute("create schema core")
        con.execute(
            "create table finance.rpt_revenue_monthly as select * from (values"
            " (date '2026-01-01'), (date '2026-02-01')) as v(revenue_month)"
        )
        con.execute("create table core.dim_customer as select 'East' as region")
        con.execute(
            "create table core.dim_sales_rep as select 'R1' as sales_rep_id,"
            " '李伟' as sales_rep_name"
        )
        con.execute(f"create table core.dim_channel as select * from read_csv('{SEED}')")
    finally:
        con.close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


def test_filter_bar_shows_channels_in_chinese(filter_warehouse: TandemSettings) -> None:
    ids = sorted(row["channel"] for row in _seed_channels())
    app = open_page("churn", lang="zh")
    channels = app.multiselect(key=KEY_CHANNELS)
    assert channels.label == "渠道"
    assert channels.options == [LABELS[f"channel.{channel}"][1] for channel in ids]
    assert "巨量引擎（抖音广告）" in channels.options and "百度推广" in channels.options
    # choosing by the Chinese label filters by the channel's id
    channels.set_value(["百度推广"]).run()
    assert not app.exception, app.exception
    assert app.session_state[KEY_CHANNELS] == ["baidu"]
    app.selectbox(key="lang").set_value("en").run()
    assert app.multiselect(key=KEY_CHANNELS).options == [
        LABELS[f"channel.{channel}"][0] for channel in ids
    ]
