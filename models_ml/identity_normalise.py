"""Normalisation of the fields identity resolution compares: phones, regions, company names and
credit codes, as they appear in real CRM and ERP extracts.

Every function is pure and total: messy input gives a best reading or None, never an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from models_ml.identity_gazetteer import (
    CITIES,
    CITIES_BY_LENGTH,
    PROVINCES,
    PROVINCES_BY_LENGTH,
    area_code,
    province_of,
)

# --- text -------------------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "　": " "})


def to_halfwidth(text: str) -> str:
    """NFKC (full-width ASCII and spaces to half-width) plus 【】 as []."""
    return unicodedata.normalize("NFKC", text).translate(_BRACKETS)


# --- phones -----------------------------------------------------------------------------------

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_INTERNATIONAL = re.compile(r"^\s*(?:\+\s*86|0086|\(\+?86\))")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0(?:10|2\d)\d{8}$|^0[3-9]\d{2}\d{7,8}$")
# 400 / 800 numbers: nationwide service lines, no area code and no trunk 0
_SERVICE = re.compile(r"^[48]00\d{7}$")


@dataclass(frozen=True)
class Phone:
    """A phone in E.164 (``+8675535721099``) with its extension apart ('' when none)."""

    e164: str
    extension: str = ""


def _national(digits: str, international: bool) -> str | None:
    """The national number with its trunk 0 for landlines, or None when it is not one."""
    service = _SERVICE.match(digits)
    if international and not digits.startswith("0") and not _MOBILE.match(digits) and not service:
        digits = "0" + digits  # +86 755 ...: the trunk 0 is dropped after the country code
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or service:
        return digits
    return None


def normalise_phone(raw: str | None, city: str | None = None) -> Phone | None:
    """A Chinese phone number as E.164 with the extension apart.

    ``city`` supplies the area code of a number typed without one. Examples:
    ``+86 755 3572 1099`` -> +8675535721099; ``+86-10-69427016`` -> +861069427016;
    ``0755-35721099转8021`` -> +8675535721099 ext 8021; ``35721099`` in 深圳 -> +8675535721099.
    """
    if not raw:
        return None
    text = to_halfwidth(raw).strip()
    extension = ""
    found = _EXTENSION.search(text)
    if found:
        extension, text = found.group(1), text[: found.start()]
    international = bool(_INTERNATIONAL.match(text))
    if international:
        text = _INTERNATIONAL.sub("", text, count=1)
    groups = re.findall(r"\d+", text)
    if not groups:
        return None
    joined = "".join(groups)
    # 86 138..., 86-755-...: the country code typed without + or 00
    if (
        not international
        and joined.startswith("86")
        and len(joined) >= 12
        and _national(joined, False) is None
        and _national(joined[2:], True) is not None
    ):
        international = True
        groups = [groups[0][2:], *groups[1:]] if len(groups[0]) > 2 else groups[1:]
    national = _national("".join(groups), international)
    if national is None and len(groups) > 1 and len(groups[-1]) <= 5 and not extension:
        # 0755-35721099-8021: a short last group after a complete number is an extension
        national = _national("".join(groups[:-1]), international)
        if national is not None:
            extension = groups[-1]
    if national is None:
        digits = "".join(groups)
        code = area_code(city)
        if code and 7 <= len(digits) <= 8 and digits[0] not in "01":
            national = _national(code + digits, False)
    if national is None:
        return None
    return Phone("+86" + (national[1:] if national.startswith("0") else national), extension)


def normalise_phones(raws: list[str], city: str | None = None) -> list[str]:
    """Distinct E.164 numbers of a record's phones (extensions dropped: they name a desk)."""
    seen: dict[str, None] = {}
    # several numbers in one field: 0755-35721099/35721100, 13812345678、13987654321
    for part in (part for field in raws for part in re.split(r"[/、,;，；]", field or "")):
        phone = normalise_phone(part, city)
        if phone:
            seen[phone.e164] = None
    return sorted(seen)


# --- regions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """Province and city (either may be None)."""

    province: str | None
    city: str | None


_PROVINCE_RE = re.compile(
    "("
    + "|".join(PROVINCES_BY_LENGTH)
    + ")"
    + "("
    + "|".join(sorted({*PROVINCES.values(), "自治区", "省", "市"}, key=len, reverse=True))
    + ")?"
)
_CITY_RE = re.compile("(" + "|".join(CITIES_BY_LENGTH) + ")(市)?")
_TRAILING_CITY_RE = re.compile("(" + "|".join(CITIES_BY_LENGTH) + ")市?$")


