"""The product catalogue: goods (13% VAT) and services (6% VAT) with standard cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

GOODS = [
    ("工业网关", "硬件", "台"),
    ("数据采集终端", "硬件", "台"),
    ("智能传感器", "硬件", "个"),
    ("PLC控制器", "硬件", "台"),
    ("工控机", "硬件", "台"),
    ("工业交换机", "硬件", "台"),
    ("触摸屏", "硬件", "台"),
    ("变频器", "硬件", "台"),
    ("伺服驱动器", "硬件", "套"),
    ("扫码枪", "配件", "个"),
    ("标签打印机", "配件", "台"),
    ("电源模块", "配件", "个"),
    ("通讯线缆", "配件", "米"),
    ("服务器机柜", "硬件", "台"),
    ("边缘计算盒", "硬件", "台"),
]
SERVICES = [
    ("安装调试服务", "服务", "次"),
    ("年度维保服务", "服务", "年"),
    ("软件订阅服务", "软件", "年"),
    ("技术培训", "服务", "次"),
    ("远程运维服务", "服务", "年"),
]
SERVICE_SHARE = 0.2


@dataclass
class Catalogue:
    """Products as arrays (index = position) plus the sheet written to erp/products.xlsx."""

    code: np.ndarray
    price: np.ndarray  # net list price, yuan
    cost: np.ndarray  # standard unit cost, yuan
    tax_rate: np.ndarray  # 0.13 or 0.06
    is_service: np.ndarray
    popularity: np.ndarray  # probability of appearing on an order line
    sheet: pl.DataFrame


def build_catalogue(n: int, rng: np.random.Generator) -> Catalogue:
    """``n`` products with Zipf-like popularity, list price and cost."""
    is_service = np.zeros(n, dtype=bool)
    is_service[: max(2, round(n * SERVICE_SHARE))] = True
    rng.shuffle(is_service)
    kind = np.where(is_service, rng.integers(0, len(SERVICES), n), rng.integers(0, len(GOODS), n))
    price = (
        np.round(
            np.where(
                is_service, rng.lognormal(np.log(1800), 0.6, n), rng.lognormal(np.log(900), 1.0, n)
            ),
            0,
        )
        + 0.0
    )
    price = np.maximum(price, 5.0)
    margin = np.where(is_service, rng.uniform(0.45, 0.7, n), rng.uniform(0.18, 0.42, n))
    cost = np.round(price * (1 - margin), 2)
    tax = np.where(is_service, 0.06, 0.13)
    pop = 1.0 / np.arange(1, n + 1) ** 0.9
    pop = pop[rng.permutation(n)]
    code = np.array([f"WL{10001 + i:05d}" for i in range(n)])
    names, specs, groups, units = [], [], [], []
    for i in range(n):
        base, group, unit = (SERVICES if is_service[i] else GOODS)[kind[i]]
        series = "ABCDEFGHKMNPRSTX"[i % 16]
        names.append(base)
        specs.append(f"TD-{series}{100 + (i * 37) % 900}")
        groups.append(group)
        units.append(unit)
    sheet = pl.DataFrame(
        {
            "物料编码": code,
            "物料名称": names,
            "规格型号": specs,
            "物料分组": groups,
            "计量单位": units,
            "税率(%)": np.where(is_service, 6, 13),
            "标准售价": price,
            "单位成本": cost,
            "是否服务": np.where(is_service, "是", "否"),
        }
    )
    return Catalogue(code, price, cost, tax, is_service, pop / pop.sum(), sheet)
