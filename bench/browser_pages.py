"""The real-browser half of ``bench.bench_pages``: `tandem serve` + headless Chromium.

One server, one signed-in session. First: the sign-in after the server started, which lands on
Overview (imports and an empty cache: the first reader after a start). Then each page: cold is
its opening through the sidebar right after a new build appeared (the serving file's identity
changes as a publish changes it, so every cached query misses: the first reader after a
publish); warm is the median of ``repeat`` returns to it from another page (the cache hot, as
for every reader after the first). A page with section tabs (``dashboards/navigation.py``)
opens on its first; each other tab is then timed the same way, by a click on it (cold right
after a new build, warm returning to it from the first tab). A time runs from the click until
the page's title (or the tab's section) is drawn, the script has stopped (the
``data-test-script-state`` Streamlit's own browser tests wait on) and every Plotly chart has
painted (an ``svg.main-svg`` in each).
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
from collections.abc import Iterator
from pathlib import Path

from dashboards.navigation import PAGE_BY_ID, PAGES

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWER = ("bench-browser", "a-long-enough-bench-password")
# page id (bench) -> url path (the navigation's)
URL_PATHS = {page.id: page.url_path for page in PAGES}
TIMEOUT_MS = 60_000
# done: the expected title is drawn, the script stopped, and every chart has painted
SETTLED_JS = """
(title) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const h1 = document.querySelector('h1');
    if (!app || !h1 || h1.innerText.trim() !== title) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (window.__benchScriptDone === undefined) window.__benchScriptDone = performance.now();
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    return Array.from(charts).every((c) => c.querySelector('svg.main-svg'));
}
"""


# a tab switch is done: the script stopped and the one open tab panel holds the section (a
# section's panel is empty until the rerun it asked for has drawn it) with its charts painted
TAB_SETTLED_JS = """
() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const open = Array.from(document.querySelectorAll('[role="tabpanel"]'))
        .filter((panel) => !panel.hidden && panel.offsetParent !== null);
    if (open.length !== 1) return false;
    if (!open[0].querySelector('[data-testid="stElementContainer"]')) return false;
    const charts = open[0].querySelectorAll('[data-testid="stPlotlyChart"]');
    return Array.from(charts).every((c) => c.querySelector('svg.main-svg'));
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until the Streamlit server at ``url`` answers its health check; fail when it has
    not after ``seconds`` or its process ended."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("streamlit did not come up")
        time.sleep(0.3)


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """A `tandem serve` of ``TANDEM_HOME`` on a free port; stopped (its group too) on exit."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve"],
        cwd=REPO,
        env={**os.environ, "TANDEM_SERVE_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _settle(page, title: str) -> None:
    page.wait_for_function(SETTLED_JS, arg=title, timeout=TIMEOUT_MS, polling=50)


def _sign_in_timed(page, url: str, title: str) -> float:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("User name").wait_for(timeout=TIMEOUT_MS)
    page.get_by_label("User name").fill(VIEWER[0])
    page.get_by_role("textbox", name="Password").fill(VIEWER[1])
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    _settle(page, title)
    return time.perf_counter() - started


def _go_timed(page, url_path: str, title: str) -> float:
    """Seconds from the click on the page's sidebar link until it is drawn."""
    # by its label (no page title is part of another's): the default page's link is the bare
    # root, not its url path
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first
    page.evaluate("() => { window.__benchScriptDone = undefined; }")
    clicked = page.evaluate("() => performance.now()")
    started = time.perf_counter()
    link.click()
    _settle(page, title)
    seconds = time.perf_counter() - started
    # how much of it the browser spent drawing after the script had stopped (charts, tables)
    script = (page.evaluate("() => window.__benchScriptDone") - clicked) / 1000
    print(
        f"{time.strftime('%H:%M:%S')} {url_path}: {seconds:.2f} s (script done {script:.2f} s)",
        file=sys.stderr,
        flush=True,
    )
    return seconds


def new_build(serving: Path) -> None:
    """Make the server see a new published build: a publish gives the serving file a new
    identity (inode, size, mtime), and the query cache is keyed by it, so a new mtime is enough
    (the content stays, the copy of the home is the bench's own)."""
    os.utime(serving, ns=(time.time_ns(), time.time_ns()))


def measure(pages: list[str], repeat: int) -> list[dict]:
    """Cold and warm seconds of every page in Chromium; a page that fails gets an error."""
    from playwright.sync_api import sync_playwright

    from dashboards.access.credentials import add_user, remove_user
    from dashboards.i18n import t
    from orchestration.settings import get_settings

    serving = get_settings().serving_db
    with contextlib.suppress(Exception):
        remove_user(VIEWER[0])
    add_user(VIEWER[0], "admin", password=VIEWER[1])
    rows = []
    with sync_playwright() as playwright, serve() as url:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # the first page after a server start: imports and an empty cache
            first = _sign_in_timed(page, url, t("page.overview"))
            rows.append({"page": "overview (sign-in)", "cold_process": first})
            for name in pages:
                rows.extend(_one_page(page, serving, name, repeat, t))
        finally:
            browser.close()
    with contextlib.suppress(Exception):
        remove_user(VIEWER[0])
    return rows


def _tab_timed(page, label: str) -> float:
    """Seconds from the click on a section tab until its section is drawn."""
    started = time.perf_counter()
    page.get_by_role("tab", name=label, exact=True).click()
    page.wait_for_function(TAB_SETTLED_JS, timeout=TIMEOUT_MS, polling=50)
    seconds = time.perf_counter() - started
    print(f"{time.strftime('%H:%M:%S')} tab {label}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return seconds


def _one_page(page, serving: Path, name: str, repeat: int, t) -> list[dict]:
    """The page (its first tab), then each other tab: cold after a new build, warm after."""
    title = t(f"page.{name}")
    # the page a run comes from: never the page itself
    other = "churn" if name != "churn" else "data_quality"
    try:
        _go_timed(page, URL_PATHS[other], t(f"page.{other}"))
        new_build(serving)
        cold = _go_timed(page, URL_PATHS[name], title)
        warm = []
        for _ in range(repeat):
            _go_timed(page, URL_PATHS[other], t(f"page.{other}"))
            warm.append(_go_timed(page, URL_PATHS[name], title))
    except Exception as error:  # a benchmark reports what failed, it never stops halfway
        return [{"page": name, "error": f"{type(error).__name__}: {error}"[:1500]}]
    rows = [{"page": name, "cold": cold, "warm": sorted(warm)[len(warm) // 2]}]
    tabs = [t(label) for label in PAGE_BY_ID[name].tabs]
    for label, key in zip(tabs[1:], PAGE_BY_ID[name].tabs[1:], strict=True):
        row_name = f"{name} › {key.rsplit('.', 1)[-1].removeprefix('tab_')}"
        try:
            new_build(serving)  # the first reader of this tab after a publish
            cold = _tab_timed(page, label)
            warm = []
            for _ in range(repeat):
                _tab_timed(page, tabs[0])
                warm.append(_tab_timed(page, label))
            _tab_timed(page, tabs[0])  # the page is left on its first tab, as a reader finds it
        except Exception as error:
            rows.append({"page": row_name, "error": f"{type(error).__name__}: {error}"[:1500]})
            continue
        rows.append({"page": row_name, "cold": cold, "warm": sorted(warm)[len(warm) // 2]})
    return rows
