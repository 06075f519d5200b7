"""Chinese company and person names, contact details, and the name variants of duplicates."""

from __future__ import annotations

import numpy as np

from simulator.name_pools import (
    BRAND_CHARS,
    GIVEN_CHARS,
    INDUSTRIES,
    LEGAL_SUFFIXES,
    REGIONS,
    SUFFIX_WEIGHTS,
    SURNAMES,
)

LATIN_TAGS = ["KT", "UP", "ABC", "HK", "GT", "EV", "3D", "iT", "CN", "SK", "VR", "AI"]
EMAIL_PROVIDERS = ["qq.com", "163.com", "126.com", "sina.com", "139.com", "foxmail.com"]
DOMAIN_TLDS = [".com", ".cn", ".com.cn", ".net"]

_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_HALF_TO_FULL = str.maketrans(_FULLWIDTH)

_BRAND_PINYIN = dict(BRAND_CHARS)
_BY_PINYIN: dict[str, list[str]] = {}
for _ch, _py in BRAND_CHARS:
    _BY_PINYIN.setdefault(_py, [])
    if _ch not in _BY_PINYIN[_py]:
        _BY_PINYIN[_py].append(_ch)
BRAND_POOL = list(dict.fromkeys(ch for ch, _ in BRAND_CHARS))


def name_space_per_region() -> int:
    """How many distinct (brand, industry) combinations each region can name."""
    return len(BRAND_POOL) ** 2 * len(INDUSTRIES)


def _affine_permutation(rank: np.ndarray, region: np.ndarray, size: int, salt: int) -> np.ndarray:
    """Bijective scramble of ``rank`` within [0, size) for each region: distinct ranks in a
    region give distinct names, and the shift per region keeps cities from mirroring each other.
    """
    mult = 7_919 * 31 + 2 * salt
    while np.gcd(mult, size) != 1:
        mult += 2
    shift = 104_729 * (salt + 1) + region.astype(np.int64) * 48_611
    return (rank.astype(np.int64) * mult + shift) % size


