"""Streaming extract writers: CSV appended chunk by chunk (UTF-8 or GB18030), XLSX with fixed
metadata, daily-drop routing, and the location of every planted problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from simulator.calendar import next_business_day, to_date

RENDER_ROWS = 200_000
FLUSH_BYTES = 256 * 2**20  # daily-drop buffer written out beyond this size


@dataclass
class FileState:
    """What has been written to one file so far."""

    rows: int = 0
    bytes: int = 0
    sha256: hashlib._Hash = field(default_factory=hashlib.sha256)  # type: ignore[name-defined]


@dataclass(frozen=True)
class Format:
    """How a source system writes its CSV files."""

    encoding: str  # "utf-8" or "gb18030"
    line_terminator: str
    lag_business_days: int  # 0: lands the same day (CRM); 1: next business day (ERP, ads)


CRM = Format("utf-8", "\n", 0)
ERP = Format("gb18030", "\r\n", 1)  # exported from Windows clients
ADS_UTF8 = Format("utf-8", "\n", 1)
ADS_GBK = Format("gb18030", "\r\n", 1)


class ExtractWriter:
    """Appends frames to extract files; hidden ``_``-prefixed columns steer it.

    ``_drop`` (Date) routes each row to its daily drop; ``_problem``/``_column``/``_detail``
    flag a planted problem whose file and row number are recorded.
    """

    def __init__(self, out_dir: Path, daily_drops: bool, start_day: int) -> None:
        self.out_dir = out_dir
        self.daily_drops = daily_drops
        self.first_drop = int(next_business_day(np.array([start_day]), strictly_after=False)[0])
        self.files: dict[str, FileState] = {}
        self.problems: list[pl.DataFrame] = []
        self._buffers: dict[str, list[bytes]] = {}
        self._buffered = 0

    def _drop_folder(self, day: int) -> str:
        return f"drops/{to_date(day).isoformat()}"

    def csv(self, rel: str, df: pl.DataFrame, fmt: Format) -> None:
        """Append ``df`` to ``rel`` (or to ``drops/<day>/rel`` per row in daily-drop mode)."""
        if df.height == 0:
            return
        visible = [c for c in df.columns if not c.startswith("_")]
        table = df.select(visible)
        header = table.head(0).write_csv(include_header=True, line_terminator=fmt.line_terminator)
        flagged = self._flags(df, visible[0])
        if not self.daily_drops:
            # Render in slices: the text of a whole chunk (and its GB18030 re-encoding) would
            # otherwise be the largest allocation of a run.
            for offset in range(0, table.height, RENDER_ROWS):
                part = table.slice(offset, RENDER_ROWS)
                buf = io.BytesIO()
                part.write_csv(
                    buf,
                    include_header=False,
                    line_terminator=fmt.line_terminator,
                    float_precision=2,
                )
                self._append_bytes(
                    rel, header, buf.getvalue(), part.height, flagged if offset == 0 else None, fmt
                )
            return
        body = table.write_csv(
            include_header=False, line_terminator=fmt.line_terminator, float_precision=2
        )
        # Values never contain line breaks, so splitting the rendered text gives one row each.
        lines = body.split(fmt.line_terminator)[:-1]
        days = df["_drop"].cast(pl.Int32).to_numpy().astype(np.int64)
        drop = next_business_day(days, strictly_after=fmt.lag_business_days > 0)
        drop = np.maximum(drop, self.first_drop)
        order = np.argsort(drop, kind="stable")
        bounds = np.flatnonzero(np.diff(drop[order])) + 1
        for group in np.split(order, bounds):
            target = f"{self._drop_folder(int(drop[group[0]]))}/{rel}"
            self._append(target, header, [lines[i] for i in group.tolist()], group, flagged, fmt)

    def _append_bytes(
        self,
        rel: str,
        header: str,
        body: bytes,
        n_rows: int,
        flagged: pl.DataFrame | None,
        fmt: Format,
    ) -> None:
        """Full-extract mode: append a rendered chunk (UTF-8 from polars) to one file."""
        state = self.files.get(rel)
        new = state is None
        if new:
            state = self.files[rel] = FileState()
            (self.out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        if flagged is not None:
            self.problems.append(
                flagged.select(
                    "problem",
                    pl.lit(rel).alias("file"),
                    (pl.col("_i").cast(pl.Int64) + state.rows + 1).alias("row"),
                    "column",
                    "record_id",
                    "detail",
                )
            )
        data = (header if new else "").encode(fmt.encoding)
        data += body if fmt.encoding == "utf-8" else body.decode("utf-8").encode(fmt.encoding)
        with open(self.out_dir / rel, "ab") as fh:
            fh.write(data)
        state.rows += n_rows
        state.bytes += len(data)
        state.sha256.update(data)

    @staticmethod
    def _flags(df: pl.DataFrame, id_column: str) -> pl.DataFrame | None:
        """Rows flagged with a planted problem: index, problem, column, record id, detail."""
        if "_problem" not in df.columns:
            return None
        problem = df["_problem"]
        if problem.dtype in (pl.Object, pl.Null):
            problem = pl.Series(problem.to_list(), dtype=pl.String)
        idx = np.flatnonzero(problem.is_not_null().to_numpy())
        if len(idx) == 0:
            return None
        cols = {}
        for c in ("_column", "_detail"):
            if c not in df.columns:
                cols[c] = pl.repeat(None, len(idx), eager=True, dtype=pl.String)
                continue
            col = df[c]
            if col.dtype in (pl.Object, pl.Null):
                col = pl.Series(col.to_list(), dtype=pl.String)
            cols[c] = col.gather(idx).cast(pl.String)
        return pl.DataFrame(
            {
                "_i": idx,
                "problem": problem.gather(idx),
                "column": cols["_column"],
                "record_id": df[id_column].gather(idx).cast(pl.String),
                "detail": cols["_detail"],
            }
        )

    def _append(
        self,
        rel: str,
        header: str,
        lines: list[str],
        source_rows: np.ndarray,
        flagged: pl.DataFrame | None,
        fmt: Format,
    ) -> None:
        state = self.files.get(rel)
        new = state is None
        if new:
            state = self.files[rel] = FileState()
        if flagged is not None:
            pos = np.full(int(source_rows.max()) + 1, -1, dtype=np.int64)
            pos[source_rows] = np.arange(len(source_rows))
            idx = flagged["_i"].to_numpy()
            inside = idx < len(pos)
            inside[inside] = pos[idx[inside]] >= 0
            hit = flagged.filter(pl.Series(inside))
            if hit.height:
                rows = pos[hit["_i"].to_numpy()] + state.rows + 1
                self.problems.append(
                    hit.select(
                        "problem",
                        pl.lit(rel).alias("file"),
                        pl.Series("row", rows, dtype=pl.Int64),
                        "column",
                        "record_id",
                        "detail",
                    )
                )
        text = (header if new else "") + fmt.line_terminator.join(lines) + fmt.line_terminator
        data = text.encode(fmt.encoding)
        if self.daily_drops:
            # Thousands of small files: buffer them and write each file in few large appends.
            self._buffers.setdefault(rel, []).append(data)
            self._buffered += len(data)
            if self._buffered > FLUSH_BYTES:
                self.flush()
        else:
            if new:
                (self.out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            with open(self.out_dir / rel, "ab") as fh:
                fh.write(data)
        state.rows += len(lines)
        state.bytes += len(data)
        state.sha256.update(data)

    def flush(self) -> None:
        """Write buffered daily-drop files to disk."""
        made: set[Path] = set()
        for rel, parts in self._buffers.items():
            path = self.out_dir / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "ab") as fh:
                fh.write(b"".join(parts))
        self._buffers.clear()
        self._buffered = 0

    def xlsx(self, rel: str, df: pl.DataFrame, sheet: str, created: dt.date) -> None:
        """Write a small entity as one XLSX sheet with fixed workbook times (reproducible)."""
        visible = [c for c in df.columns if not c.startswith("_")]
        if self.daily_drops:
            rel = f"{self._drop_folder(self.first_drop)}/{rel}"
        path = self.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        when = dt.datetime.combine(created, dt.time(9, 0))
        wb.set_properties({"created": when, "author": "tandem"})
        ws = wb.add_worksheet(sheet)
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for j, col in enumerate(visible):
            ws.write_string(0, j, col)
            for i, value in enumerate(df[col].to_list(), start=1):
                if isinstance(value, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_fmt)
                elif value is None:
                    continue
                else:
                    ws.write(i, j, value)
        wb.close()
        data = buf.getvalue()
        path.write_bytes(data)
        state = self.files[rel] = FileState()
        state.rows = df.height
        state.bytes = len(data)
        state.sha256.update(data)

    def resend_tail(self, rel: str, target: str, rows: int) -> int:
        """Write ``target``: the header and the last ``rows`` rows of ``rel``, byte for byte.

        A late re-send of the newest documents, as an ERP user exports them again; returns the
        number of rows written.
        """
        source = self.out_dir / rel
        with open(source, "rb") as handle:
            header = handle.readline()
            # rows are short: the last 64 KiB hold the rows wanted (a large file is not read)
            handle.seek(max(len(header), source.stat().st_size - 65536))
            lines = handle.read().splitlines(keepends=True)
        tail = lines[1:][-rows:] if rows > 0 else []
        out = header + b"".join(tail)
        path = self.out_dir / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out)
        state = self.files[target] = FileState()
        state.rows = len(tail)
        state.bytes = len(out)
        state.sha256.update(out)
        return state.rows

    def truncate_last_row(self, rel: str) -> int:
        """Cut ``rel`` in the middle of its last row (a broken export); returns that row."""
        path = self.out_dir / rel
        data = path.read_bytes()
        body = data.rstrip(b"\r\n")
        last_start = max(body.rfind(b"\n"), 0) + 1
        cut = last_start + max(1, (len(body) - last_start) // 2)
        # Never cut inside a multi-byte character: step back to an ASCII byte boundary.
        while cut > last_start and data[cut - 1] >= 0x80:
            cut -= 1
        data = data[:cut]
        path.write_bytes(data)
        state = self.files[rel]
        state.bytes = len(data)
        state.sha256 = hashlib.sha256(data)
        return state.rows

    def manifest(self) -> dict[str, dict[str, object]]:
        """rows, bytes and sha256 per file written."""
        return {
            rel: {"rows": s.rows, "bytes": s.bytes, "sha256": s.sha256.hexdigest()}
            for rel, s in sorted(self.files.items())
        }

    def problem_frame(self) -> pl.DataFrame:
        """Every flagged row seen so far."""
        schema = {
            "problem": pl.String,
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "record_id": pl.String,
            "detail": pl.String,
        }
        if not self.problems:
            return pl.DataFrame(schema=schema)
        return pl.concat([p.cast(schema) for p in self.problems])
