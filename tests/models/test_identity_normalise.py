"""Normalisation of phones, regions, company names and credit codes on real-world strings (the
forms issue 13 found in a real CRM and ERP extract), asserted exactly."""

from __future__ import annotations

import numpy as np
import pytest

from models_ml.identity import estimate_prior
from models_ml.identity_features import fuzzy_keys
from models_ml.identity_normalise import (
    NameParts,
    Phone,
    Region,
    is_valid_tax_id,
    name_parts,
    normalise_phone,
    normalise_phones,
    normalise_tax_id,
    parse_region,
    record_region,
    tax_id_keys,
)

SHENZHEN = Region("广东", "深圳")
BEIJING = Region("北京", "北京")
NONE = Region(None, None)


@pytest.mark.parametrize(
    ("raw", "city", "expected"),
    [
        ("+86 755 3572 1099", None, Phone("+8675535721099")),
        ("+86-10-69427016", None, Phone("+861069427016")),
        ("+86 0755 35721099", None, Phone("+8675535721099")),
        ("0755-35721099", None, Phone("+8675535721099")),
        ("(0755)35721099", None, Phone("+8675535721099")),
        ("0755-35721099转8021", None, Phone("+8675535721099", "8021")),
        ("010-69427016 ext. 12", None, Phone("+861069427016", "12")),
        ("0755-35721099-8021", None, Phone("+8675535721099", "8021")),
        ("0755－３５７２１０９９", None, Phone("+8675535721099")),
        ("35721099", "深圳", Phone("+8675535721099")),
        ("35721099", None, None),
        ("+86 138-1234-5678", None, Phone("+8613812345678")),
        ("+8613812345678", None, Phone("+8613812345678")),
        ("0086 13812345678", None, Phone("+8613812345678")),
        ("138 1234 5678", None, Phone("+8613812345678")),
        ("13812345678", None, Phone("+8613812345678")),
        ("0311-7630162", None, Phone("+863117630162")),
        ("", None, None),
        ("无", None, None),
        ("12345", None, None),
    ],
)
def test_phones_become_e164_with_the_extension_apart(raw, city, expected) -> None:
    assert normalise_phone(raw, city) == expected


def test_every_phone_of_a_record_counts_once() -> None:
    raws = ["13812345678", "+86 138-1234-5678", "0755-35721099转8021", "35721099", "n/a"]
    assert normalise_phones(raws, "深圳") == ["+8613812345678", "+8675535721099"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广东省深圳市南山区科技园", SHENZHEN),
        ("广东深圳", SHENZHEN),
        ("深圳市", SHENZHEN),
        ("深圳", SHENZHEN),
        ("天津", Region("天津", "天津")),
        ("天津市", Region("天津", "天津")),
        ("天津市和平区", Region("天津", "天津")),
        ("广东", Region("广东", None)),
        ("广西壮族自治区南宁市", Region("广西", "南宁")),
        ("北京市朝阳区", BEIJING),
        ("华北", NONE),
        (None, NONE),
    ],
)
def test_regions_are_province_and_city(text, expected) -> None:
    assert parse_region(text) == expected


def test_a_later_source_fills_the_city_of_a_province_only_field() -> None:
    assert record_region("广东", "深圳市南山区", None) == SHENZHEN
    assert record_region("天津", "北京市朝阳区", None) == Region("天津", "天津")
    assert record_region(None, "北京市朝阳区", "华信科技（上海）有限公司") == BEIJING


def _parts(core, region=NONE, legal="有限公司", group=False, branch="", english="", markers=()):
    return NameParts(core, region, legal, group, branch, english, tuple(markers))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("北京华信科技有限公司", _parts("华信科技", BEIJING)),
        ("华信科技（北京）有限公司", _parts("华信科技", BEIJING)),
        ("华信科技(北京)有限责任公司", _parts("华信科技", BEIJING, "有限责任公司")),
        ("天津市华信科技股份有限公司", _parts("华信科技", Region("天津", "天津"), "股份有限公司")),
        ("广东深圳华信科技有限公司", _parts("华信科技", SHENZHEN)),
        ("广东省深圳市华信科技有限公司", _parts("华信科技", SHENZHEN)),
        ("华信科技北京", _parts("华信科技", BEIJING, "")),
        ("华信科技", _parts("华信科技", NONE, "")),
        ("华信科技集团有限公司", _parts("华信科技", group=True)),
        ("Huaxin 华信科技有限公司", _parts("华信科技", english="huaxin")),
        ("华信科技有限公司(Huaxin Technology)", _parts("华信科技", english="huaxin technology")),
        (
            "Huaxin Technology Co., Ltd.",
            _parts("huaxintechnology", legal="", english="huaxin technology"),
        ),
        ("华信科技有限公司_旧", _parts("华信科技", markers=["_旧"])),
        ("华信科技有限公司(重复)", _parts("华信科技", markers=["(重复)"])),
        ("华信科技有限公司 勿用", _parts("华信科技", markers=["勿用"])),
        ("华信科技有限公司-停用", _parts("华信科技", markers=["-停用"])),
        ("【已合并】华信科技有限公司", _parts("华信科技", markers=["[已合并]"])),
        ("华信科技有限公司-已转出", _parts("华信科技", markers=["-已转出"])),
        ("华信科技有限公司[已删除]", _parts("华信科技", markers=["[已删除]"])),
        ("华信科技有限公司（作废）", _parts("华信科技", markers=["(作废)"])),
        ("华信科技有限公司上海分公司", _parts("华信科技", branch="上海")),
        (
            "华信科技（佛山）有限公司济南分公司",
            _parts("华信科技", Region("广东", "佛山"), branch="济南"),
        ),
        ("重庆AI龙森包装集团有限公司", _parts("ai龙森包装", Region("重庆", "重庆"), group=True)),
        ("ＫＴ华信科技有限公司", _parts("kt华信科技")),
        ("", None),
    ],
)
def test_names_split_into_region_brand_core_legal_form_and_markers(raw, expected) -> None:
    assert name_parts(raw) == expected


