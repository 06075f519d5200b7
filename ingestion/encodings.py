"""Text encodings of CSV extracts: binary sniffing, finding the encoding, converting to UTF-8.

GB18030 exports are converted with ``iconv`` (a separate process) into a temporary UTF-8 file,
ahead of their turn when landing allows (:func:`transcode_ahead`).
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ingestion.contracts import Contract
from ingestion.diagnose import (
    control_share,
    html_message,
)
from ingestion.problems import FileProblem, QuarantineError, quarantine_error

CHUNK = 8 << 20


MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an XLSX workbook?)",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0": "an old Excel (xls) workbook",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
}


# binary junk: share of control bytes (never in a text export) in the first 64 KiB above which
# a file is not read as text; a lone DOS end-of-file byte stays below it
BINARY_CONTROL_SHARE = 0.01


@dataclass
class Transcoded:
    """A CSV converted to a temporary UTF-8 file ahead of its turn (see :func:`transcode_ahead`)."""

    encoding: str
    path: Path
    first_bad: int | None  # offset of the first byte invalid in ``encoding``; None: converted

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def tried_encodings(contract: Contract) -> tuple[str, ...]:
    return tuple(dict.fromkeys("utf-8" if e.startswith("utf-8") else e for e in contract.encodings))


def transcode_ahead(path: Path, contract: Contract) -> Transcoded | None:
    """Convert a CSV whose start is not UTF-8 with the contract's first other encoding.

    Landing runs this for the next file on a helper thread while DuckDB works on the current
    one (``iconv`` is a separate process), so the conversion leaves the critical path. Returns
    None when the file needs no conversion here (UTF-8, not a CSV, empty or binary: ``read_csv``
    decides and reports those). The caller discards the temporary file if it is not used.
    """
    if contract.format != "csv":
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    if not head or any(head.startswith(m) for m in MAGIC) or b"\x00" in head:
        return None
    if decodes(head, "utf-8"):
        return None
    encoding = next((e for e in tried_encodings(contract) if e != "utf-8"), None)
    if encoding is None:
        return None
    fd, tmp = tempfile.mkstemp(prefix="tandem-", suffix=".csv")
    os.close(fd)
    target = Path(tmp)
    try:
        return Transcoded(encoding, target, transcode(path, encoding, target))
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def sniff_binary(head: bytes, name: str) -> None:
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raise quarantine_error("binary_file", f"{name} is {what}, not a CSV text file")
    if b"\x00" in head[:65536]:
        raise quarantine_error(
            "binary_file", f"{name} contains NUL bytes: it is binary, not a CSV text file"
        )
    share = control_share(head)
    if share > BINARY_CONTROL_SHARE:
        raise quarantine_error(
            "binary_file",
            f"{name} looks like binary data, not a CSV text file: {share:.0%} of its first "
            f"{len(head):,} bytes are control characters that text never holds",
        )
    page = html_message(name, head)
    if page:
        raise quarantine_error("html_page", page)


def decode_error(path: Path, offset: int, tried: tuple[str, ...], name: str) -> QuarantineError:
    """Say where the file stopped being valid text and which encoding would have read it."""
    with open(path, "rb") as handle:
        before = handle.read(offset)
        sample = handle.read(4)
    line = before.count(b"\n") + 1
    fits = fitting_encoding(path, tried)
    hint = f"; it decodes as {fits}" if fits else ""
    return QuarantineError(
        [
            FileProblem(
                "wrong_encoding",
                f"{name} is not {' or '.join(tried)}: byte(s) {sample.hex(' ')} at offset "
                f"{offset} (line {line}) are invalid{hint}",
                row=line,
                value=sample.hex(" "),
                expected=" or ".join(tried),
            )
        ]
    )


def fitting_encoding(path: Path, tried: tuple[str, ...]) -> str | None:
    """Another common encoding the whole start of the file decodes in, if any."""
    with open(path, "rb") as handle:
        data = handle.read(16 << 20)  # enough to say what the file probably is
    fits = [
        enc
        for enc in ("utf-8-sig", "gb18030", "utf-16")
        if enc.replace("-sig", "") not in tried and decodes(data, enc)
    ]
    return fits[0].replace("-sig", "") if fits else None


def decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeError:  # also "UTF-16 stream does not start with BOM", not a decode error
        return False
    return True


def transcode(path: Path, encoding: str, target: Path) -> int | None:
    """Write ``path`` as UTF-8 to ``target``; return the offset of the first bad byte, or None.

    glibc ``iconv`` is about twice as fast as Python's codec on a medium GB18030 file, so it is
    used when present; Python's incremental decoder is the fallback and finds the offset.
    """
    iconv = shutil.which("iconv")
    if iconv and encoding != "utf-8-sig":
        with open(target, "wb") as out:
            done = subprocess.run(
                [iconv, "-f", encoding.upper(), "-t", "UTF-8", str(path)],
                stdout=out,
                stderr=subprocess.PIPE,
                check=False,
            )
        if done.returncode == 0:
            return None
        position = re.search(rb"position (\d+)", done.stderr)
        if position:
            return int(position.group(1))
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as handle, open(target, "wb") as out:
        while chunk := handle.read(CHUNK):
            try:
                out.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
        try:
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as error:
            return offset + error.start
    return None


def first_bad_utf8(path: Path) -> int:
    """Offset of the first byte that is not valid UTF-8 (the file is known to have one)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
    return offset
