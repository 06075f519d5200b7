"""Scoring on a small extract dense in duplicates (the bring-your-own case of issue 13): every
company has its ERP record and a CRM record with the same legal name and one shared phone
written another way, nothing else in common. Look-alikes (same brand in another city, a
sister firm in the same building, a firm on the same switchboard) must stay apart."""

from __future__ import annotations

import polars as pl
import pytest

from models_ml.identity import score_record_pairs

# (brand + trade, city, landline with area code, mobile)
COMPANIES = [
    ("华信科技", "深圳", "0755-35721099", "13812345601"),
    ("中科恒达软件", "北京", "010-69427016", "13812345602"),
    ("浦江精密机械", "上海", "021-58341270", "13812345603"),
    ("渤海化工", "天津", "022-23456781", "13812345604"),
    ("粤海食品", "广州", "020-87654321", "13812345605"),
    ("西湖电子", "杭州", "0571-88223344", "13812345606"),
    ("天府物流", "成都", "028-85551234", "13812345607"),
    ("长江建材", "武汉", "027-83334455", "13812345608"),
    ("金陵医疗器械", "南京", "025-84445566", "13812345609"),
    ("新材科技", "苏州", "0512-62223344", "13812345610"),
    ("海润贸易", "青岛", "0532-85556677", "13812345611"),
    ("鹭岛包装", "厦门", "0592-5556677", "13812345612"),
]


def _international(landline: str) -> str:
    """0755-35721099 -> +86 755 35721099 (the trunk 0 dropped, as a CRM user types it)."""
    area, number = landline.split("-")
    return f"+86 {area[1:]} {number}"


def _extract() -> tuple[pl.DataFrame, set[frozenset[str]]]:
    rows = []
    true_pairs = set()
    for i, (core, city, landline, mobile) in enumerate(COMPANIES):
        name = f"{city}{core}有限公司"
        rows.append(
            (f"erp:E{i}", "erp", name, city, f"{city}市某区{core}路{i + 1}号", landline, None)
        )
        rows.append(
            (f"crm:C{i}", "crm", name, None, None, f"{mobile}|{_international(landline)}",
             f"sales{i}@qq.com")
        )  # fmt: skip
        true_pairs.add(frozenset({f"erp:E{i}", f"crm:C{i}"}))
    # look-alikes, each a company of its own
    rows += [
        ("crm:X1", "crm", "北京华信科技有限公司", None, None, "010-61112222", None),
        ("crm:X2", "crm", "深圳华信物流有限公司", None, "深圳市某区华信科技路1号",
         "13900000001", None),
        ("crm:X3", "crm", "深圳恒远贸易有限公司", None, None, "0755-35721099", None),
    ]  # fmt: skip
    columns = [
        "record_key", "source_system", "record_name", "region_field", "address_normalised",
        "phones_raw", "emails",
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema=columns, orient="row").with_columns(
        tax_id_entered=pl.lit(None, dtype=pl.Utf8)
    )
    return frame, true_pairs


@pytest.fixture(scope="module")
def scored() -> tuple[dict[frozenset[str], float], set[frozenset[str]]]:
    records, true_pairs = _extract()
    pairs = score_record_pairs(records)
    probability = {
        frozenset({f"{ls}:{lr}", f"{rs}:{rr}"}): p
        for ls, lr, rs, rr, p in pairs.select(
            "left_system", "left_record_id", "right_system", "right_record_id", "match_probability"
        ).iter_rows()
    }
    return probability, true_pairs


def test_same_name_and_a_shared_phone_link_on_a_small_dense_extract(scored) -> None:
    probability, true_pairs = scored
    linked = {pair for pair in true_pairs if probability.get(pair, 0.0) >= 0.99}
    assert len(true_pairs) == 12
    assert linked == true_pairs, sorted(
        (sorted(pair), round(probability.get(pair, 0.0), 3)) for pair in true_pairs - linked
    )


def test_look_alikes_stay_apart_on_a_small_dense_extract(scored) -> None:
    probability, true_pairs = scored
    wrong = {pair: p for pair, p in probability.items() if p >= 0.99 and pair not in true_pairs}
    assert wrong == {}
    # pairs below 0.01 are not stored: the look-alikes of 华信科技 scored low or not at all
    for look_alike in ("crm:X1", "crm:X2", "crm:X3"):
        assert probability.get(frozenset({look_alike, "erp:E0"}), 0.0) < 0.5
        assert probability.get(frozenset({look_alike, "crm:C0"}), 0.0) < 0.5
