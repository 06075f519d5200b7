"""What one element costs a real browser to draw: CPU seconds of Chromium per page view.

Usage:
    python -m bench.browser_costs [--repeat 5]

Serves ``bench/browser_costs_app.py`` (no warehouse: fixed small frames) and opens each of its
pages from a blank one through the sidebar, as a reader moves between dashboards, in headless
Chromium. Per view: wall seconds from the click until the title is drawn, the script stopped and
every chart painted (as ``bench.browser_pages``), and the CPU seconds of Chromium's processes
and of the server over that time, read from the OS (less bent by other jobs on a shared machine
than the wall time). Medians of ``repeat`` views; the blank page's cost is every view's floor.
The dashboards use these figures to choose what a view draws (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.browser_costs_app import CASES
from bench.browser_pages import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _free_port, wait_healthy

APP = Path(__file__).resolve().with_name("browser_costs_app.py")
DRAWN_JS = """
(title) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const h1 = document.querySelector('h1');
    if (!app || !h1 || h1.innerText.trim() !== title) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    return Array.from(charts).every((c) => c.querySelector('svg.main-svg'));
}
"""


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def main() -> None:
    """Time every case and print a table."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    port = _free_port()
    options = ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            blank = next(iter(CASES))
            page.wait_for_function(DRAWN_JS, arg=blank, polling=50, timeout=TIMEOUT_MS)
            me, served = psutil.Process(), psutil.Process(server.pid)

            def go(title: str) -> None:
                link = page.locator('[data-testid="stSidebarNavLink"]')
                link.get_by_text(title, exact=True).click()
                page.wait_for_function(DRAWN_JS, arg=title, polling=50, timeout=TIMEOUT_MS)

            print("| page | wall s | Chromium CPU s | server CPU s | load |")
            print("|---|---|---|---|---|")
            for title in CASES:
                views = []
                for number in range(args.repeat + 1):
                    go(blank)
                    time.sleep(0.3)  # the blank page's own drawing is not counted
                    chromium = [c for c in me.children(recursive=True) if "chrom" in c.name()]
                    before = (_cpu(chromium), _cpu([served]))
                    started = time.perf_counter()
                    go(title)
                    wall = time.perf_counter() - started
                    time.sleep(0.4)  # drawing that ends after the page counts as settled
                    if number:  # the first view of a page warms Streamlit's script cache
                        views.append((_cpu(chromium) - before[0], wall, _cpu([served]) - before[1]))
                views.sort()
                browser_cpu, wall, server_cpu = views[len(views) // 2]
                print(
                    f"| {title} | {wall:.2f} | {browser_cpu:.2f} | {server_cpu:.2f} | "
                    f"{os.getloadavg()[0]:.1f} |",
                    flush=True,
                )
            browser.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)


if __name__ == "__main__":
    main()
