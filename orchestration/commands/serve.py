"""`tandem serve`: the Streamlit dashboards on the published warehouse."""

from __future__ import annotations

import argparse
import os
import sys

from orchestration.commands.common import CommandError, progress
from orchestration.settings import REPO_ROOT, get_settings


def add_arguments(serve: argparse.ArgumentParser) -> None:
    """The options of `tandem serve`."""
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port to listen on (default: TANDEM_SERVE_PORT or 8501)",
    )


def _port(text: str) -> int:
    """A TCP port number, for argparse (its error names the option and the allowed range)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use a whole number 1-65535")
    return int(text)


def cmd_serve(args: argparse.Namespace) -> int:
    """Become the Streamlit server (exec): signals reach it, no orphan outlives the command."""
    settings = get_settings()
    settings.ensure_dirs()
    if not settings.serving_db.exists():
        raise CommandError(f"no published warehouse at {settings.serving_db}: run `tandem run`")
    from dashboards.access.credentials import ensure_demo_users

    # `make demo` opens straight away: the first serve creates one demo user per role
    for username, password in ensure_demo_users().items():
        progress(f"demo user {username}  password {password}")
    env = {**os.environ, **settings.tool_env()}
    port = settings.serve_port if args.port is None else args.port
    url = f"http://{settings.serve_host}:{port}"
    progress(f"Tandem dashboards: {url}  (Ctrl+C to stop)")
    command = [
        sys.executable,
        "-m",
        # Streamlit's own command line, after the pages' modules are imported: the first reader
        # to sign in no longer waits for them (dashboards/server.py)
        "dashboards.server",
        "run",
        str(REPO_ROOT / "dashboards" / "app.py"),
        "--server.address",
        settings.serve_host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # readers of a dashboard, not Streamlit developers: no deploy button or dev menu
        "--client.toolbarMode",
        "viewer",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    # become the Streamlit server: a signal sent to `tandem serve` (Ctrl+C, a supervisor's
    # SIGTERM) reaches the server itself, and no orphaned server outlives this command
    os.execve(sys.executable, command, env)
    return 0  # not reached