def _leading_region(text: str) -> tuple[Region, int]:
    """The province and/or city ``text`` starts with, and how many characters they take."""
    pos = 0
    province = None
    found = _PROVINCE_RE.match(text)
    if found:
        province, pos = found.group(1), found.end()
    city = _CITY_RE.match(text, pos)
    if city and (province is None or CITIES[city.group(1)][0] == province):
        return Region(CITIES[city.group(1)][0], city.group(1)), city.end()
    if province and province in CITIES:  # a municipality: the province is the city
        return Region(province, province), pos
    return Region(province, None), pos


# one entry per distinct address and name: a medium extract has about 110,000
@lru_cache(maxsize=1 << 18)
def parse_region(text: str | None) -> Region:
    """The region a text (an ERP region field or an address) starts with.

    ``广东省深圳市南山区`` -> (广东, 深圳); ``天津市`` and ``天津`` -> (天津, 天津); ``广东`` ->
    (广东, None); unknown -> (None, None).
    """
    if not text:
        return Region(None, None)
    return _leading_region(to_halfwidth(text).strip())[0]


def record_region(*texts: str | None) -> Region:
    """The most specific region over several sources, in order of trust (ERP region field,
    address, name): a city from a later source fills in a province-only earlier one."""
    best = Region(None, None)
    for text in texts:
        found = parse_region(text)
        if found.city and (best.province in (None, found.province)):
            return found
        if best.province is None and found.province:
            best = found
    return best


# --- company names ----------------------------------------------------------------------------

MARKER_WORDS = "旧|重复|勿用|停用|已合并|已转出|已删除|删除|作废|废弃|无效|测试"
_MARKER = re.compile(
    rf"^\s*[\[(]?(?:{MARKER_WORDS})[\])]?[-_\s]*|[-_\s]*[\[(]?(?:{MARKER_WORDS})[\])]?\s*$"
)
LEGAL_FORMS = (
    "合伙企业(有限合伙)",
    "合伙企业(普通合伙)",
    "(有限合伙)",
    "(普通合伙)",
    "合伙企业",
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",  # traditional characters (Hong Kong, Taiwan, some ERP fonts)
    "有限公司",
    "股份公司",
    "公司",
)
_LEGAL = re.compile("(" + "|".join(re.escape(form) for form in LEGAL_FORMS) + ")$")
# a former name in brackets: 华信科技有限公司(原深圳华信电子)
_FORMER_NAME = re.compile(r"\((?:原|曾用名|前身)[^()]*\)")
_LATIN_BRACKET = re.compile(r"\(([^()]*)\)")
_LATIN_EDGE = re.compile(
    r"^([A-Za-z][A-Za-z.,&'\- ]*?)\s+(?=[^\x00-\x7f])"
    r"|(?<=[^\x00-\x7f])\s+([A-Za-z][A-Za-z.,&'\- ]*)$"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3}")
_ENGLISH_LEGAL = re.compile(
    r"\b(co|ltd|limited|inc|corp|corporation|company|group|llc|gmbh)\b\.?", re.I
)


@dataclass(frozen=True)
class NameParts:
    """A company name split into the parts identity resolution compares."""

    core: str  # what names the company: brand + trade, lower case, no blanks or punctuation
    region: Region  # the region written in the name (prefix, bracket or suffix)
    legal_form: str  # 有限公司 / 有限责任公司 / 股份有限公司 / ''
    is_group: bool  # 集团 in the name
    branch: str  # the branch's city or name before 分公司 ('' when not a branch)
    english: str  # English words beside or instead of the Chinese name, lower case
    markers: tuple[str, ...]  # housekeeping markers removed (_旧, (重复), -已转出, ...)


_MARKER_WORD = re.compile(MARKER_WORDS)


def _strip_markers(text: str) -> tuple[str, tuple[str, ...]]:
    markers: list[str] = []
    if not _MARKER_WORD.search(text):  # most names carry none: skip the anchored patterns
        return text.strip(), ()
    while True:
        found = _MARKER.search(text)
        if not found or found.end() == found.start():
            return text.strip(), tuple(markers)
        markers.append(found.group(0).strip())
        text = text[: found.start()] + text[found.end() :]


