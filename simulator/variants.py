"""The real-world ways one company's records differ: phone formats, region forms, English
brands, typos, 集团, legal forms, CRM housekeeping markers and tax-id typos.

Every function is pure and picks its variation from an integer ``pick``, so the simulator stays
deterministic per seed. The truth labels each record with the kind applied (see
``crm_customers``), so identity resolution can be scored per variant kind.
"""

from __future__ import annotations

import re

from simulator.names import (
    _BRAND_PINYIN,
    BRAND_POOL,
    INDUSTRIES,
    REGIONS,
    typo_name,
)
from simulator.tax_id import USCC_ALPHABET

# province of each simulated city (municipalities are their own province)
PROVINCE = {
    "北京": "北京", "天津": "天津", "石家庄": "河北", "济南": "山东", "青岛": "山东",
    "沈阳": "辽宁", "大连": "辽宁", "哈尔滨": "黑龙江", "长春": "吉林", "郑州": "河南",
    "上海": "上海", "杭州": "浙江", "宁波": "浙江", "南京": "江苏", "苏州": "江苏",
    "无锡": "江苏", "合肥": "安徽", "福州": "福建", "厦门": "福建", "深圳": "广东",
    "广州": "广东", "东莞": "广东", "佛山": "广东", "长沙": "湖南", "南宁": "广西",
    "成都": "四川", "重庆": "重庆", "西安": "陕西", "武汉": "湖北", "昆明": "云南",
}  # fmt: skip
PROVINCE_SUFFIX = {"广西": "壮族自治区"}
ENGLISH_INDUSTRY = {
    "科技": "Technology", "网络科技": "Network Technology", "信息技术": "Information Technology",
    "电子": "Electronics", "电子科技": "Electronic Technology", "机械": "Machinery",
    "精密制造": "Precision Manufacturing", "自动化设备": "Automation Equipment",
    "医药": "Pharmaceutical", "生物科技": "Biotechnology", "医疗器械": "Medical Devices",
    "贸易": "Trading", "商贸": "Trading", "供应链管理": "Supply Chain Management",
    "物流": "Logistics", "食品": "Food", "饮品": "Beverage", "化工": "Chemical",
    "新材料": "New Materials", "建材": "Building Materials", "建设工程": "Construction",
    "环保科技": "Environmental Technology", "汽车配件": "Auto Parts",
    "汽车服务": "Auto Services", "纺织": "Textile", "服饰": "Apparel",
    "餐饮管理": "Catering Management", "教育科技": "Education Technology",
    "新能源": "New Energy", "包装": "Packaging",
}  # fmt: skip
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
LIVE_MARKERS = ("_旧", "(重复)", " 勿用", "-停用", "【已合并】")
DELETED_MARKERS = ("-已转出", "[已删除]", "（作废）", "(作废)", "")
CITIES = [r[0] for r in REGIONS]
_CITY_RE = "|".join(sorted(CITIES, key=len, reverse=True))
_INDUSTRY_RE = "|".join(sorted((w for w, _ in INDUSTRIES), key=len, reverse=True))
# what company_names() builds: <city><latin?><brand><industry><legal> or
# <brand><industry>（<city>）<legal>
_NAME_RE = re.compile(
    rf"^(?:(?P<city>{_CITY_RE})(?P<latin>[A-Za-z0-9]*)(?P<brand>.{{2}})(?P<word>{_INDUSTRY_RE})"
    rf"|(?P<brand2>.{{2}})(?P<word2>{_INDUSTRY_RE})（(?P<city2>{_CITY_RE})）)"
    rf"(?P<group>集团)?(?P<legal>股份有限公司|有限责任公司|有限公司)?$"
)


def name_parts(name: str) -> dict[str, str] | None:
    """City, Latin tag, brand, industry word, 集团 and legal form of a simulated company name."""
    found = _NAME_RE.match(name)
    if not found:
        return None
    return {
        "city": found["city"] or found["city2"],
        "latin": found["latin"] or "",
        "brand": found["brand"] or found["brand2"],
        "word": found["word"] or found["word2"],
        "group": found["group"] or "",
        "legal": found["legal"] or "",
        "style": "prefix" if found["city"] else "bracket",
    }


def _compose(parts: dict[str, str], region: str, style: str) -> str:
    body = f"{parts['latin']}{parts['brand']}{parts['word']}"
    tail = f"{parts['group']}{parts['legal']}"
    if style == "bracket_full":
        return f"{body}（{region}）{tail}"
    if style == "bracket_half":
        return f"{body}({region}){tail}"
    if style == "suffix_plain":
        return f"{body}{region}{tail}"
    if style == "none":
        return f"{body}{tail}"
    return f"{region}{body}{tail}"


def region_variant(name: str, pick: int) -> str:
    """The region written another way: prefix <-> （城市） / (城市), 城市市, 省+城市, or dropped."""
    parts = name_parts(name)
    if parts is None:
        return name
    city = parts["city"]
    province = PROVINCE[city]
    options: list[tuple[str, str]] = [
        (f"{city}市", "prefix"),
        (city, "bracket_half" if parts["style"] == "prefix" else "prefix"),
        (city, "bracket_full" if parts["style"] == "prefix" else "bracket_half"),
        (city, "none"),
    ]
    if province != city:
        options.append((f"{province}{city}", "prefix"))
        options.append((f"{province}{PROVINCE_SUFFIX.get(province, '省')}{city}市", "prefix"))
    region, style = options[pick % len(options)]
    return _compose(parts, region, style)


