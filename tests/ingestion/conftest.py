"""Fixtures for ingestion tests: one tiny simulated extract per session, bad-file helpers."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from ingestion.landing import LandingReport, land_directory


@pytest.fixture(scope="session")
def tiny_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulator's tiny full extract (seed 42), generated once per session. Read-only."""
    from simulator import generate

    out = tmp_path_factory.mktemp("tiny") / "landing"
    generate(out, scale="tiny", seed=42)
    return out


@pytest.fixture(scope="session")
def tiny_drops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three consecutive daily-drop folders of the tiny simulation (the first one is big)."""
    from simulator import generate

    out = tmp_path_factory.mktemp("drops_full")
    generate(out, scale="tiny", seed=42, daily_drops=True)
    keep = tmp_path_factory.mktemp("drops") / "landing"
    for name in sorted(p.name for p in (out / "drops").iterdir())[200:203]:
        shutil.copytree(out / "drops" / name, keep / "drops" / name)
    shutil.rmtree(out)
    return keep


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    encoding: str = "utf-8",
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    """Write a small CSV extract exactly as an exporter would (no quoting unless needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return f'"{text}"' if any(ch in text for ch in ',"\n') else text

    lines = [",".join(header)] + [",".join(cell(v) for v in row) for row in rows]
    data = (newline.join(lines) + newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def land(home: Path) -> LandingReport:
    """Land ``home/landing`` into ``home/warehouse/build.duckdb`` with quarantine in ``home``."""
    return land_directory(
        home / "warehouse" / "build.duckdb",
        home / "landing",
        quarantine_dir=home / "quarantine",
    )


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


INVOICE_HEADER = [
    "发票号码",
    "开票日期",
    "到期日期",
    "单据状态",
    "红字发票",
    "原发票号码",
    "源单编号",
    "客户编码",
    "客户名称",
    "税率(%)",
    "金额",
    "税额",
    "价税合计",
    "销售成本",
]


def invoice_row(n: int, date: str = "2024-01-02", net: str = "100.00") -> list[object]:
    """One plausible invoice line; ``n`` makes the key unique."""
    return [
        f"FP{n:08d}",
        date,
        "2024-02-01",
        "C",
        "否",
        "",
        f"SO{n:06d}",
        "CUST000001",
        "上海某某科技有限公司",
        13,
        net,
        "13.00",
        "113.00",
        "60.00",
    ]
