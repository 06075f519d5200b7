"""Data contracts: what one source entity's extract looks like and how it maps to raw columns.

A contract is a YAML file in ``ingestion/contracts/``. Users bring their own extracts by editing or
adding one (see the README section "Use your own extracts"). A contract says

- which files it claims (``file_pattern``, matched against the path below ``landing/`` with any
  ``drops/YYYY-MM-DD/`` prefix removed) and how to read them (``format``, ``encodings``, ``sheet``);
- each source column as the system exports it (``source``, plus ``aliases`` for headers renamed by
  upgrades), its canonical raw name and DuckDB type, whether the header must be present
  (``required``) and whether a value must be present (``nullable``);
- how to parse values: date ``formats`` (strptime patterns plus ``excel_serial`` and
  ``unix_seconds``), ``unit`` (``fen`` = 1/100 yuan, ``wan`` = 10,000 yuan), ``enum`` codes with
  their meaning (kept as codes in raw; staging decodes them), value ``min``/``max`` and a
  ``pattern`` (a regular expression every value must match, e.g. ERP customer codes ``^CUST\\d+$``)
  for the raw quality checks; ``warn_missing: false`` on an optional column that most exports
  lack (a flat tax-number column some CRMs have) keeps its absence from being reported;
- the ``primary_key`` (unique within one file), the ``soft_delete`` rule (documented here, applied
  in staging) and the ``tolerance``: the share of rows that may be rejected before the whole file is
  quarantined.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"

FORMATS = ("csv", "xlsx", "parquet")
# value types a contract may declare; "period" is a date range text such as 2024-03-01至2024-03-31
SCALAR_TYPES = ("varchar", "integer", "bigint", "double", "boolean", "date", "timestamp")
UNITS = {"yuan": 1, "fen": 0.01, "wan": 10_000}
SPECIAL_DATE_FORMATS = ("excel_serial", "unix_seconds")
DEFAULT_DATE_FORMATS = {
    "date": ("%Y-%m-%d",),
    "timestamp": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
    "period": ("%Y-%m-%d",),
}
# a drop folder's prefix, stripped before matching so full extracts and drops share contracts
DROP_PREFIX = re.compile(r"^(?:.*/)?(?:drops/)?(\d{4}-\d{2}-\d{2})/")
_DECIMAL = re.compile(r"^decimal\(\s*\d+\s*,\s*\d+\s*\)$")


class ContractError(ValueError):
    """A contract file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ColumnSpec:
    """One source column and how it becomes a raw column."""

    source: str
    name: str
    type: str = "varchar"
    required: bool = True
    nullable: bool = True
    aliases: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    unit: str | None = None
    enum: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    description: str = ""
    future_ok: bool = False  # planned dates (due, delivery, next follow-up) may lie ahead
    pattern: str | None = None  # a regex every non-null value must match (raw quality check)
    warn_missing: bool = True  # report a missing optional column when a file lacks it

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header this column may appear under, the current export name first."""
        return (self.source, *self.aliases)

    @property
    def is_temporal(self) -> bool:
        return self.type in ("date", "timestamp", "period")

    @property
    def date_formats(self) -> tuple[str, ...]:
        return self.formats or DEFAULT_DATE_FORMATS.get(self.type, ())

    def expected(self) -> str:
        """What a valid value looks like, in words a user can act on."""
        if self.enum:
            return "one of " + ", ".join(
                f"{code} ({meaning})" for code, meaning in self.enum.items()
            )
        if self.is_temporal:
            shown = ", ".join(self.date_formats)
            return f"a {self.type} in one of the formats {shown}"
        if self.unit and self.unit != "yuan":
            return f"a number in {self.unit} ({self.type} after conversion)"
        return f"a value of type {self.type}"


@dataclass(frozen=True)
class Contract:
    """What one source entity's extract looks like and where it lands."""

    source: str
    entity: str
    file_pattern: str
    format: str
    encodings: tuple[str, ...]
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    path: Path
    description: str = ""
    sheet: str | None = None
    max_rejected_fraction: float = 0.001
    max_rejected_rows: int = 0
    soft_delete: dict[str, Any] = field(default_factory=dict)
    row_count_min_ratio: float | None = None
    fingerprint: str = ""

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.source}"

    @property
    def raw_table(self) -> str:
        return f"{self.raw_schema}.{self.entity}"

    @property
    def name(self) -> str:
        return f"{self.source}.{self.entity}"

    def allowed_rejects(self, total_rows: int) -> int:
        """How many rows of a file of ``total_rows`` may be rejected before it is quarantined.

        The fraction scales with big files; ``max_rejected_rows`` keeps small daily drops from
        being quarantined for a single bad row when the contract allows it.
        """
        return max(int(self.max_rejected_fraction * total_rows), self.max_rejected_rows)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def matches(self, relative_path: PurePosixPath | str) -> bool:
        return fnmatch.fnmatch(logical_path(relative_path), self.file_pattern)


def logical_path(relative_path: PurePosixPath | str) -> str:
    """The path a contract pattern sees: ``drops/2024-01-02/erp/x.csv`` -> ``erp/x.csv``."""
    return DROP_PREFIX.sub("", str(relative_path), count=1)


def drop_date_of(relative_path: PurePosixPath | str) -> str | None:
    """``YYYY-MM-DD`` of the daily-drop folder a file sits in, or None for a full extract."""
    match = DROP_PREFIX.match(str(relative_path))
    return match.group(1) if match else None