def english_variant(name: str, brand_pinyin: str, pick: int) -> str:
    """An English brand beside the Chinese name, or an English name instead of it."""
    parts = name_parts(name)
    if parts is None or not brand_pinyin:
        return name
    brand_en = brand_pinyin[:1].upper() + brand_pinyin[1:]
    city_en = ""  # the city stays Chinese in the bracket; English cities are rare in CRMs
    option = pick % 3
    if option == 0:
        return f"{brand_en} {name}"
    if option == 1:
        base = name
        for legal in LEGAL_FORMS:
            if base.endswith(legal):
                base = base[: -len(legal)]
                break
        industry = ENGLISH_INDUSTRY.get(parts["word"], "")
        return f"{base}({brand_en} {industry})".replace(" )", ")")
    return f"{brand_en} {ENGLISH_INDUSTRY.get(parts['word'], '')} Co., Ltd.{city_en}".strip()


def group_variant(name: str) -> str:
    """集团 added before the legal form, or dropped when the name has it."""
    parts = name_parts(name)
    if parts is None:
        return name
    if parts["group"]:
        return name.replace("集团", "", 1)
    legal = parts["legal"]
    return name[: len(name) - len(legal)] + "集团" + legal


def legal_form_variant(name: str, pick: int) -> str:
    """Another legal form, or none (有限公司 / 有限责任公司 / 股份有限公司 / dropped)."""
    for legal in LEGAL_FORMS:
        if name.endswith(legal):
            options = [f for f in (*LEGAL_FORMS, "") if f != legal]
            return name[: -len(legal)] + options[pick % len(options)]
    return name + LEGAL_FORMS[pick % len(LEGAL_FORMS)]


def char_typo(name: str, pick: int) -> str:
    """One character wrong: a homophone (pinyin input slip), a different brand character, or one
    character of the brand dropped or doubled."""
    option = pick % 4
    if option == 0:
        return typo_name(name, pick // 4)
    positions = [i for i, ch in enumerate(name) if ch in _BRAND_PINYIN]
    if not positions:
        return typo_name(name, pick // 4)
    i = positions[(pick // 4) % len(positions)]
    if option == 1:
        other = BRAND_POOL[(BRAND_POOL.index(name[i]) + 7 + pick % 11) % len(BRAND_POOL)]
        if other == name[i]:
            other = BRAND_POOL[(BRAND_POOL.index(name[i]) + 1) % len(BRAND_POOL)]
        return name[:i] + other + name[i + 1 :]
    if option == 2:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def marker_variant(name: str, pick: int, deleted: bool) -> str:
    """A housekeeping marker a CRM user appends to a record they retire or flag."""
    markers = DELETED_MARKERS if deleted else LIVE_MARKERS
    marker = markers[pick % len(markers)]
    if marker.startswith("【"):
        return marker + name
    return name + marker


# --- phones ---------------------------------------------------------------------------------

LANDLINE_STYLES = (
    "dash", "dash", "dash", "paren", "e164_spaces", "e164_trunk", "e164_dashes", "local",
    "ext_zhuan", "ext_en", "ext_dash",
)  # fmt: skip
MOBILE_STYLES = ("plain", "plain", "plain", "plus86_dashes", "plus86", "0086", "spaces")


def format_landline(area_code: str, number: str, style: str, extension: str) -> str:
    """A landline as people type it; ``area_code`` with its trunk 0 (``0755``)."""
    trunkless = area_code[1:]
    half = len(number) // 2
    if style == "paren":
        return f"({area_code}){number}"
    if style == "e164_spaces":
        return f"+86 {trunkless} {number[:half]} {number[half:]}"
    if style == "e164_trunk":
        return f"+86 {area_code} {number}"
    if style == "e164_dashes":
        return f"+86-{trunkless}-{number}"
    if style == "local":
        return number
    if style == "ext_zhuan":
        return f"{area_code}-{number}转{extension}"
    if style == "ext_en":
        return f"{area_code}-{number} ext. {extension}"
    if style == "ext_dash":
        return f"{area_code}-{number}-{extension}"
    return f"{area_code}-{number}"


def format_mobile_style(number: str, style: str) -> str:
    """A mobile as reps type it."""
    if style == "plus86_dashes":
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    if style == "plus86":
        return f"+86{number}"
    if style == "0086":
        return f"0086 {number}"
    if style == "spaces":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return number


# --- tax ids --------------------------------------------------------------------------------

TAX_TYPOS = ("substituted", "swapped", "dropped", "lower_case", "spaces")


def tax_id_typo(code: str, kind: str, pick: int) -> str:
    """A credit code as mistyped: one character substituted, two neighbours swapped, one
    dropped (all in the first 17), lower case, or grouped with spaces."""
    if len(code) != 18:
        return code
    i = 2 + pick % 15  # after the authority and type characters: where people slip
    if kind == "substituted":
        value = USCC_ALPHABET.index(code[i])
        return code[:i] + USCC_ALPHABET[(value + 1 + pick % 9) % 31] + code[i + 1 :]
    if kind == "swapped":
        for k in range(14):
            j = 2 + (i - 2 + k) % 14  # both characters within the first 17
            if code[j] != code[j + 1]:
                return code[:j] + code[j + 1] + code[j] + code[j + 2 :]
        return code
    if kind == "dropped":
        return code[:i] + code[i + 1 :]
    if kind == "lower_case":
        return code.lower()
    return " ".join(code[k : k + 4] for k in range(0, 18, 4))
