"""The one list of the app's pages: the navigation, the page tests and the benchmarks read it.

A page's id names its file under ``dashboards/views/``, its title key (``page.<id>``) and, with
dashes, its URL path. The folder is views/, not pages/: Streamlit runs a file under pages/
directly when its URL is opened first, bypassing the navigation (and its login gate).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIEWS_DIR = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: its id and its Material icon (emoji need fonts servers lack)."""

    id: str
    icon: str
    # a reader's dashboard (tested in both languages, benchmarked) rather than a tool page
    dashboard: bool = True
    # label keys of the page's section tabs, of which only the open one runs (first: default)
    tabs: tuple[str, ...] = ()

    @property
    def file(self) -> Path:
        return VIEWS_DIR / f"{self.id}.py"

    @property
    def title_key(self) -> str:
        return f"page.{self.id}"

    @property
    def tab_key(self) -> str:
        """The session-state key of the page's open tab."""
        return f"{self.id}_tab"

    @property
    def url_path(self) -> str:
        return self.id.replace("_", "-")


# the order is the navigation's; the first page is the default one
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", ":material/insights:"),
    PageSpec(
        "finance",
        ":material/payments:",
        tabs=("finance.tab_revenue", "finance.tab_receivables", "finance.tab_ledger"),
    ),
    PageSpec(
        "sales",
        ":material/handshake:",
        tabs=("sales.tab_funnel", "sales.tab_pipeline", "sales.tab_silo"),
    ),
    PageSpec("customer_360", ":material/person_search:"),
    PageSpec("churn", ":material/warning:"),
    PageSpec(
        "channel_roi",
        ":material/campaign:",
        tabs=("roi.tab_attribution", "roi.tab_mmm", "roi.tab_budget"),
    ),
    PageSpec("segments", ":material/grid_view:"),
    PageSpec("data_quality", ":material/fact_check:"),
    PageSpec("workbench", ":material/terminal:", dashboard=False),
    PageSpec("segment_builder", ":material/group_add:", dashboard=False),
)
PAGE_BY_ID = {page.id: page for page in PAGES}
# the eight reader dashboards of issue 16, in navigation order
DASHBOARD_PAGES: tuple[str, ...] = tuple(page.id for page in PAGES if page.dashboard)
