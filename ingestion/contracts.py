"""Data contracts: what one source entity's extract looks like and how it maps to raw columns.

A contract is a YAML file in ``ingestion/contracts/``. Users bring their own extracts by editing or
adding one (see the README section "Use your own extracts").
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"


@dataclass(frozen=True)
class ColumnSpec:
    source: str
    name: str
    type: str
    required: bool = True


@dataclass(frozen=True)
class Contract:
    source: str
    entity: str
    file_pattern: str
    encodings: tuple[str, ...]
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    path: Path

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.source}"

    @property
    def raw_table(self) -> str:
        return f"{self.raw_schema}.{self.entity}"

    def matches(self, relative_path: PurePosixPath) -> bool:
        return fnmatch.fnmatch(str(relative_path), self.file_pattern)


def load_contract(path: Path) -> Contract:
    """Parse one contract file; errors name the file and the offending key."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        columns = tuple(
            ColumnSpec(
                source=str(col["source"]),
                name=str(col["name"]),
                type=str(col.get("type", "varchar")),
                required=bool(col.get("required", True)),
            )
            for col in spec["columns"]
        )
        return Contract(
            source=str(spec["source"]),
            entity=str(spec["entity"]),
            file_pattern=str(spec["file_pattern"]),
            encodings=tuple(spec.get("encodings", ["utf-8-sig", "gb18030"])),
            primary_key=tuple(spec.get("primary_key", [])),
            columns=columns,
            path=path,
        )
    except KeyError as missing:
        raise ValueError(f"contract {path}: missing key {missing}") from None


def load_contracts(directory: Path = CONTRACTS_DIR) -> list[Contract]:
    return [load_contract(path) for path in sorted(directory.glob("*.yml"))]