def company_names(
    region_idx: np.ndarray, rank_in_region: np.ndarray, rng: np.random.Generator, salt: int
) -> tuple[list[str], np.ndarray, list[str]]:
    """Official company names, their industry index and their brand pinyin.

    Names are unique as long as ``rank_in_region`` is unique within each region and below
    ``name_space_per_region()``. Returns (names, industry_idx, brand_pinyin).
    """
    n_b = len(BRAND_POOL)
    code = _affine_permutation(rank_in_region, region_idx, name_space_per_region(), salt)
    industry = code % len(INDUSTRIES)
    b1 = (code // len(INDUSTRIES)) % n_b
    b2 = (code // (len(INDUSTRIES) * n_b)) % n_b
    n = len(region_idx)
    suffix = rng.choice(len(LEGAL_SUFFIXES), size=n, p=SUFFIX_WEIGHTS)
    style = rng.random(n)  # < 0.25: region in brackets; < 0.33: with a Latin tag
    latin = rng.integers(0, len(LATIN_TAGS), size=n)
    names: list[str] = []
    pinyin: list[str] = []
    for i in range(n):
        city = REGIONS[region_idx[i]][0]
        brand = BRAND_POOL[b1[i]] + BRAND_POOL[b2[i]]
        word = INDUSTRIES[industry[i]][0]
        sfx = LEGAL_SUFFIXES[suffix[i]]
        if style[i] < 0.25:
            names.append(f"{brand}{word}（{city}）{sfx}")
        elif style[i] < 0.33:
            names.append(f"{city}{LATIN_TAGS[latin[i]]}{brand}{word}{sfx}")
        else:
            names.append(f"{city}{brand}{word}{sfx}")
        pinyin.append(_BRAND_PINYIN[BRAND_POOL[b1[i]]] + _BRAND_PINYIN[BRAND_POOL[b2[i]]])
    return names, industry, pinyin


def person_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Chinese person names (surname + one or two given characters) and their pinyin."""
    s = rng.integers(0, len(SURNAMES), size=n)
    g1 = rng.integers(0, len(GIVEN_CHARS), size=n)
    g2 = rng.integers(0, len(GIVEN_CHARS), size=n)
    two = rng.random(n) < 0.6
    names, pys = [], []
    for i in range(n):
        sur, spy = SURNAMES[s[i]]
        c1, p1 = GIVEN_CHARS[g1[i]]
        if two[i]:
            c2, p2 = GIVEN_CHARS[g2[i]]
            names.append(sur + c1 + c2)
            pys.append(f"{spy}.{p1}{p2}")
        else:
            names.append(sur + c1)
            pys.append(f"{spy}.{p1}")
    return names, pys


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mainland mobile numbers (13x-19x prefixes) as int64."""
    prefix = rng.choice(
        [
            130,
            131,
            132,
            135,
            136,
            137,
            138,
            139,
            150,
            151,
            152,
            155,
            157,
            158,
            159,
            166,
            176,
            177,
            180,
            181,
            182,
            185,
            186,
            187,
            188,
            189,
            191,
            199,
        ],
        size=n,
    )
    return prefix.astype(np.int64) * 10**8 + rng.integers(0, 10**8, size=n)


def format_mobile(number: int, messy: bool) -> str:
    """A mobile as reps type it: plain, or with +86 and dashes."""
    s = str(number)
    return f"+86 {s[:3]}-{s[3:7]}-{s[7:]}" if messy else s


def company_email(person_pinyin: str, brand_pinyin: str, tld: int) -> str:
    """Work e-mail on the company's own domain."""
    return f"{person_pinyin}@{brand_pinyin}{DOMAIN_TLDS[tld % len(DOMAIN_TLDS)]}"


def personal_email(person_pinyin: str, number: int) -> str:
    """Free-mail address (individuals, or staff who use their private mailbox)."""
    provider = EMAIL_PROVIDERS[number % len(EMAIL_PROVIDERS)]
    if number % 3 == 0:
        return f"{number % 10**10 + 10**8}@{provider}"  # QQ-number style mailbox
    return f"{person_pinyin.replace('.', '')}{number % 1000}@{provider}"


# --- variants planted as duplicates -------------------------------------------------------


def to_fullwidth(name: str) -> str:
    """Convert every ASCII character to its full-width form (what some input methods emit)."""
    return name.translate(_HALF_TO_FULL)


def swap_brackets(name: str) -> str:
    """（）<-> ()."""
    if "（" in name:
        return name.replace("（", "(").replace("）", ")")
    return name.replace("(", "（").replace(")", "）")


def swap_suffix(name: str, pick: int) -> str:
    """Another legal form of the same name, or the name without its legal suffix."""
    for sfx in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(sfx):
            stem = name[: -len(sfx)]
            options = [s for s in ("有限公司", "有限责任公司", "") if s != sfx]
            return stem + options[pick % len(options)]
    return name + "有限公司"


def short_name(name: str) -> str:
    """The name without legal suffix and bracketed city, as people write it in deal titles."""
    for sfx in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(sfx):
            name = name[: -len(sfx)]
            break
    cut = name.find("（")
    return name[:cut] if cut > 0 else name


def branch_name(name: str, city: str) -> str:
    """The branch office of a company: 某某有限公司杭州分公司."""
    return f"{name}{city}分公司"


def typo_name(name: str, pick: int) -> str:
    """Replace one brand character by a homophone (a pinyin input-method slip)."""
    positions = [i for i, ch in enumerate(name) if ch in _BRAND_PINYIN]
    for k in range(len(positions)):
        i = positions[(pick + k) % len(positions)]
        same = [c for c in _BY_PINYIN[_BRAND_PINYIN[name[i]]] if c != name[i]]
        if same:
            return name[:i] + same[pick % len(same)] + name[i + 1 :]
    if positions:  # no homophone available: a neighbouring key slip instead
        i = positions[pick % len(positions)]
        other = BRAND_POOL[(BRAND_POOL.index(name[i]) + 1) % len(BRAND_POOL)]
        return name[:i] + other + name[i + 1 :]
    return name + " "
