"""Chinese company and person names, contact details, and the name variants of duplicates."""

from __future__ import annotations

import numpy as np

# (city, administrative division code, sales region, weight). Weights follow where B2B buyers
# cluster, so the big coastal cities dominate as in real customer bases.
REGIONS: list[tuple[str, int, str, float]] = [
    ("北京", 110000, "华北", 8),
    ("天津", 120000, "华北", 3),
    ("石家庄", 130100, "华北", 1.5),
    ("济南", 370100, "华北", 2),
    ("青岛", 370200, "华北", 2.5),
    ("沈阳", 210100, "华北", 1.5),
    ("大连", 210200, "华北", 1.5),
    ("哈尔滨", 230100, "华北", 1),
    ("长春", 220100, "华北", 1),
    ("郑州", 410100, "华北", 2),
    ("上海", 310000, "华东", 10),
    ("杭州", 330100, "华东", 5),
    ("宁波", 330200, "华东", 3),
    ("南京", 320100, "华东", 4),
    ("苏州", 320500, "华东", 5),
    ("无锡", 320200, "华东", 2.5),
    ("合肥", 340100, "华东", 2),
    ("福州", 350100, "华东", 1.5),
    ("厦门", 350200, "华东", 2),
    ("深圳", 440300, "华南", 8),
    ("广州", 440100, "华南", 7),
    ("东莞", 441900, "华南", 3.5),
    ("佛山", 440600, "华南", 3),
    ("长沙", 430100, "华南", 2),
    ("南宁", 450100, "华南", 1),
    ("成都", 510100, "西部", 4),
    ("重庆", 500000, "西部", 3.5),
    ("西安", 610100, "西部", 2.5),
    ("武汉", 420100, "西部", 3.5),
    ("昆明", 530100, "西部", 1.5),
]

# (word used in the company name, industry label of the 客户行业 field)
INDUSTRIES: list[tuple[str, str]] = [
    ("科技", "信息技术"),
    ("网络科技", "信息技术"),
    ("信息技术", "信息技术"),
    ("电子", "电子制造"),
    ("电子科技", "电子制造"),
    ("机械", "装备制造"),
    ("精密制造", "装备制造"),
    ("自动化设备", "装备制造"),
    ("医药", "医药"),
    ("生物科技", "医药"),
    ("医疗器械", "医药"),
    ("贸易", "批发零售"),
    ("商贸", "批发零售"),
    ("供应链管理", "物流"),
    ("物流", "物流"),
    ("食品", "食品饮料"),
    ("饮品", "食品饮料"),
    ("化工", "化工"),
    ("新材料", "化工"),
    ("建材", "建筑建材"),
    ("建设工程", "建筑建材"),
    ("环保科技", "环保"),
    ("汽车配件", "汽车"),
    ("汽车服务", "汽车"),
    ("纺织", "纺织服装"),
    ("服饰", "纺织服装"),
    ("餐饮管理", "餐饮"),
    ("教育科技", "教育"),
    ("新能源", "新能源"),
    ("包装", "包装印刷"),
]

# Brand characters with their pinyin (for e-mail domains). Several share a pinyin on purpose:
# those pairs are the typos a rep makes with a pinyin input method.
BRAND_CHARS: list[tuple[str, str]] = [
    ("华", "hua"),
    ("化", "hua"),
    ("瑞", "rui"),
    ("睿", "rui"),
    ("锐", "rui"),
    ("嘉", "jia"),
    ("佳", "jia"),
    ("恒", "heng"),
    ("泰", "tai"),
    ("鑫", "xin"),
    ("新", "xin"),
    ("欣", "xin"),
    ("盛", "sheng"),
    ("晟", "sheng"),
    ("达", "da"),
    ("宏", "hong"),
    ("弘", "hong"),
    ("远", "yuan"),
    ("源", "yuan"),
    ("元", "yuan"),
    ("博", "bo"),
    ("创", "chuang"),
    ("海", "hai"),
    ("天", "tian"),
    ("润", "run"),
    ("益", "yi"),
    ("亿", "yi"),
    ("德", "de"),
    ("信", "xin"),
    ("诚", "cheng"),
    ("程", "cheng"),
    ("安", "an"),
    ("康", "kang"),
    ("永", "yong"),
    ("美", "mei"),
    ("龙", "long"),
    ("隆", "long"),
    ("凯", "kai"),
    ("腾", "teng"),
    ("飞", "fei"),
    ("中", "zhong"),
    ("金", "jin"),
    ("锦", "jin"),
    ("银", "yin"),
    ("光", "guang"),
    ("明", "ming"),
    ("星", "xing"),
    ("兴", "xing"),
    ("辰", "chen"),
    ("晨", "chen"),
    ("宇", "yu"),
    ("航", "hang"),
    ("卓", "zhuo"),
    ("越", "yue"),
    ("悦", "yue"),
    ("骏", "jun"),
    ("驰", "chi"),
    ("富", "fu"),
    ("和", "he"),
    ("合", "he"),
    ("祥", "xiang"),
    ("丰", "feng"),
    ("峰", "feng"),
    ("昌", "chang"),
    ("旺", "wang"),
    ("通", "tong"),
    ("联", "lian"),
    ("力", "li"),
    ("立", "li"),
    ("方", "fang"),
    ("正", "zheng"),
    ("万", "wan"),
    ("科", "ke"),
    ("智", "zhi"),
    ("至", "zhi"),
    ("云", "yun"),
    ("林", "lin"),
    ("森", "sen"),
    ("蓝", "lan"),
    ("青", "qing"),
    ("朗", "lang"),
    ("汇", "hui"),
    ("聚", "ju"),
    ("鼎", "ding"),
    ("奥", "ao"),
    ("图", "tu"),
    ("拓", "tuo"),
    ("迈", "mai"),
    ("捷", "jie"),
    ("思", "si"),
    ("维", "wei"),
    ("尚", "shang"),
    ("品", "pin"),
    ("优", "you"),
    ("先", "xian"),
    ("臻", "zhen"),
    ("启", "qi"),
    ("东", "dong"),
    ("南", "nan"),
    ("北", "bei"),
    ("宝", "bao"),
    ("利", "li"),
    ("昊", "hao"),
    ("浩", "hao"),
    ("泽", "ze"),
    ("铭", "ming"),
    ("伟", "wei"),
    ("振", "zhen"),
    ("盈", "ying"),
    ("赢", "ying"),
    ("嘉", "jia"),
]

LEGAL_SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
SUFFIX_WEIGHTS = [0.7, 0.2, 0.1]

SURNAMES: list[tuple[str, str]] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
]
GIVEN_CHARS: list[tuple[str, str]] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("鹏", "peng"),
    ("华", "hua"),
    ("玲", "ling"),
    ("建", "jian"),
    ("文", "wen"),
    ("斌", "bin"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("凯", "kai"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("琳", "lin"),
    ("欣", "xin"),
    ("晨", "chen"),
]

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
