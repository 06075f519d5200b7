"""The real thing: `tandem serve` (a Streamlit server) in headless Chromium.

Chromium comes from the distribution's package (installed by `make test`, see
orchestration/services/install_chromium.sh); Playwright drives it without downloading a browser.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from orchestration.settings import REPO_ROOT, TandemSettings
from tests.dashboards.conftest import serving_scalar

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


VIEWER = ("viewer", "a-long-enough-password")


@pytest.fixture
def server(published: TandemSettings):
    from dashboards.access.credentials import add_user

    add_user(VIEWER[0], "manager", password=VIEWER[1])
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
    deadline = time.monotonic() + 60
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


def test_page_in_chromium_shows_the_mart_number(server: str, published: TandemSettings) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run orchestration/services/install_chromium.sh"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.goto(server, wait_until="domcontentloaded")
            # the dashboards ask for a login first
            page.get_by_label("User name").fill(VIEWER[0], timeout=60_000)
            page.get_by_role("textbox", name="Password").fill(VIEWER[1])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
            page.wait_for_selector(
                '[data-testid="stStatusWidget"]', state="detached", timeout=60_000
            )
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="Net revenue")
            value = metric.locator('[data-testid="stMetricValue"]').inner_text()
            title = page.locator("h1").first.inner_text()
        finally:
            browser.close()
    net = serving_scalar(published, "select sum(net_revenue) from finance.rpt_revenue_monthly")
    assert title == "Overview"
    assert value == f"{float(net):,.2f}" == "99,899.25"
