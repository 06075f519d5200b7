"""The attributes Splink compares, derived from ``int_identity__records`` in Python: names split
into parts, every phone in E.164, province and city from a gazetteer, typo-tolerant credit-code
keys and the fuzzy-name keys blocking uses (see :mod:`models_ml.identity_normalise`)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from models_ml.identity_normalise import (
    NameParts,
    Region,
    is_valid_tax_id,
    name_parts,
    normalise_tax_id,
    record_region,
    tax_id_keys,
)
from models_ml.identity_phones import record_phone_lists

# a mail domain on more records than this is a public provider, not a company's own domain
MAX_RECORDS_PER_COMPANY_DOMAIN = 10
# fuzzy-name keys only for cores this long: shorter ones would block half the city together
MIN_FUZZY_CORE = 4

FEATURE_SCHEMA: dict[str, pl.DataType] = {
    "record_key": pl.Utf8(),
    "source_system": pl.Utf8(),
    "name_core": pl.Utf8(),
    "name_branch": pl.Utf8(),
    "fuzzy_keys": pl.List(pl.Utf8()),
    "phone_list": pl.List(pl.Utf8()),
    "email_list": pl.List(pl.Utf8()),
    "domain_list": pl.List(pl.Utf8()),
    "address_normalised": pl.Utf8(),
    "city": pl.Utf8(),
    "province": pl.Utf8(),
    "tax_id": pl.Utf8(),
    "tax_entered": pl.Utf8(),
    "tax_head": pl.Utf8(),
    "tax_tail": pl.Utf8(),
}


def fuzzy_keys(core: str | None, region: Region) -> list[str] | None:
    """Blocking keys for names one edit apart within one region: the core with each character
    deleted (a substitution, a dropped or a doubled character leaves one key in common),
    prefixed by the city (else the province)."""
    area = region.city or region.province
    if not core or not area or len(core) < MIN_FUZZY_CORE:
        return None
    keys = {core} | {core[:i] + core[i + 1 :] for i in range(len(core))}
    return sorted(f"{area}|{key}" for key in keys)


def fuzzy_key_lists(frame: pl.DataFrame) -> pl.Series:
    """:func:`fuzzy_keys` of every row of ``frame`` (columns ``name_core``, ``city``,
    ``province``) in polars expressions: one row per deleted character, then regrouped."""
    area = pl.coalesce("city", "province")
    length = pl.col("name_core").str.len_chars()
    rows = frame.select(
        row=pl.int_range(pl.len(), dtype=pl.UInt32),
        core=pl.when(area.is_not_null() & (length >= MIN_FUZZY_CORE)).then(pl.col("name_core")),
        area=area,
    )
    deleted = (
        rows.drop_nulls("core")
        .with_columns(at=pl.int_ranges(-1, pl.col("core").str.len_chars()))
        .explode("at")
        .with_columns(
            # at = -1 stands for the core itself
            key=pl.when(pl.col("at") < 0)
            .then(pl.col("core"))
            .otherwise(
                pl.col("core").str.slice(0, pl.col("at"))
                + pl.col("core").str.slice(pl.col("at") + 1)
            )
        )
        .group_by("row")
        .agg(keys=(pl.col("area") + "|" + pl.col("key")).unique().sort())
    )
    return rows.join(deleted, on="row", how="left").sort("row")["keys"]


def _region(parts: NameParts | None, region: Region) -> Region:
    """The record's region, completed from the region written in its name."""
    if parts and region.city is None and parts.region.province:
        return parts.region if parts.region.city or region.province is None else region
    return region


def _tax_columns(entered: list[str | None]) -> dict[str, list[str | None]]:
    """Credit-code columns of each entered code (computed once per distinct code)."""
    known: dict[str | None, tuple[str | None, str | None, str | None, str | None]] = {}
    for raw in set(entered):
        code = normalise_tax_id(raw)
        head, tail = tax_id_keys(code)
        known[raw] = (code if is_valid_tax_id(code) else None, code, head, tail)
    rows = [known[raw] for raw in entered]
    names = ("tax_id", "tax_entered", "tax_head", "tax_tail")
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _python_features(records: pl.DataFrame) -> dict[str, list]:
    """The attributes no polars expression gives (name parts, regions from a gazetteer):
    each distinct name and text is parsed once, since CRM duplicates and ERP records share most
    names and addresses."""
    names = records["record_name"].to_list()
    parts_of = {name: name_parts(name) for name in set(names)}
    texts = zip(
        records["region_field"].to_list(),
        records["address_normalised"].to_list(),
        names,
        strict=True,
    )
    regions = [
        _region(parts_of[name], record_region(field, address, name))
        for field, address, name in texts
    ]
    parts = [parts_of[name] for name in names]
    return {
        "name_core": [p.core if p and p.core else None for p in parts],
        "name_branch": [p.branch if p else "" for p in parts],
        "city": [region.city for region in regions],
        "province": [region.province for region in regions],
        **_tax_columns(records["tax_id_entered"].to_list()),
    }


def record_features(records: pl.DataFrame) -> pl.DataFrame:
    """One row per record with the compared attributes (lists null when empty)."""
    derived = _python_features(records)
    table = pa.table(
        {
            name: pa.array(
                values,
                type=pa.string(),
            )
            for name, values in derived.items()
        }
    )
    base = pl.concat(
        [
            records.select(
                "record_key",
                "source_system",
                "phones_raw",
                "address_normalised",
                email_list=pl.col("emails")
                .str.split("|")
                .list.eval(pl.element().str.strip_chars().str.to_lowercase())
                .list.eval(pl.element().filter(pl.element() != ""))
                .list.unique()
                .list.sort(),
            ),
            pl.from_arrow(table),
        ],
        how="horizontal",
    ).with_columns(
        email_list=pl.when(pl.col("email_list").list.len() > 0).then(pl.col("email_list"))
    )
    base = base.with_columns(fuzzy_keys=fuzzy_key_lists(base))
    features = base.join(record_phone_lists(base), on="record_key", how="left").with_columns(
        domain_list=pl.lit(None, dtype=pl.List(pl.Utf8))
    )
    # a domain many records share is a public mail provider (qq.com, 163.com): no evidence
    domains = (
        features.select("record_key", "email_list")
        .explode("email_list")
        .drop_nulls()
        .with_columns(domain=pl.col("email_list").str.split("@").list.last())
        .unique(["record_key", "domain"])
    )
    company = (
        domains.group_by("domain")
        .len()
        .filter(pl.col("len") <= MAX_RECORDS_PER_COMPANY_DOMAIN)
        .select("domain")
    )
    per_record = (
        domains.join(company, on="domain")
        .group_by("record_key")
        .agg(pl.col("domain").sort().alias("company_domains"))
    )
    return (
        features.join(per_record, on="record_key", how="left")
        .with_columns(domain_list=pl.col("company_domains"))
        .drop("company_domains")
        .select(list(FEATURE_SCHEMA))
    )
