"""Channel ROI page on the tiny company: every figure it shows equals SQL on the serving file.

The expected values are computed here from the model's tables with plain SQL, not with the
page's queries; the tiny pipeline runs the attribution and the MMM (on the channels it can fit).
"""

from __future__ import annotations

import pytest

from dashboards.formatting import format_cny
from dashboards.i18n import t
from tests.dashboards.conftest import open_page, open_tab
from tests.dashboards.test_pages import LANGS, last_twelve_months
from tests.warehouse.conftest import TinyWarehouse


def _frame(app, first_column: str, columns: set[str]):
    """The shown table whose headers include ``columns`` (pandas, headers translated)."""
    for frame in app.dataframe:
        value = frame.value
        if value.columns[0] == first_column and columns <= set(value.columns):
            return value
    raise AssertionError(f"no table with {columns}")


@pytest.mark.parametrize("lang", LANGS)
def test_channel_roi_figures_equal_sql(tiny: TinyWarehouse, lang: str) -> None:
    app = open_page("channel_roi", lang)
    assert not app.error and not app.exception
    start, end = last_twelve_months(tiny)
    # attribution side by side: ROI of every model and paid channel over the default period
    expected = tiny.rows(
        "select model, channel, sum(gross_margin) / sum(spend) from ml.channel_attribution "
        "where month >= ? and month <= ? and as_of_date = "
        "(select max(as_of_date) from ml.channel_attribution) "
        "group by all having sum(spend) > 0",
        [start, end],
    )
    assert len(expected) >= 4
    channel = t("channel", lang=lang)
    roi_table = _frame(app, channel, {t("attr.first_touch", lang=lang)})
    shown = roi_table.set_index(channel)
    for model, name, value in expected:
        assert shown.loc[name, t(f"attr.{model}", lang=lang)] == pytest.approx(value, rel=1e-9)
    # attribution only (spend is a table): the other tabs do not run
    assert len(app.get("plotly_chart")) == 1
    open_tab(app, "channel_roi_tab", "roi.tab_mmm", lang)
    # MMM ROI with its interval: every fitted channel, as the model wrote it
    mmm = tiny.rows(
        "select channel, roi, roi_lower, roi_upper from ml.channel_roi where method = 'mmm'"
    )
    assert mmm, "the tiny MMM fits at least one channel"
    shown = _frame(app, channel, {t("roi_lower", lang=lang)}).set_index(channel)
    assert sorted(shown.index) == sorted(row[0] for row in mmm)
    for name, value, lower, upper in mmm:
        assert shown.loc[name, t("roi", lang=lang)] == pytest.approx(value)
        assert shown.loc[name, t("roi_lower", lang=lang)] == pytest.approx(lower)
        assert shown.loc[name, t("roi_upper", lang=lang)] == pytest.approx(upper)
    # response curves: every point of every fitted channel
    points = tiny.scalar("select count(*) from ml.channel_response_curves")
    curves = _frame(app, channel, {t("marginal_roi", lang=lang)})
    assert len(curves) == points > 0
    assert len(app.get("plotly_chart")) == 2  # MMM, curves
    open_tab(app, "channel_roi_tab", "roi.tab_budget", lang)
    # the suggested budget: the total's extra margin and spend as cards, every row in the table
    uplift, planned, rows = tiny.rows(
        "select max(uplift) filter (where channel = 'total'), "
        "max(planned_spend) filter (where channel = 'total'), count(*) "
        "from ml.channel_budget_plan"
    )[0]
    cards = {metric.label: metric.value for metric in app.metric}
    assert cards[t("roi.uplift", lang=lang)] == format_cny(uplift, lang)
    assert cards[t("roi.planned_total", lang=lang)] == format_cny(planned, lang)
    plan = _frame(app, channel, {t("planned_spend", lang=lang)})
    assert len(plan) == rows and t("roi.total", lang=lang) in set(plan[channel])


def test_channel_roi_says_why_when_the_mmm_fitted_nothing(
    tiny: TinyWarehouse, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    settings = tiny.copy_home(tmp_path / "home")
    settings.serving_db.chmod(0o644)  # published read-only
    con = duckdb.connect(str(settings.serving_db))
    try:
        con.execute("delete from ml.channel_roi where method = 'mmm'")
        con.execute("delete from ml.channel_response_curves")
        con.execute("delete from ml.channel_budget_plan")
    finally:
        con.close()
    monkeypatch.setenv("TANDEM_HOME", str(settings.root))
    app = open_page("channel_roi")
    assert not app.error and not app.exception
    # the attribution tables still show
    assert t("roi.attribution") in [s.value for s in app.subheader]
    # the MMM tab says why; no curve follows it
    open_tab(app, "channel_roi_tab", "roi.tab_mmm")
    assert t("roi.mmm_empty") in [info.value for info in app.info]
    assert t("roi.curves") not in [s.value for s in app.subheader]
    # nor is there a plan to suggest
    open_tab(app, "channel_roi_tab", "roi.tab_budget")
    assert t("roi.mmm_empty") in [info.value for info in app.info]
    assert not app.metric