def normalise_header(header: str) -> str:
    """Compare headers as a person would: full-width vs half-width, spaces, case, BOM."""
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "")
    return re.sub(r"\s+", "", text).lower()


def _check_type(path: Path, column: str, type_: str) -> str:
    type_ = type_.strip().lower()
    if type_ in (*SCALAR_TYPES, "period") or _DECIMAL.match(type_):
        return type_
    raise ContractError(
        f"contract {path.name}: column {column!r} has type {type_!r}; use one of "
        f"{', '.join(SCALAR_TYPES)}, period or decimal(p,s)"
    )


def _column(path: Path, spec: dict[str, Any], key_columns: set[str]) -> ColumnSpec:
    try:
        source, name = str(spec["source"]), str(spec["name"])
    except KeyError as missing:
        raise ContractError(f"contract {path.name}: a column lacks {missing}") from None
    type_ = _check_type(path, name, str(spec.get("type", "varchar")))
    unit = spec.get("unit")
    if unit is not None and unit not in UNITS:
        raise ContractError(
            f"contract {path.name}: column {name!r} has unit {unit!r}; use one of {list(UNITS)}"
        )
    formats = tuple(str(f) for f in spec.get("formats", ()))
    for fmt in formats:
        if "%" not in fmt and fmt not in SPECIAL_DATE_FORMATS:
            raise ContractError(
                f"contract {path.name}: column {name!r} has date format {fmt!r}; use strptime "
                f"patterns such as %Y-%m-%d or one of {SPECIAL_DATE_FORMATS}"
            )
    enum = {str(code): str(meaning) for code, meaning in (spec.get("enum") or {}).items()}
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as error:
            raise ContractError(
                f"contract {path.name}: column {name!r} has pattern {pattern!r}, which is not a "
                f"regular expression ({error})"
            ) from None
    return ColumnSpec(
        source=source,
        name=name,
        type=type_,
        required=bool(spec.get("required", True)),
        nullable=bool(spec.get("nullable", name not in key_columns)),
        aliases=tuple(str(a) for a in spec.get("aliases", ())),
        formats=formats,
        unit=unit,
        enum=enum,
        min=spec.get("min"),
        max=spec.get("max"),
        description=str(spec.get("description", "")),
        future_ok=bool(spec.get("future_ok", False)),
        pattern=None if pattern is None else str(pattern),
        warn_missing=bool(spec.get("warn_missing", True)),
    )


def load_contract(path: Path) -> Contract:
    """Parse one contract file; errors name the file and the offending key."""
    text = path.read_text(encoding="utf-8")
    # the C loader when present: contracts are read on every landing and by Dagster at import
    spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(spec, dict):
        raise ContractError(f"contract {path.name}: expected a mapping at the top level")
    try:
        key_columns = {str(k) for k in spec.get("primary_key", [])}
        columns = tuple(_column(path, col, key_columns) for col in spec["columns"])
        pattern = str(spec["file_pattern"])
        suffix = pattern.rsplit(".", 1)[-1].lower()
        file_format = str(spec.get("format", suffix if suffix in FORMATS else "csv"))
        tolerance = spec.get("tolerance", {}) or {}
        contract = Contract(
            source=str(spec["source"]),
            entity=str(spec["entity"]),
            file_pattern=pattern,
            format=file_format,
            encodings=tuple(spec.get("encodings", ["utf-8", "gb18030"])),
            primary_key=tuple(str(k) for k in spec.get("primary_key", [])),
            columns=columns,
            path=path,
            description=str(spec.get("description", "")),
            sheet=spec.get("sheet"),
            max_rejected_fraction=float(tolerance.get("max_rejected_fraction", 0.001)),
            max_rejected_rows=int(tolerance.get("max_rejected_rows", 0)),
            soft_delete=dict(spec.get("soft_delete") or {}),
            row_count_min_ratio=tolerance.get("row_count_min_ratio"),
            fingerprint=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        )
    except KeyError as missing:
        raise ContractError(f"contract {path.name}: missing key {missing}") from None
    _validate(contract)
    return contract


def _validate(contract: Contract) -> None:
    where = f"contract {contract.path.name}"
    if contract.format not in FORMATS:
        raise ContractError(f"{where}: format {contract.format!r}; use one of {FORMATS}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", contract.source + contract.entity):
        raise ContractError(f"{where}: source and entity must be lower_snake_case identifiers")
    names = [c.name for c in contract.columns]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ContractError(f"{where}: column name(s) {doubled} appear twice")
    unknown = [k for k in contract.primary_key if k not in names]
    if unknown:
        raise ContractError(f"{where}: primary_key names unknown column(s) {unknown}")
    if contract.soft_delete and contract.soft_delete.get("column") not in names:
        raise ContractError(f"{where}: soft_delete.column must be one of the columns")
    if not 0 <= contract.max_rejected_fraction <= 1:
        raise ContractError(f"{where}: tolerance.max_rejected_fraction must be within 0..1")


def load_contracts(directory: Path = CONTRACTS_DIR) -> list[Contract]:
    """Every contract in ``directory`` (sorted by name); no two may share a raw table."""
    contracts = [load_contract(path) for path in sorted(directory.glob("*.yml"))]
    tables = [c.raw_table for c in contracts]
    doubled = sorted({t for t in tables if tables.count(t) > 1})
    if doubled:
        raise ContractError(f"contracts in {directory}: table(s) {doubled} claimed twice")
    return contracts
