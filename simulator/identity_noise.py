"""Per chunk: the landlines and phone formats of each company's records, and the hard
negatives, drawn from the identity stream of the seed (see ``generate``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.hard_negatives import HardNegatives
from simulator.hard_negatives import plant as plant_hard_negatives
from simulator.names import REGIONS
from simulator.population import Population
from simulator.variants import (
    LANDLINE_STYLES,
    MOBILE_STYLES,
    format_landline,
    format_mobile_style,
)

__all__ = [
    "AREA_CODES",
    "ChunkPhones",
    "IdentityNoise",
    "chunk_phones",
    "plant_hard_negatives",
    "share_group_domains",
]

AREA_CODES = {
    "北京": "010", "天津": "022", "石家庄": "0311", "济南": "0531", "青岛": "0532",
    "沈阳": "024", "大连": "0411", "哈尔滨": "0451", "长春": "0431", "郑州": "0371",
    "上海": "021", "杭州": "0571", "宁波": "0574", "南京": "025", "苏州": "0512",
    "无锡": "0510", "合肥": "0551", "福州": "0591", "厦门": "0592", "深圳": "0755",
    "广州": "020", "东莞": "0769", "佛山": "0757", "长沙": "0731", "南宁": "0771",
    "成都": "028", "重庆": "023", "西安": "029", "武汉": "027", "昆明": "0871",
}  # fmt: skip
ERP_LANDLINE_SHARE = 0.65  # ERP customer masters hold the switchboard, not a person's mobile


@dataclass(frozen=True)
class ChunkPhones:
    """Phones of a chunk's companies; ``landline`` is 'area code|number' ('' for persons)."""

    mobile: np.ndarray  # int64
    landline: list[str]
    extension: list[str]
    erp_phone: np.ndarray  # formatted, as the ERP holds it
    erp_style: np.ndarray  # the format's label, for the truth

    def landline_text(self, i: int, style: str) -> str:
        """Company ``i``'s landline in ``style`` ('' when it has none)."""
        if not self.landline[i]:
            return ""
        code, number = self.landline[i].split("|")
        return format_landline(code, number, style, self.extension[i])

    def with_erp_phone(self, rng: np.random.Generator) -> ChunkPhones:
        """The ERP's 联系电话: the landline for most companies, else the mobile."""
        n = len(self.mobile)
        use_landline = rng.random(n) < ERP_LANDLINE_SHARE
        styles = rng.integers(0, len(LANDLINE_STYLES), n)
        mstyles = rng.integers(0, len(MOBILE_STYLES), n)
        phone, label = [], []
        for i in range(n):
            if use_landline[i] and self.landline[i]:
                style = LANDLINE_STYLES[styles[i]]
                phone.append(self.landline_text(i, style))
                label.append(f"landline:{style}")
            else:
                style = MOBILE_STYLES[mstyles[i]]
                phone.append(format_mobile_style(str(self.mobile[i]), style))
                label.append(f"mobile:{style}")
        return replace(
            self, erp_phone=np.array(phone, dtype=object), erp_style=np.array(label, dtype=object)
        )


@dataclass(frozen=True)
class IdentityNoise:
    """What ``build_crm_customers`` needs to vary records the real-world way."""

    phones: ChunkPhones
    hard: HardNegatives
    rng: np.random.Generator


def chunk_phones(pop: Population, mobile: np.ndarray, rng: np.random.Generator) -> ChunkPhones:
    """Landlines (the city's area code, 8 digits, 7 in some prefecture cities) and extensions."""
    n = len(pop.true_id)
    digits = rng.integers(2 * 10**7, 10**8, n)
    extension = rng.integers(10, 9000, n)
    landline = []
    for i in range(n):
        code = AREA_CODES[REGIONS[pop.region[i]][0]]
        t = int(digits[i])
        number = t if len(code) == 3 or t % 4 else t // 10
        landline.append(f"{code}|{number}" if pop.kind[i] == 0 else "")
    return ChunkPhones(
        mobile=np.asarray(mobile),
        landline=landline,
        extension=[str(x) for x in extension.tolist()],
        erp_phone=np.array([str(m) for m in np.asarray(mobile).tolist()], dtype=object),
        erp_style=np.full(n, "mobile:plain", dtype=object),
    )


def share_group_domains(emails: list[str], hard: HardNegatives) -> list[str]:
    """B's work e-mail moves to A's mail domain for branches and sister companies."""
    out = list(emails)
    moved = np.isin(hard.kind, ["branch", "sister_domain"]) & hard.is_b
    for b in np.flatnonzero(moved).tolist():
        a = int(hard.partner[b])
        local, _, _domain = out[b].partition("@")
        out[b] = f"{local}@{emails[a].partition('@')[2]}"
    return out
