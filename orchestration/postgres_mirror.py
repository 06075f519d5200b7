"""Copy the landed raw data from the DuckDB build file into PostgreSQL, for the second dbt target.

The pipeline lands everything in DuckDB. To build the same dbt project on PostgreSQL, the tables
dbt reads as sources (every table of the ``raw_*`` schemas, and of ``identity``, which the
Python identity-resolution step writes) are mirrored into a PostgreSQL database with the same
schemas, names and column types: each table is written by DuckDB as CSV and read by PostgreSQL's
``COPY``, in one transaction, then analysed so the planner has statistics.

Connection settings are the ``TANDEM_PG_*`` variables the dbt profile reads (printed by
``orchestration/services/postgres.sh start``)::

    python -m orchestration.postgres_mirror [--build-db PATH]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg2
from psycopg2 import sql

from orchestration.settings import TandemSettings, get_settings

# Schemas dbt reads as sources: raw_* (landing) and identity (the Splink step's output).
MIRRORED_SCHEMAS = re.compile(r"^(raw_[a-z0-9_]+|identity)$")

# DuckDB type -> PostgreSQL type, for the types that differ in name or range.
_TYPES = {
    "VARCHAR": "varchar",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "UHUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "jsonb",
}


class UnsupportedColumnType(ValueError):
    """A DuckDB column type with no PostgreSQL counterpart the mirror knows how to copy."""


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    postgres_type: str
    select: str  # the DuckDB expression that writes the column as CSV PostgreSQL reads


@dataclass(frozen=True)
class MirroredTable:
    schema: str
    name: str
    rows: int
    seconds: float


@dataclass
class MirrorReport:
    """What one mirror copied, and how long it took."""

    tables: list[MirroredTable] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def schemas(self) -> list[str]:
        return sorted({table.schema for table in self.tables})


def pg_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``TANDEM_PG_*`` settings, read by the settings object from this process's
    environment, with the ``TANDEM_PG_*`` entries of ``env`` (a server's variables) on top."""
    given = {
        key.removeprefix("TANDEM_").lower(): value
        for key, value in (env or {}).items()
        if key.startswith("TANDEM_PG_") and key != "TANDEM_PG_DIR"
    }
    return TandemSettings(**given).postgres_env()


