"""A small published warehouse holding personal data, made directly (no pipeline needed)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from orchestration.publish import publish
from orchestration.settings import TandemSettings

PEOPLE = [
    ("C1", "Acme Trading", "13812345678", "li.wei@acme.example", "+8613812345678"),
    ("C2", "Bao Metals", "13987654321", "wang.fang@bao.example", "+8613987654321"),
    ("C3", "Chen Foods", None, "chen@foods.example", None),
]


@pytest.fixture(scope="session")
def people_template(tmp_path_factory: pytest.TempPathFactory) -> TandemSettings:
    """The people warehouse, built and published once per worker; tests get copies."""
    settings = TandemSettings(home=tmp_path_factory.mktemp("people") / "home")
    settings.ensure_dirs()
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute("create schema core")
        con.execute(
            "create table core.dim_customer (customer_key varchar, customer_name varchar,"
            " phone varchar, email varchar, mobile_e164 varchar, phone_level varchar)"
        )
        for key, name, phone, email, e164 in PEOPLE:
            con.execute(
                "insert into core.dim_customer values (?, ?, ?, ?, ?, 'exact')",
                [key, name, phone, email, e164],
            )
        con.execute("create table core.numbers as select range as n from range(5000)")
    finally:
        con.close()
    publish(settings.build_db, settings.serving_db)
    return settings


@pytest.fixture
def people_warehouse(
    people_template: TandemSettings, tandem_home: TandemSettings
) -> TandemSettings:
    """A serving file with a customer table whose phone, mobile and e-mail are real-looking:
    this test's own copy of the build and serving files (about 80 tests use it; building and
    publishing each time cost a third of a second apiece)."""
    for name in ("build_db", "serving_db"):
        source, target = getattr(people_template, name), getattr(tandem_home, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # keeps the serving file's read-only mode, as publish does
    return tandem_home


def personal_values() -> set[str]:
    values = set()
    for _, _, phone, email, e164 in PEOPLE:
        values.update(v for v in (phone, email, e164) if v)
    return values
