"""Personal columns never reach a role that may not see them, whatever SQL it writes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboards.access.roles import ROLES, is_personal_column, mask_frame, sees_personal_data
from dashboards.workbench.connection import (
    MASKED_LINK,
    adopt_masked_copy,
    build_masked_copy,
    masked_copy,
    masked_dir,
    workbench_database,
)
from dashboards.workbench.runner import run_for_user
from orchestration.settings import TandemSettings
from tests.workbench.conftest import PEOPLE, personal_values

PROBES = [
    "select * from core.dim_customer",
    "select phone, email, mobile_e164 from core.dim_customer",
    "select string_agg(email, ',') as e from core.dim_customer",
    "select regexp_extract(phone, '[0-9]+') as p from core.dim_customer",
    "select replace(email, '*', '') as e from core.dim_customer",
    "select * from core.dim_customer where email like 'li.wei%'",
    "select md5(email) as h, email from core.dim_customer",
    "select * from (select email as contact from core.dim_customer) t",
    "select column_name, * from duckdb_columns() where column_name = 'email'",
]


def _all_values(frame: pl.DataFrame) -> set[str]:
    return {str(v) for column in frame.columns for v in frame[column].to_list() if v is not None}


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_workbench_cannot_select_personal_values(
    people_warehouse: TandemSettings, role: str
) -> None:
    for sql in PROBES:
        frame = run_for_user("someone", role, sql).frame
        leaked = _all_values(frame) & personal_values()
        assert not leaked, f"{sql} leaked {leaked}"
    rows = run_for_user("someone", role, "select email, phone from core.dim_customer order by 1")
    assert rows.frame.rows() == [
        ("c***@foods.example", None),
        ("l***@acme.example", "*******5678"),
        ("w***@bao.example", "*******4321"),
    ]
    assert workbench_database(role) == masked_copy()


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_marketing_and_admin_see_personal_values(
    people_warehouse: TandemSettings, role: str
) -> None:
    frame = run_for_user("someone", role, "select phone, email, mobile_e164 from core.dim_customer")
    assert _all_values(frame.frame) == personal_values()


def test_masked_copy_holds_no_personal_value_and_follows_each_publish(
    people_warehouse: TandemSettings,
) -> None:
    import duckdb

    from orchestration.publish import publish

    first = masked_copy()
    con = duckdb.connect(str(first), read_only=True)
    try:
        dump = con.sql("select * from core.dim_customer").pl()
        kept = con.execute("select phone_level, customer_name from core.dim_customer").fetchall()
    finally:
        con.close()
    assert not (_all_values(dump) & personal_values())
    assert kept[0] == ("exact", "Acme Trading")  # descriptive columns stay as they are
    # analysts' own tools open the stable name, read-only; the file refuses to be written
    link = masked_dir() / MASKED_LINK
    assert link.resolve() == first.resolve()
    assert first.stat().st_mode & 0o222 == 0
    publish(people_warehouse.build_db, people_warehouse.serving_db)
    second = masked_copy()
    assert second != first
    assert not first.exists()
    assert link.resolve() == second.resolve()
    con = duckdb.connect(str(link), read_only=True)
    try:
        through_link = con.sql("select * from core.dim_customer").pl()
    finally:
        con.close()
    assert through_link.height == len(PEOPLE)
    assert not (_all_values(through_link) & personal_values())


def test_a_publish_builds_the_next_masked_copy_before_its_swap(
    people_warehouse: TandemSettings,
) -> None:
    """A workbench query right after a publish finds its copy ready (at medium it took 90 s to
    build); while it is built, readers of the old file keep the old copy and the link."""
    from orchestration.publish import publish

    first = masked_copy()
    link = masked_dir() / MASKED_LINK
    seen: dict[str, object] = {}

    def before_swap(staged: Path) -> None:
        seen["built"] = build_masked_copy(staged)
        # the old file is still the one published: its copy, the link and its queries stand
        seen["first_kept"] = first.exists() and link.resolve() == first.resolve()
        seen["old_query"] = run_for_user(
            "someone", "analyst", "select count(*) as n from core.dim_customer"
        ).frame.item()

    publish(people_warehouse.build_db, people_warehouse.serving_db, before_swap=before_swap)
    built = seen["built"]
    assert isinstance(built, Path) and built != first
    assert seen["first_kept"] is True
    assert seen["old_query"] == len(PEOPLE)
    built_at = built.stat().st_mtime_ns
    # the rename kept the staged file's name for the copy: no second build on the first query
    assert masked_copy() == built
    assert built.stat().st_mtime_ns == built_at
    assert link.resolve() == built.resolve()
    assert not first.exists()
    # the publish asset's own step after the swap: idempotent, and it clears what a build
    # killed part-way left
    (masked_dir() / "masked-1-2-3.partial").write_bytes(b"half")
    adopt_masked_copy(built)
    assert sorted(p.name for p in masked_dir().glob("masked-*")) == [built.name]


def test_mask_frame_matches_the_role_rule() -> None:
    frame = pl.DataFrame(
        {
            "customer_key": ["C1"],
            "email": ["li.wei@acme.example"],
            "mobile": ["13812345678"],
            "email_domain": ["acme.example"],
        }
    )
    for role in ROLES:
        shown = mask_frame(frame, role).row(0, named=True)
        if sees_personal_data(role):
            assert shown == frame.row(0, named=True)
        else:
            assert shown == {
                "customer_key": "C1",
                "email": "l***@acme.example",
                "mobile": "*******5678",
                "email_domain": "acme.example",
            }


# awkward values: no local part, no @, two @, empty, null, CJK, formatted and short phones
AWKWARD = {
    "email": [
        "li.wei@acme.example",
        "@acme.example",
        "no-at-sign",
        "a@b@c",
        "",
        None,
        "王@公司.cn",
    ],
    "mobile": ["13812345678", "+86 138-1234-5678", "12", "", None, "1", "０１２３４５"],
    "phone": [13812345678, 5678, 0, None, -12345, 1, 42],  # an integer column is cast first
    "email_domain": ["acme.example", "", None, "x", "b", "c", "d"],
}


def test_pages_and_the_workbench_mask_the_same_inputs_identically(tmp_path: Path) -> None:
    """mask_frame (pages, downloads) and the workbench's masked copy give the same values."""
    from dashboards.workbench.connection import _copy_masked

    frame = pl.DataFrame(AWKWARD)
    source = tmp_path / "serving.duckdb"
    with duckdb.connect(str(source)) as con:
        con.execute("create schema core")
        con.register("awkward", frame)
        con.execute("create table core.people as select * from awkward")
    target = tmp_path / "masked.duckdb"
    _copy_masked(source, target)
    with duckdb.connect(str(target), read_only=True) as con:
        workbench = con.sql("select * from core.people").pl()
    pages = mask_frame(frame, "analyst")
    assert pages.to_dict(as_series=False) == workbench.to_dict(as_series=False)
    # and the values are the rule's, not merely equal
    assert pages["email"].to_list() == [
        "l***@acme.example", "***", "***", "a***@b", "***", None, "王***@公司.cn",
    ]  # fmt: skip
    assert pages["mobile"].to_list() == [
        "*******5678", "*******5678", "*******12", "*******", None, "*******1", "*******２３４５",
    ]  # fmt: skip
    assert pages["phone"].to_list()[:4] == ["*******5678", "*******5678", "*******0", None]
    assert pages["email_domain"].to_list() == AWKWARD["email_domain"]


@pytest.mark.parametrize(
    ("name", "personal"),
    [
        ("phone", True),
        ("mobile", True),
        ("email", True),
        ("mobile_normalised", True),
        ("email_normalised", True),
        ("telephone_normalised", True),
        ("mobile_e164", True),
        ("contact_email", True),
        ("phone_level", False),
        ("email_weight", False),
        ("email_domain", False),
        ("customer_name", False),
    ],
)
def test_personal_column_names(name: str, personal: bool) -> None:
    assert is_personal_column(name) is personal