def connect(env: Mapping[str, str] | None = None):
    """A psycopg2 connection to the database the dbt profile's postgres target uses."""
    settings = pg_settings(env)
    return psycopg2.connect(
        host=settings["TANDEM_PG_HOST"],
        port=int(settings["TANDEM_PG_PORT"]),
        user=settings["TANDEM_PG_USER"],
        password=settings["TANDEM_PG_PASSWORD"],
        dbname=settings["TANDEM_PG_DBNAME"],
        connect_timeout=10,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mirror_column(name: str, duckdb_type: str) -> Column:
    """How one DuckDB column is created and copied in PostgreSQL."""
    upper = duckdb_type.upper()
    quoted = _quote(name)
    decimal = re.fullmatch(r"(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)", upper)
    if decimal:
        return Column(name, duckdb_type, f"numeric({decimal[1]}, {decimal[2]})", quoted)
    if upper in _TYPES:
        return Column(name, duckdb_type, _TYPES[upper], quoted)
    if upper.startswith("ENUM("):
        return Column(name, duckdb_type, "varchar", f"cast({quoted} as varchar)")
    if upper.endswith("]") or upper.startswith(("STRUCT(", "MAP(", "UNION(")):
        # lists, arrays, structs and maps have no portable SQL type: they travel as JSON
        return Column(name, duckdb_type, "jsonb", f"cast(to_json({quoted}) as varchar)")
    raise UnsupportedColumnType(
        f"column {name!r} has DuckDB type {duckdb_type}, which the PostgreSQL mirror cannot copy;"
        " cast it to a plain type in the table that stores it, or add the type to"
        " orchestration/postgres_mirror.py"
    )


def mirrored_tables(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[Column]]:
    """Every base table of the mirrored schemas in the open DuckDB file, with its columns."""
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name, c.data_type
        from information_schema.columns as c
        inner join information_schema.tables as t
            on c.table_catalog = t.table_catalog
            and c.table_schema = t.table_schema
            and c.table_name = t.table_name
        where t.table_type = 'BASE TABLE' and t.table_catalog = current_database()
        order by c.table_schema, c.table_name, c.ordinal_position
        """
    ).fetchall()
    tables: dict[tuple[str, str], list[Column]] = {}
    for schema, table, column, data_type in rows:
        if MIRRORED_SCHEMAS.match(schema):
            tables.setdefault((schema, table), []).append(mirror_column(column, data_type))
    return tables


def mirror_to_postgres(
    build_db: Path, env: Mapping[str, str] | None = None, workdir: Path | None = None
) -> MirrorReport:
    """Replace the mirrored schemas in PostgreSQL with the tables of ``build_db``.

    Each mirrored schema is dropped (with whatever dbt built on top of it) and recreated, so the
    result holds exactly the DuckDB file's rows; the copy commits as one transaction.
    """
    started = time.perf_counter()
    report = MirrorReport()
    source = duckdb.connect(str(build_db), read_only=True)
    target = connect(env)
    try:
        tables = mirrored_tables(source)
        if not tables:
            raise FileNotFoundError(
                f"{build_db} has no raw_* tables to mirror: land the extracts first (tandem land)"
            )
        with tempfile.TemporaryDirectory(dir=workdir, prefix="tandem-pg-mirror-") as scratch:
            with target.cursor() as cursor:
                for schema in sorted({schema for schema, _ in tables}):
                    cursor.execute(
                        sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema))
                    )
                    cursor.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
                for (schema, name), columns in tables.items():
                    report.tables.append(
                        _copy_table(source, cursor, schema, name, columns, Path(scratch))
                    )
            target.commit()
        # ANALYZE outside the copy's transaction: planner statistics for the dbt build
        target.autocommit = True
        with target.cursor() as cursor:
            for table in report.tables:
                cursor.execute(
                    sql.SQL("analyze {}.{}").format(
                        sql.Identifier(table.schema), sql.Identifier(table.name)
                    )
                )
    finally:
        target.close()
        source.close()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _copy_table(
    source: duckdb.DuckDBPyConnection,
    cursor,
    schema: str,
    name: str,
    columns: list[Column],
    scratch: Path,
) -> MirroredTable:
    started = time.perf_counter()
    relation = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))
    cursor.execute(
        sql.SQL("create table {} ({})").format(
            relation,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.postgres_type))
                for c in columns
            ),
        )
    )
    csv_path = scratch / f"{schema}.{name}.csv"
    # DuckDB's CSV is what PostgreSQL's CSV COPY reads: an unquoted empty field is null, a
    # quoted one ("") the empty string; doubles are written in their shortest exact form.
    selected = ", ".join(c.select for c in columns)
    path_literal = "'" + str(csv_path).replace("'", "''") + "'"
    source.execute(
        f"copy (select {selected} from {_quote(schema)}.{_quote(name)}) "
        f"to {path_literal} (format csv, header false)"
    )
    with open(csv_path, encoding="utf-8") as data:
        cursor.copy_expert(
            sql.SQL("copy {} from stdin with (format csv)").format(relation), data, size=1 << 20
        )
    rows = cursor.rowcount
    csv_path.unlink()
    return MirroredTable(schema, name, rows, round(time.perf_counter() - started, 3))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--build-db",
        type=Path,
        default=None,
        help="the DuckDB file to copy from (default: the build file under TANDEM_HOME)",
    )
    args = parser.parse_args(argv)
    build_db = args.build_db or get_settings().build_db
    report = mirror_to_postgres(build_db)
    settings = pg_settings()
    print(
        f"mirrored {len(report.tables)} tables, {report.rows:,} rows of {build_db} "
        f"({', '.join(report.schemas)}) into {settings['TANDEM_PG_DBNAME']} on "
        f"{settings['TANDEM_PG_HOST']}:{settings['TANDEM_PG_PORT']} in {report.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
