"""The first sign-in after a server start, in a real browser: `tandem serve` + headless Chromium.

Usage:
    TANDEM_HOME=/path/to/home python -m bench.browser_signin [--repeat 5] [--warm on,off]

Each repeat starts a fresh `tandem serve` (the first reader after a start is the one who pays
for the imports and an empty query cache), opens the login form in Chromium, and times from the
click on "Sign in" until Overview is drawn (its title, the script stopped, every chart painted:
``bench.browser_pages``). It also times how long the server took from its launch until the login
form was on screen, so that work moved to the start shows. Prints one line per repeat and the
medians, with the machine's load average (a shared two-core machine bends every wall time).
``--warm on,off`` alternates servers that import the pages' modules before they listen (what
`tandem serve` does) with servers that do not (``TANDEM_SERVE_WARM=0``, as before), so both
meet the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

from bench.browser_pages import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, VIEWER, _settle, serve


def _one(playwright, title: str) -> tuple[float, float]:
    """(seconds from launch to the login form, seconds from the click to Overview drawn)."""
    launched = time.perf_counter()
    with serve() as url:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("User name").wait_for(timeout=TIMEOUT_MS)
            form = time.perf_counter() - launched
            page.get_by_label("User name").fill(VIEWER[0])
            page.get_by_role("textbox", name="Password").fill(VIEWER[1])
            clicked = page.evaluate("() => performance.now()")
            started = time.perf_counter()
            page.get_by_role("button", name="Sign in").click()
            _settle(page, title)
            signin = time.perf_counter() - started
            # the part after the server's script stopped: the browser drawing the page
            script = (page.evaluate("() => window.__benchScriptDone") - clicked) / 1000
            print(f"  script done {script:.2f} s, drawn {signin:.2f} s", flush=True)
            return form, signin
        finally:
            browser.close()


def main() -> None:
    """Time ``repeat`` first sign-ins, each on a freshly started server."""
    from playwright.sync_api import sync_playwright

    from dashboards.access.credentials import add_user, remove_user
    from dashboards.i18n import t

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warm", default="on", help="on, off or both in turn: on,off")
    args = parser.parse_args()
    modes = args.warm.split(",")
    with contextlib.suppress(Exception):
        remove_user(VIEWER[0])
    add_user(VIEWER[0], "admin", password=VIEWER[1])
    results: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in modes}
    try:
        with sync_playwright() as playwright:
            for number in range(args.repeat):
                for mode in modes:
                    os.environ["TANDEM_SERVE_WARM"] = "0" if mode == "off" else "1"
                    form, signin = _one(playwright, t("page.overview", lang="en"))
                    load = os.getloadavg()[0]
                    results[mode].append((form, signin, load))
                    print(
                        f"warm {mode} #{number + 1}: login form {form:.2f} s after launch, "
                        f"sign-in {signin:.2f} s, load {load:.1f}",
                        flush=True,
                    )
    finally:
        with contextlib.suppress(Exception):
            remove_user(VIEWER[0])
    for mode, rows in results.items():
        forms, signins, loads = zip(*rows, strict=True)
        print(
            f"warm {mode}, median of {len(rows)}: login form {statistics.median(forms):.2f} s, "
            f"sign-in {statistics.median(signins):.2f} s (range {min(signins):.2f}-"
            f"{max(signins):.2f}), load {min(loads):.1f}-{max(loads):.1f}",
            file=sys.stdout,
            flush=True,
        )


if __name__ == "__main__":
    main()
