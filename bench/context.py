"""The state of one benchmark run: where its scratch data lives and how to measure a child."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Measurement, measure_child
from orchestration.settings import REPO_ROOT, TandemSettings


@dataclass
class BenchContext:
    """Scale, seed and scratch folder of a run, plus what earlier stages left for later ones.

    ``work`` holds everything the run writes (a TANDEM_HOME per purpose, child logs and task
    files); nothing goes into the repository or ./data.
    """

    scale: str
    seed: int
    work: Path
    repeat: int = 3
    progress: Any = None  # Callable[[str], None] | None
    state: dict[str, Any] = field(default_factory=dict)
    _calls: int = 0

    @property
    def home(self) -> Path:
        """The TANDEM_HOME the stage benchmarks build in."""
        return self.work / "home"

    def settings(self, home: Path | None = None) -> TandemSettings:
        """Settings for ``home`` (default: the stage home)."""
        return TandemSettings(home=home or self.home)

    def env(self, home: Path | None = None) -> dict[str, str]:
        """The environment of a child working in ``home``: ours plus the Tandem tool variables."""
        settings = self.settings(home)
        return {
            **os.environ,
            "TANDEM_HOME": str(settings.root),
            **settings.tool_env(),
            "PYTHONUNBUFFERED": "1",
        }

    def say(self, message: str) -> None:
        """Report progress (stderr via the CLI)."""
        if self.progress:
            self.progress(message)

    def run_task(
        self, task: str, params: dict[str, Any], home: Path | None = None, label: str = ""
    ) -> tuple[Measurement, dict[str, Any]]:
        """Run ``bench.child`` task in a measured child process; return its figures and result."""
        self._calls += 1
        stem = f"{self._calls:03d}-{label or task}".replace(":", "_").replace("/", "_")
        calls = self.work / "calls"
        calls.mkdir(parents=True, exist_ok=True)
        params_path, out_path = calls / f"{stem}.params.json", calls / f"{stem}.out.json"
        params_path.write_text(json.dumps(params), encoding="utf-8")
        command = [sys.executable, "-m", "bench.child", task, str(params_path), str(out_path)]
        measurement = measure_child(
            command, self.env(home), cwd=REPO_ROOT, log_path=self.work / "logs" / f"{stem}.log"
        )
        return measurement, json.loads(out_path.read_text(encoding="utf-8"))


def reset_warehouse(settings: TandemSettings) -> None:
    """Forget everything landed or built under ``settings`` (extracts in landing/ stay)."""
    for path in (settings.warehouse_dir, settings.quarantine_dir, settings.dagster_home):
        shutil.rmtree(path, ignore_errors=True)
    settings.ensure_dirs()


def link_tree(source: Path, target: Path) -> None:
    """Mirror ``source`` into ``target`` with hard links (copies across file systems)."""
    for path in source.rglob("*"):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)
