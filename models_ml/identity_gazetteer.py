"""A small gazetteer of Chinese provinces and cities with their telephone area codes.

Identity resolution reads regions from ERP region fields, addresses and company names, where
they appear as province + city (``广东省深圳市``, ``广东深圳``), as a city with or without
``市`` (``天津`` / ``天津市``) or in brackets (``（北京）``). The table covers every
province-level unit and the prefecture-level cities B2B customers cluster in; a city that is
missing costs only the region evidence (the region stays null), never a wrong match.
"""

from __future__ import annotations

# province-level units: name -> the suffix it may carry
PROVINCES: dict[str, str] = {
    "北京": "市", "天津": "市", "上海": "市", "重庆": "市",
    "河北": "省", "山西": "省", "辽宁": "省", "吉林": "省", "黑龙江": "省",
    "江苏": "省", "浙江": "省", "安徽": "省", "福建": "省", "江西": "省", "山东": "省",
    "河南": "省", "湖北": "省", "湖南": "省", "广东": "省", "海南": "省", "四川": "省",
    "贵州": "省", "云南": "省", "陕西": "省", "甘肃": "省", "青海": "省", "台湾": "省",
    "内蒙古": "自治区", "广西": "壮族自治区", "西藏": "自治区", "宁夏": "回族自治区",
    "新疆": "维吾尔自治区", "香港": "特别行政区", "澳门": "特别行政区",
}  # fmt: skip

# city -> (province, area code with its trunk 0)
CITIES: dict[str, tuple[str, str]] = {
    "北京": ("北京", "010"), "天津": ("天津", "022"), "上海": ("上海", "021"),
    "重庆": ("重庆", "023"), "石家庄": ("河北", "0311"), "唐山": ("河北", "0315"),
    "保定": ("河北", "0312"), "太原": ("山西", "0351"), "沈阳": ("辽宁", "024"),
    "大连": ("辽宁", "0411"), "长春": ("吉林", "0431"), "哈尔滨": ("黑龙江", "0451"),
    "南京": ("江苏", "025"), "苏州": ("江苏", "0512"), "无锡": ("江苏", "0510"),
    "常州": ("江苏", "0519"), "南通": ("江苏", "0513"), "徐州": ("江苏", "0516"),
    "杭州": ("浙江", "0571"), "宁波": ("浙江", "0574"), "温州": ("浙江", "0577"),
    "绍兴": ("浙江", "0575"), "嘉兴": ("浙江", "0573"), "金华": ("浙江", "0579"),
    "合肥": ("安徽", "0551"), "芜湖": ("安徽", "0553"), "福州": ("福建", "0591"),
    "厦门": ("福建", "0592"), "泉州": ("福建", "0595"), "南昌": ("江西", "0791"),
    "济南": ("山东", "0531"), "青岛": ("山东", "0532"), "烟台": ("山东", "0535"),
    "潍坊": ("山东", "0536"), "郑州": ("河南", "0371"), "洛阳": ("河南", "0379"),
    "武汉": ("湖北", "027"), "宜昌": ("湖北", "0717"), "长沙": ("湖南", "0731"),
    "广州": ("广东", "020"), "深圳": ("广东", "0755"), "东莞": ("广东", "0769"),
    "佛山": ("广东", "0757"), "珠海": ("广东", "0756"), "中山": ("广东", "0760"),
    "惠州": ("广东", "0752"), "汕头": ("广东", "0754"), "南宁": ("广西", "0771"),
    "桂林": ("广西", "0773"), "海口": ("海南", "0898"), "三亚": ("海南", "0898"),
    "成都": ("四川", "028"), "绵阳": ("四川", "0816"), "贵阳": ("贵州", "0851"),
    "昆明": ("云南", "0871"), "西安": ("陕西", "029"), "兰州": ("甘肃", "0931"),
    "西宁": ("青海", "0971"), "银川": ("宁夏", "0951"), "乌鲁木齐": ("新疆", "0991"),
    "呼和浩特": ("内蒙古", "0471"), "拉萨": ("西藏", "0891"),
}  # fmt: skip

# longest first, so 乌鲁木齐 wins over a shorter prefix and 黑龙江 over nothing
PROVINCES_BY_LENGTH = sorted(PROVINCES, key=len, reverse=True)
CITIES_BY_LENGTH = sorted(CITIES, key=len, reverse=True)


def area_code(city: str | None) -> str | None:
    """The area code of ``city`` (``深圳`` -> ``0755``), or None when the city is unknown."""
    if not city or city not in CITIES:
        return None
    return CITIES[city][1]


def province_of(city: str | None) -> str | None:
    """The province of ``city`` (``深圳`` -> ``广东``; a municipality is its own province)."""
    if not city or city not in CITIES:
        return None
    return CITIES[city][0]
