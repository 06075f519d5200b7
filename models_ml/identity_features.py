"""The attributes Splink compares, derived from ``int_identity__records`` in Python: names split
into parts, every phone in E.164, province and city from a gazetteer, typo-tolerant credit-code
keys and the fuzzy-name keys blocking uses (see :mod:`models_ml.identity_normalise`)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from models_ml.identity_normalise import (
    Region,
    is_valid_tax_id,
    name_parts,
    normalise_phones,
    normalise_tax_id,
    record_region,
    tax_id_keys,
)

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


def _split(value: str | None) -> list[str]:
    return [x for x in (value or "").split("|") if x.strip()]


def fuzzy_keys(core: str | None, region: Region) -> list[str] | None:
    """Blocking keys for names one edit apart within one region: the core with each character
    deleted (a substitution, a dropped or a doubled character leaves one key in common),
    prefixed by the city (else the province)."""
    area = region.city or region.province
    if not core or not area or len(core) < MIN_FUZZY_CORE:
        return None
    keys = {core} | {core[:i] + core[i + 1 :] for i in range(len(core))}
    return sorted(f"{area}|{key}" for key in keys)


def _one(row: dict) -> dict:
    parts = name_parts(row.get("record_name"))
    region = record_region(
        row.get("region_field"), row.get("address_normalised"), row.get("record_name")
    )
    if parts and region.city is None and parts.region.province:
        region = parts.region if parts.region.city or region.province is None else region
    entered = normalise_tax_id(row.get("tax_id_entered"))
    head, tail = tax_id_keys(entered)
    address = row.get("address_normalised")
    return {
        "record_key": row["record_key"],
        "source_system": row["source_system"],
        "name_core": parts.core if parts and parts.core else None,
        "name_branch": parts.branch if parts else "",
        "fuzzy_keys": fuzzy_keys(parts.core if parts else None, region),
        "phone_list": normalise_phones(_split(row.get("phones_raw")), region.city) or None,
        "email_list": sorted(set(_split(row.get("emails")))) or None,
        "domain_list": None,
        "address_normalised": address,
        "city": region.city,
        "province": region.province,
        "tax_id": entered if is_valid_tax_id(entered) else None,
        "tax_entered": entered,
        "tax_head": head,
        "tax_tail": tail,
    }


def record_features(records: pl.DataFrame) -> pl.DataFrame:
    """One row per record with the compared attributes (lists null when empty)."""
    rows = [_one(row) for row in records.iter_rows(named=True)]
    # through Arrow: polars converts nested Python lists one by one, Arrow in one pass
    table = pa.table(
        {
            name: pa.array(
                [row[name] for row in rows],
                type=pa.list_(pa.string()) if dtype == pl.List(pl.Utf8()) else pa.string(),
            )
            for name, dtype in FEATURE_SCHEMA.items()
        }
    )
    features = pl.from_arrow(table)
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
