"""On the tiny company's whole warehouse: the analysts' copy holds no phone or e-mail at all."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dashboards.access.roles import is_personal_column
from dashboards.workbench.connection import masked_copy
from orchestration.publish import publish
from orchestration.settings import TandemSettings
from tests.warehouse.conftest import TinyWarehouse


def test_masked_copy_of_the_warehouse_holds_no_personal_value(
    tiny_warehouse: TinyWarehouse, tandem_home: TandemSettings
) -> None:
    shutil.copyfile(tiny_warehouse.settings.serving_db, tandem_home.build_db)
    publish(tandem_home.build_db, tandem_home.serving_db)
    serving = duckdb.connect(str(tandem_home.serving_db), read_only=True)
    try:
        personal = [
            (s, t, c)
            for s, t, c in serving.execute(
                "select schema_name, table_name, column_name from duckdb_columns()"
                " where not internal"
            ).fetchall()
            if is_personal_column(c)
        ]
        secrets: set[str] = set()
        for schema, table, column in personal:
            secrets.update(
                str(v[0])
                for v in serving.execute(
                    f'select distinct "{column}" from "{schema}"."{table}"'
                    f' where "{column}" is not null'
                ).fetchall()
            )
    finally:
        serving.close()
    assert ("customer", "dim_contact", "email") in personal
    assert len(secrets) > 500
    masked = duckdb.connect(str(masked_copy()), read_only=True)
    try:
        columns = masked.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
            " where not internal and data_type in ('VARCHAR', 'VARCHAR[]')"
        ).fetchall()
        leaks = []
        for schema, table, column in columns:
            values = masked.execute(
                f'select distinct cast("{column}" as varchar) from "{schema}"."{table}"'
            ).fetchall()
            found = {v[0] for v in values} & secrets
            # a value such as a file name may equal nothing personal; a phone or e-mail may not
            leaks.extend((schema, table, column, v) for v in found if "@" in v or v.isdigit())
    finally:
        masked.close()
    assert leaks == []


@pytest.mark.parametrize("column", ["phones", "emails", "primary_phone", "mobile_e164"])
def test_list_and_prefixed_names_are_personal(column: str) -> None:
    assert is_personal_column(column)
