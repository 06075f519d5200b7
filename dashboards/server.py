"""The Streamlit server of `tandem serve`, with the pages' modules imported before it listens.

Streamlit runs the app's script once per reader session in the server's own process, so a
module imported by that process stays imported for every session. Started plainly, the server
imports the pages' libraries (Plotly, polars, pandas, the page helpers) on the first view after
a sign-in, and the first reader waited 8-14 s for Overview (docs/BENCHMARKS.md). Here they are
imported before the server starts, so that wait moves to the start, before anyone signs in.
Importing them from a thread started by the login form was tried and made the next view wait
on the imports the thread held; imported here, nothing competes with them.

Usage (what `tandem serve` execs): ``python -m dashboards.server run dashboards/app.py [options]``
with Streamlit's own command line after the module name. ``TANDEM_SERVE_WARM=0`` starts the
server without importing first (the benchmark's "before").
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
DASHBOARDS = Path(__file__).resolve().parent
# the entry point and every page: the modules the first signed-in view needs
SCRIPTS = (DASHBOARDS / "app.py", *sorted((DASHBOARDS / "views").glob("*.py")))
# imported by those modules only when first used, not when imported: polars' to_pandas and
# Plotly Express need pandas, Streamlit sends every table to the browser through pyarrow
LAZY = ("pandas", "pyarrow")


def imported_modules(scripts: Iterable[Path]) -> list[str]:
    """The absolute modules the ``import`` statements of ``scripts`` name, sorted, no repeats.

    Read from the files' syntax (a page is a script that draws when run, it cannot be imported
    to find out), so a page that starts to import something new is warmed with no list to edit.
    """
    names: set[str] = set()
    for script in scripts:
        try:
            tree = ast.parse(script.read_text(encoding="utf-8"), str(script))
        except SyntaxError as error:  # the page shows its own error when opened
            _LOGGER.warning("not read before serving: %s (%s)", script, error)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == "__future__":
                    continue
                names.add(node.module)
                # `from dashboards.data import overview` imports a module the package does not
                names.update(
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if _is_submodule(node.module, alias.name)
                )
    return sorted(names)


def _is_submodule(package: str, name: str) -> bool:
    """Whether ``package.name`` is a module (not a function or class of the package)."""
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except ModuleNotFoundError:  # ``package`` is a module, not a package
        return False
    except Exception:  # ``package`` fails to import: warm_up says so when it imports it
        return False


class _Drop(logging.Filter):
    """Drops the log records whose message starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


def warm_up() -> list[str]:
    """Import what the pages need; return the module names imported."""
    # a @st.cache_data decorated before the server exists warns that it has no runtime yet:
    # harmless (each cache is made on its first call, in the runtime) but alarming in a log. A
    # filter, not a level: Streamlit resets its loggers' levels when it reads its config.
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    no_runtime = _Drop("No runtime found")
    quiet.addFilter(no_runtime)
    imported = []
    try:
        # finding the names imports the packages that hold them (``_is_submodule``)
        for name in [*imported_modules(SCRIPTS), *LAZY]:
            try:
                importlib.import_module(name)
            except Exception as error:  # a page that cannot import says so itself; the
                # other pages are still served (and warmed)
                _LOGGER.warning("not imported before serving: %s (%s)", name, error)
                continue
            imported.append(name)
        _draw_once()
    finally:
        quiet.removeFilter(no_runtime)
    return imported


def _draw_once() -> None:
    """Make a chart and a table as a page does, on two rows of made-up numbers.

    Plotly imports its validators, narwhals and JSON encoders the first time it builds and
    serializes a figure, and Streamlit its Arrow conversion the first time it sends a table:
    done here, the first reader's page does not pay for them.
    """
    import plotly.express as px
    import plotly.graph_objects as go
    import plotly.io
    import polars as pl
    from streamlit import dataframe_util

    frame = pl.DataFrame({"month": ["2026-01", "2026-02"], "amount": [1.0, 2.0]})
    figures = [
        px.line(frame.to_pandas(), x="month", y="amount", markers=True),
        px.bar(frame.to_pandas(), x="month", y="amount"),
        go.Figure(go.Bar(x=frame["month"], y=frame["amount"])),
    ]
    for figure in figures:
        plotly.io.to_json(figure, validate=False)  # what st.plotly_chart sends
    dataframe_util.convert_anything_to_arrow_bytes(frame)  # what st.dataframe sends


def main(argv: list[str]) -> None:
    """Warm up (unless ``TANDEM_SERVE_WARM=0``), then run Streamlit's command line on argv."""
    if os.environ.get("TANDEM_SERVE_WARM", "1") != "0":
        warm_up()
    from streamlit.web import cli

    # Streamlit reads its own command line from sys.argv: make it the one `streamlit` gets
    sys.argv = ["streamlit", *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
