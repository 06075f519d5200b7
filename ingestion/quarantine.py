"""Quarantine: a broken file is copied to ``quarantine/`` with a report of what to fix."""

from __future__ import annotations

import contextlib
import csv
import shutil
from pathlib import Path, PurePosixPath

import duckdb

from ingestion.ledger import FileContext, insert_problems, record_ledger
from ingestion.problems import FileProblem


def write_quarantine(quarantine_dir: Path, ctx: FileContext, problems: list[FileProblem]) -> Path:
    """Copy the file to ``quarantine/`` next to a CSV report and a readable summary."""
    relative = PurePosixPath(ctx.relative)
    folder = quarantine_dir / relative.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{relative.stem}.{ctx.digest[:8]}{relative.suffix}"
    shutil.copy2(ctx.path, target)
    with open(
        target.with_name(target.name + ".report.csv"), "w", encoding="utf-8", newline=""
    ) as f:
        writer = csv.writer(f)
        writer.writerow(["file", "row", "column", "value", "expected", "problem", "what_to_do"])
        for p in problems:
            writer.writerow(
                [ctx.relative, p.row, p.column, p.value, p.expected, p.message, p.action]
            )
    lines = [
        f"Quarantined: {ctx.relative}",
        f"Contract:    {ctx.contract.path.name} -> {ctx.contract.raw_table}",
        f"SHA-256:     {ctx.digest}",
        f"Batch:       {ctx.batch_id} at {ctx.loaded_at:%Y-%m-%d %H:%M:%S}",
        "",
        "Nothing of this file was loaded; everything landed before is intact.",
        "",
    ]
    kinds = dict.fromkeys(p.kind for p in problems)
    for kind in kinds:
        first = next(p for p in problems if p.kind == kind)
        lines += [f"- {first.message}", f"  What to do: {first.action}"]
    lines += ["", f"Row-level details: {target.name}.report.csv", ""]
    target.with_name(target.name + ".report.txt").write_text("\n".join(lines), encoding="utf-8")
    return target


def quarantine_file(
    con: duckdb.DuckDBPyConnection,
    ctx: FileContext,
    problems: list[FileProblem],
    quarantine_dir: Path,
    seconds: float,
) -> Path:
    """Quarantine a broken file: copy and report it, record its problems and ledger entry."""
    target = write_quarantine(quarantine_dir, ctx, problems)
    con.execute("begin transaction")
    try:
        insert_problems(con, ctx, problems)
        record_ledger(con, ctx, "quarantined", 0, 0, problems, None, seconds, str(target))
        con.execute("commit")
    except BaseException:
        # a commit that failed (a full disk) has rolled back already: keep its own error
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    return target