def _strip_english(text: str) -> tuple[str, str]:
    """English beside the Chinese name moves out: ``Huaxin 华信科技`` / ``华信(Huaxin Tech)``."""
    if not _CJK.search(text):
        return "", text.strip()
    if not _LATIN_WORD.search(text):
        return text, ""
    english: list[str] = []

    def bracket(found: re.Match[str]) -> str:
        inner = found.group(1)
        if inner and not _CJK.search(inner) and re.search(r"[A-Za-z]{3}", inner):
            english.append(inner)
            return ""
        return found.group(0)

    text = _LATIN_BRACKET.sub(bracket, text)
    for found in _LATIN_EDGE.finditer(text):
        english.append(found.group(1) or found.group(2))
    text = _LATIN_EDGE.sub("", text)
    return text.strip(), " ".join(e.strip() for e in english)


def _english_core(english: str) -> str:
    words = _ENGLISH_LEGAL.sub(" ", english.lower())
    return re.sub(r"[^a-z0-9]+", " ", words).strip()


def _strip_region(text: str) -> tuple[str, Region]:
    """Region as prefix (广东深圳华信 / 北京市华信), in brackets (华信(北京)) or as the last
    word before nothing else (华信科技北京): removed when at least three characters remain."""
    region = Region(None, None)
    found, end = _leading_region(text)
    if end and len(text) - end >= 3:
        text, region = text[end:], found

    def bracketed(match: re.Match[str]) -> str:
        nonlocal region
        inner = parse_region(match.group(1))
        taken = _leading_region(match.group(1))[1]
        if inner.province and taken == len(match.group(1)):
            region = inner if inner.city or not region.city else region
            return ""
        return match.group(0)

    if "(" in text:
        text = re.sub(r"\(([^()]+)\)", bracketed, text)
    trailing = _TRAILING_CITY_RE.search(text)
    if trailing and trailing.start() >= 3:
        city = trailing.group(1)
        return text[: trailing.start()], region if region.city else Region(province_of(city), city)
    return text, region


def name_parts(raw: str | None) -> NameParts | None:
    """Split a company name into core, region, legal form, 集团, branch, English, markers.

    ``Huaxin 华信科技（深圳）集团有限公司_旧`` -> core 华信科技, region (广东, 深圳), legal form
    有限公司, group, English huaxin, marker _旧.
    """
    if not raw or not raw.strip():
        return None
    text = to_halfwidth(raw).strip()
    text, markers = _strip_markers(text)
    text, english = _strip_english(text)
    text, more = _strip_markers(text)
    markers += more
    text = _FORMER_NAME.sub("", re.sub(r"\s+", "", text))
    branch = ""
    if text.endswith("分公司"):
        # 华信科技有限公司上海分公司: the branch is what follows the parent's legal form
        cut = max(text.rfind(form, 0, len(text) - 3) for form in ("公司", "集团", "厂"))
        if cut > 0:
            end = cut + (1 if text[cut] == "厂" else 2)
            branch, text = text[end:-3] or "分公司", text[:end]
    legal = ""
    match = _LEGAL.search(text)
    if match and len(text) > len(match.group(1)):
        legal, text = match.group(1), text[: match.start()]
    is_group = text.endswith("集团")
    if is_group and len(text) > 2:
        text = text[:-2]
    text, region = _strip_region(text)
    core = re.sub(r"[^\w]", "", text).lower()
    english_core = _english_core(english)
    if not core:
        core = english_core.replace(" ", "")
    return NameParts(
        core=core,
        region=region,
        legal_form=legal,
        is_group=is_group,
        branch=branch,
        english=english_core,
        markers=markers,
    )


# --- credit codes -----------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalise_tax_id(raw: str | None) -> str | None:
    """A credit code upper case without blanks or dashes (empty -> None)."""
    if not raw:
        return None
    code = re.sub(r"[\s\-]", "", to_halfwidth(raw)).upper()
    return code or None


def is_valid_tax_id(code: str | None) -> bool:
    """True for 18 characters of the GB 32100 alphabet whose check character is right."""
    if not code or len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    total = sum(_VALUE[c] * w for c, w in zip(code[:17], _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def tax_id_keys(code: str | None) -> tuple[str | None, str | None]:
    """Blocking keys that survive one typo: the first ten and the last eight characters.

    Of an 18-character code they are disjoint, so a substituted character spoils at most one of
    them; a dropped character keeps the head when it falls after it and the tail otherwise.
    The head is ten characters, not eight: the first eight are the registration authority and
    the district (``91310115`` is every firm of Pudong), a block of thousands of records at
    medium (72 million candidate pairs); two characters of the organisation code make it
    distinctive.
    """
    if not code or not 16 <= len(code) <= 19:
        return None, None
    return code[:10], code[-8:]
