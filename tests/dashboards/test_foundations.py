"""The pure parts every page relies on: labels, money and dates, CSV export, search, filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl
import pytest

from dashboards.downloads import csv_bytes, neutralise_text
from dashboards.filters import Filters, where
from dashboards.formatting import change_ratio, format_cny, format_date, format_month
from dashboards.i18n import LABELS, t
from dashboards.search import name_core, phone_digits, search_terms
from orchestration.settings import REPO_ROOT

DASHBOARDS = REPO_ROOT / "dashboards"


def test_every_label_has_both_languages_and_the_same_fields() -> None:
    for key, (english, chinese) in LABELS.items():
        assert english.strip() and chinese.strip(), key
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", chinese)), key
        assert re.search(r"[\u4e00-\u9fff]", chinese) or key == "app_title", key


def test_every_label_a_page_asks_for_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for source in DASHBOARDS.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", source.read_text(encoding="utf-8")))
    assert len(used) > 80
    assert used - set(LABELS) == set()
    with pytest.raises(KeyError, match="missing"):
        t("no.such.label", lang="en")
    assert t("kpi.net_revenue", lang="zh") == "净收入"
    assert t("sales.silo_crm", lang="en", count=3, amount="¥5") == (
        "Won in the CRM, no ERP order: 3 contracts, ¥5"
    )


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1_234_567.891, "en", "¥1,234,568"),
        (1_234_567.891, "zh", "¥123.46万"),
        (Decimal("250000000"), "zh", "¥2.50亿"),
        (-98_765, "zh", "-¥9.88万"),
        (999.5, "en", "¥999.50"),
        (999.5, "zh", "¥999.50"),
        (None, "en", "—"),
        (float("nan"), "zh", "—"),
    ],
)
def test_cny_reads_the_way_each_language_counts(value, lang: str, expected: str) -> None:
    assert format_cny(value, lang) == expected


def test_dates_per_language_and_change_against_previous() -> None:
    day = dt.date(2026, 3, 5)
    assert format_date(day, "zh") == "2026年3月5日"
    assert format_date(day, "en") == "5 Mar 2026"
    assert format_month(day, "zh") == "2026年3月"
    assert change_ratio(120, 100) == pytest.approx(0.2)
    assert change_ratio(-50, -100) == pytest.approx(0.5)
    assert change_ratio(5, 0) is None and change_ratio(None, 3) is None


def test_csv_has_a_bom_and_no_cell_a_spreadsheet_would_run() -> None:
    frame = pl.DataFrame(
        {
            "客户": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "华为"],
            "amount": [1.5, 2.0, -3.0, 4.0, 5.0],
        }
    )
    data = csv_bytes(frame)  # what every page's download button writes
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "客户,amount"
    assert [line.split(",")[0].strip('"') for line in lines[1:]] == [
        '\'=HYPERLINK(""http://x"")',
        "+1",  # plain numbers held as text are no formula (dashboards/downloads.py)
        "-2",
        "'@SUM(A1)",
        "华为",
    ]
    assert lines[3].endswith(",-3.0")  # numbers stay numbers: only text is neutralised
    assert neutralise_text("-2+3") == "'-2+3" and neutralise_text(None) is None


def test_search_forgives_what_people_type() -> None:
    assert name_core("华为技术有限公司") == name_core(" 华为 技术 ") == "华为技术"
    assert name_core("ＡＢＣ Trading Co.,Ltd.") == "abctrading"
    assert phone_digits("+86 138-0013-8000") == phone_digits("13800138000") == "13800138000"
    assert phone_digits("华为") is None
    terms = search_terms("91110000MA01ABCD1X")
    assert terms is not None and terms.code == "91110000ma01abcd1x"
    assert search_terms("   ") is None


def test_filters_make_sql_and_the_previous_period() -> None:
    filters = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1), ("华东",), (7,), ("baidu",))
    previous = filters.previous()
    assert (previous.start, previous.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 1))
    sql, params = where(filters.period_sql("m"), filters.customer_sql())
    assert sql.startswith("(m >= ? and m < ?) and customer_key in (select customer_key")
    assert params == [dt.date(2026, 1, 1), dt.date(2026, 4, 1), ["华东"], [7], ["baidu"]]
    assert Filters().customer_sql() == ("true", []) and Filters().period_sql("m") == ("true", [])
    assert Filters(reps=(3,)).opportunity_sql() == (
        "true and list_contains(?, sales_rep_id)",
        [[3]],
    )