def test_region_stays_in_the_name_when_too_little_would_remain() -> None:
    # 北京科技 is a name, not the region 北京 plus two characters
    assert name_parts("北京科技").core == "北京科技"


def test_credit_codes_normalise_and_validate() -> None:
    assert normalise_tax_id(" 9144 0300 ma5d ghjk 52 ") == "91440300MA5DGHJK52"
    assert normalise_tax_id("９１４４０３００ＭＡ５ＤＧＨＪＫ５２") == "91440300MA5DGHJK52"
    assert is_valid_tax_id("91440300MA5DGHJK52")
    assert normalise_tax_id("") is None
    assert is_valid_tax_id("91350100M000100Y43")
    assert not is_valid_tax_id("91350100M000100Y44")  # wrong check character
    assert not is_valid_tax_id("91350100M00100Y43")  # a character dropped
    assert not is_valid_tax_id("91350100M00010Y043")  # two characters swapped


def test_credit_code_keys_survive_one_typo() -> None:
    code = "91350100M000100Y43"
    head, tail = tax_id_keys(code)
    assert (head, tail) == ("91350100M0", "00100Y43")
    substituted = "91350100M000700Y43"
    dropped_late = "91350100M00100Y43"
    dropped_early = "9135100M000100Y43"
    swapped = "91351000M000100Y43"
    for typo in (substituted, dropped_late, dropped_early, swapped):
        typo_head, typo_tail = tax_id_keys(typo)
        assert typo_head == head or typo_tail == tail, typo
    assert tax_id_keys("123") == (None, None)
    # two firms of one district share the first eight characters, not the head
    assert tax_id_keys("91350100MA2Y8K9L3U")[0] != head


def test_fuzzy_keys_meet_for_names_one_character_apart_in_one_city() -> None:
    homophone = set(fuzzy_keys("华信科技", SHENZHEN)) & set(fuzzy_keys("华欣科技", SHENZHEN))
    dropped = set(fuzzy_keys("华信科技", SHENZHEN)) & set(fuzzy_keys("华科技", SHENZHEN) or [])
    assert homophone == {"深圳|华科技"}
    assert dropped == set()  # three characters are too short to block fuzzily
    assert set(fuzzy_keys("华信科技", SHENZHEN)).isdisjoint(fuzzy_keys("华欣科技", BEIJING))
    assert fuzzy_keys("华信科技", NONE) is None


def test_the_prior_is_estimated_from_the_evidence() -> None:
    # 100 pairs with overwhelming evidence among 1e6 possible pairs: the prior is 1e-4
    weights = np.r_[np.full(100, 40.0), np.full(10_000, -20.0)]
    assert estimate_prior(weights, 1e6) == pytest.approx(1e-4, rel=1e-3)
    # no evidence of any match: the prior falls toward zero, not to the starting value
    assert estimate_prior(np.full(1_000, -30.0), 1e6) < 1e-9
    assert estimate_prior(np.array([]), 1e6) == 1e-4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("86 13812345678", Phone("+8613812345678")),
        ("86-755-35721099", Phone("+8675535721099")),
        ("+86(0)755-35721099", Phone("+8675535721099")),
        ("400-800-1234", Phone("+864008001234")),
        ("+86 400 800 1234", Phone("+864008001234")),
        ("86123456", None),  # a local number that starts with 86 stays unread without a city
    ],
)
def test_country_code_without_plus_and_service_numbers(raw, expected) -> None:
    assert normalise_phone(raw) == expected


def test_several_numbers_in_one_field_all_count() -> None:
    found = normalise_phones(["0755-35721099/35721100", "13812345678、13987654321"], "深圳")
    assert found == ["+8613812345678", "+8613987654321", "+8675535721099", "+8675535721100"]


@pytest.mark.parametrize(
    ("raw", "legal_form"),
    [
        ("深圳市华信科技合伙企业（有限合伙）", "合伙企业(有限合伙)"),
        ("华信科技(普通合伙)", "(普通合伙)"),
        ("深圳市华信科技有限責任公司", "有限責任公司"),
        ("深圳市华信科技有限公司（原深圳华信电子）", "有限公司"),  # former name dropped
        ("深圳市华信科技有限公司(曾用名:华信电子)", "有限公司"),
    ],
)
def test_partnerships_traditional_forms_and_former_names(raw, legal_form) -> None:
    parts = name_parts(raw)
    assert parts is not None
    assert (parts.core, parts.legal_form) == ("华信科技", legal_form)
