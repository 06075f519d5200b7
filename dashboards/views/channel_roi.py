"""Channel ROI: spend per channel, attribution side by side, MMM ROI, response curves, budget."""

import plotly.express as px
import streamlit as st

from dashboards.components import guarded, model_guidance, require_rows, table
from dashboards.data import models as data
from dashboards.i18n import t
from dashboards.page import sources, start_page


def main() -> None:
    """Draw the page."""
    _, filters = start_page("page.channel_roi")
    st.subheader(t("roi.spend"))
    spend = data.spend_by_channel(filters)
    require_rows(spend, filtered=bool(filters.channels))
    figure = px.bar(
        spend.to_pandas(),
        x="channel",
        y="spend_yuan",
        labels={"channel": t("channel"), "spend_yuan": t("spend")},
    )
    figure.update_layout(height=300)
    st.plotly_chart(figure, width="stretch")
    table(spend, "marketing_spend", {"channel": t("channel"), "spend_yuan": t("spend")})
    sources("core.fct_marketing_spend")
    if not model_guidance("channel_roi", list(data.ROI_TABLES.values())):
        return
    for label, name in data.ROI_TABLES.items():
        st.subheader(t(label))
        table(data.latest(name, filters), name.removeprefix("ml."))
    sources(*data.ROI_TABLES.values())


with guarded():
    main()
