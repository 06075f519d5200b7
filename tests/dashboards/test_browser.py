"""The real thing: `tandem serve` (a Streamlit server) in headless Chromium, every page.

Chromium comes from the distribution's package (installed by `make test`, see
orchestration/services/install_chromium.sh); Playwright drives it without downloading a browser.
Screenshots go to the test's temporary folder; with TANDEM_UPDATE_SCREENSHOTS=1 they also replace
the ones the README shows (docs/screenshots/).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from dashboards.formatting import format_cny, format_count
from dashboards.i18n import t
from dashboards.navigation import PAGES as NAV_PAGES
from orchestration.settings import REPO_ROOT
from tests.warehouse.conftest import TinyWarehouse

CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# url path of each dashboard (the navigation's) and its title key
PAGES = {page.url_path: page.title_key for page in NAV_PAGES if page.dashboard}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# an admin opens every page; the dashboards ask for a login before any page
VIEWER = ("browser-admin", "a-long-enough-password")


@pytest.fixture
def server(tiny: TinyWarehouse):
    from dashboards.access.credentials import add_user, remove_user

    with contextlib.suppress(Exception):
        remove_user(VIEWER[0])  # a rerun in the same session's home
    add_user(VIEWER[0], "admin", password=VIEWER[1])
    port = _free_port()
    env = {**os.environ, "TANDEM_SERVE_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"streamlit did not come up: {process.stdout.read()[-2000:]}")
    yield url
    process.terminate()  # `tandem serve` execs Streamlit: this stops the server itself
    try:
        process.wait(20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything it may have started


def _open(page: Page, url: str) -> None:
    """Open ``url`` (a new browser session each time): sign in on the login form first."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=90_000)
    if page.locator("h1").first.inner_text() == "Sign in to Tandem":
        page.get_by_label("User name").fill(VIEWER[0])
        page.get_by_role("textbox", name="Password").fill(VIEWER[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector('h1:not(:has-text("Sign in to Tandem"))', timeout=90_000)


def _settle(page: Page) -> None:
    """Wait until the script has run and the page is drawn."""
    page.wait_for_selector("h1", timeout=90_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    page.wait_for_timeout(500)  # charts draw after the script ends


def _metric_value(page: Page, label: str) -> Locator:
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return card.first.locator('[data-testid="stMetricValue"]')


def _metric(page: Page, label: str) -> str:
    return _metric_value(page, label).inner_text()


def test_every_page_in_chromium(server: str, tiny: TinyWarehouse, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run orchestration/services/install_chromium.sh"
    overdue = tiny.scalar("select sum(past_due_amount) from finance.rpt_receivables_aging")
    over_90 = tiny.scalar("select sum(past_due_over_90_amount) from finance.rpt_receivables_aging")
    alerts = tiny.scalar(
        "select count(*) from order_to_cash.rpt_silo_alerts "
        "where alert_type = 'crm_contract_without_erp_order'"
    )
    titles, figures = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path in PAGES:
                if path == "overview":
                    _open(page, server)  # sign in once; the default page is the overview
                else:  # the sidebar keeps the signed-in session (a new URL would start another)
                    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
                    page.wait_for_selector(f'h1:has-text("{t(PAGES[path], lang="en")}")')
                _settle(page)
                titles[path] = page.locator("h1").first.inner_text()
                assert page.locator('[data-testid="stException"]').count() == 0, path
                page.screenshot(path=tmp_path / f"{path}.png")
                if path == "overview":
                    figures["ar_overdue"] = _metric(page, t("kpi.ar_overdue", lang="en"))
                    figures["silo_alerts"] = _metric(page, t("kpi.silo_alerts", lang="en"))
                if path == "finance":  # the aging is on the page's second tab
                    page.get_by_role("tab", name=t("finance.tab_receivables", lang="en")).click()
                    _settle(page)
                    figures["over_90"] = _metric(page, t("aging.over_90", lang="en"))
            # the same figure the Chinese way (a link with ?lang=zh opens in that language)
            _open(page, f"{server}/overview?lang=zh")
            page.wait_for_selector(f'h1:has-text("{t("page.overview", lang="zh")}")')
            _settle(page)
            figures["ar_overdue_zh"] = _metric(page, t("kpi.ar_overdue", lang="zh"))
            # a second direct URL in one browser session can raise Streamlit's "page not found"
            # notice over the page (the page itself runs): close it for the picture
            page.keyboard.press("Escape")
            page.screenshot(path=tmp_path / "overview-zh.png")
        finally:
            browser.close()
    assert titles == {path: t(key, lang="en") for path, key in PAGES.items()}
    assert figures == {
        "ar_overdue": format_cny(overdue, "en"),
        "silo_alerts": format_count(alerts),
        "over_90": format_cny(over_90, "en"),
        "ar_overdue_zh": format_cny(overdue, "zh"),
    }
    if os.environ.get("TANDEM_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copyfile(shot, SCREENSHOTS / shot.name)


SPEND_FLOOR = 100_000  # yuan of lifetime net revenue: a segment of part of the tiny company


def test_build_a_segment_and_download_its_export_in_chromium(
    server: str, tiny: TinyWarehouse, tmp_path: Path
) -> None:
    """Marketing's path end to end in a real browser: conditions, live count, save, export,
    download; the file holds exactly the consented contacts and matches the export log."""
    from dashboards.segments.export import export_log

    # what the segment must hold, straight from the marts (not through the page's query code)
    expected = tiny.rows(
        """
        select distinct c360.customer_key, contacts.contact_id
        from customer.rpt_customer_360 as c360
        join customer.dim_contact as contacts using (customer_key)
        where not c360.is_deleted and c360.lifetime_net_revenue >= ?
            and contacts.has_marketing_consent and contacts.consent_status = 'consented'
            and contacts.is_current_for_address
            and coalesce(contacts.mobile_e164, contacts.email) is not null
        """,
        [SPEND_FLOOR],
    )
    assert len(expected) > 0
    refused = {
        address
        for (address,) in tiny.rows(
            "select coalesce(mobile_e164, email) from customer.dim_contact"
            " where not has_marketing_consent or consent_status <> 'consented'"
        )
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
            _open(page, server)
            _settle(page)
            page.locator('[data-testid="stSidebarNav"] a[href$="/segment-builder"]').click()
            page.wait_for_selector('h1:has-text("Segment builder")')
            _settle(page)
            page.get_by_label("Name", exact=True).fill("browser-big-spenders")
            page.get_by_label("Name", exact=True).press("Enter")
            _settle(page)
            spend = page.get_by_label("Lifetime net revenue at least, yuan (0: any)")
            spend.fill(str(SPEND_FLOOR))
            spend.press("Enter")
            # the rerun that applies the floor may start after _settle has already looked for
            # the running widget: wait (bounded) for the live count the marts give, and fail
            # with the count the page shows if it never gets there
            count = _metric_value(page, "Consented contacts to export")
            with contextlib.suppress(AssertionError):
                expect(count).to_have_text(f"{len(expected):,}", timeout=90_000)
            _settle(page)
            shown = count.inner_text()
            page.get_by_role("button", name="Save segment").click()
            page.wait_for_selector('text="saved browser-big-spenders as version 1"')
            _settle(page)
            page.get_by_role("button", name="Export consented contacts").click()
            download_button = page.get_by_role("button", name="Download browser-big-spenders.csv")
            download_button.wait_for(timeout=90_000)
            with page.expect_download() as info:
                download_button.click()
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
            page.screenshot(path=tmp_path / "segment-builder.png")
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()

    data = target.read_bytes()
    assert target.name == "browser-big-spenders-csv.csv"
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:2] == ["customer_key", "customer_name"]
    # the live count, the file and the marts agree
    assert shown == f"{len(expected):,}"
    assert len(rows) == len(expected)
    assert {row[0] for row in rows} == {key for key, _ in expected}
    # no address whose owner refused marketing (a leading ' is the formula guard, not data)
    assert not refused & {cell.lstrip("'") for row in rows for cell in row}
    # the audit log names who, which version and the very bytes that were downloaded
    entry = next(e for e in export_log(20) if e["segment_name"] == "browser-big-spenders")
    assert (entry["username"], entry["segment_version"], entry["format"], entry["row_count"]) == (
        VIEWER[0],
        1,
        "csv",
        len(expected),
    )
    assert entry["file_sha256"] == hashlib.sha256(data).hexdigest()
