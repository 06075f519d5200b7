"""The vectorised feature step gives what the scalar reference functions give, row by row, on
the phone formats and names issue 13 lists (the medium extract was also compared: all 94,483
records identical, see docs/IDENTITY.md)."""

from __future__ import annotations

import polars as pl

from models_ml.identity_features import fuzzy_key_lists, fuzzy_keys, record_features
from models_ml.identity_normalise import Region, normalise_phone
from models_ml.identity_phones import normalise_phone_frame

PHONES = [
    ("+86 755 3572 1099", None),
    ("+86-10-69427016", None),
    ("+86 0755 35721099", None),
    ("0755-35721099", None),
    ("(0755)35721099", None),
    ("0755-35721099转8021", None),
    ("0755-35721099 分机 8021", None),
    ("010-69427016 ext. 12", None),
    ("010-69427016 EXT 12", None),
    ("021 5834 1270 x 3", None),
    ("0755-35721099-8021", None),
    ("0755－３５７２１０９９", None),
    ("＋８６　１３８１２３４５６７８", None),
    ("35721099", "深圳"),
    ("35721099", None),
    ("5721099", "苏州"),
    ("+86 138-1234-5678", None),
    ("(+86)13812345678", None),
    ("0086 13812345678", None),
    ("138 1234 5678", None),
    ("0311-7630162", None),
    ("86 13812345678", None),
    ("8613812345678", None),
    ("86-755-35721099", None),
    ("+86(0)755-35721099", None),
    ("400-800-1234", None),
    ("+86 400 800 1234", None),
    ("86123456", None),
    ("", None),
    ("无", None),
    ("12345", None),
    (None, None),
]


def test_phone_frame_equals_the_scalar_rules_on_every_format() -> None:
    frame = pl.DataFrame(
        {"raw": [raw for raw, _ in PHONES], "city": [city for _, city in PHONES]},
        schema={"raw": pl.Utf8, "city": pl.Utf8},
    )
    result = normalise_phone_frame(frame)
    expected = []
    for raw, city in PHONES:
        phone = normalise_phone(raw, city)
        expected.append((phone.e164, phone.extension) if phone else (None, ""))
    assert list(zip(result["e164"], result["extension"], strict=True)) == expected
    # and the frame really read them: 26 numbers, 6 extensions
    assert result["e164"].is_not_null().sum() == 26
    assert (result["extension"] != "").sum() == 6


def test_fuzzy_key_lists_equal_the_scalar_keys() -> None:
    rows = [
        ("华信科技", "深圳", "广东"),
        ("华信科技", None, "广东"),
        ("华信", "深圳", "广东"),  # too short: no keys
        ("华信科技", None, None),  # no region: no keys
        (None, "深圳", "广东"),
        ("aabb", "北京", "北京"),  # repeated characters give repeated keys once
    ]
    frame = pl.DataFrame(rows, schema=["name_core", "city", "province"], orient="row")
    expected = [fuzzy_keys(core, Region(province, city)) for core, city, province in rows]
    assert fuzzy_key_lists(frame).to_list() == expected
    assert expected[0] is not None and len(expected[0]) == 5


def _records(**columns: list) -> pl.DataFrame:
    n = len(columns["record_key"])
    base = {
        "source_system": ["crm"] * n,
        "record_name": [None] * n,
        "region_field": [None] * n,
        "address_normalised": [None] * n,
        "phones_raw": [None] * n,
        "emails": [None] * n,
        "tax_id_entered": [None] * n,
    }
    return pl.DataFrame({**base, **columns}, schema_overrides={k: pl.Utf8 for k in base})


def test_record_features_lists_and_case() -> None:
    records = _records(
        record_key=["crm:1", "crm:2"],
        record_name=["深圳市华信科技有限公司", "Huaxin 华信科技（深圳）集团有限公司_旧"],
        phones_raw=["0755-35721099转8021|13812345678|n/a", "35721099/35721100"],
        emails=["Li.Wei@Huaxin.com.cn| |li.wei@huaxin.com.cn", None],
        tax_id_entered=["9144 0300 ma5f8kq2xj", None],
    )
    features = record_features(records).sort("record_key")
    first, second = features.to_dicts()
    assert first["name_core"] == second["name_core"] == "华信科技"
    assert first["city"] == second["city"] == "深圳"
    assert first["phone_list"] == ["+8613812345678", "+8675535721099"]
    # two local numbers in one field, the area code of the name's city
    assert second["phone_list"] == ["+8675535721099", "+8675535721100"]
    assert first["email_list"] == ["li.wei@huaxin.com.cn"]
    assert first["domain_list"] == ["huaxin.com.cn"]
    assert second["email_list"] is None
    assert first["tax_entered"] == "91440300MA5F8KQ2XJ"
    assert first["tax_head"] == "91440300MA"
    assert second["fuzzy_keys"] == first["fuzzy_keys"]
