"""A tiny Kingdee-style invoice extract written by code (GB18030, CRLF), for the spine tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

HEADER = [
    "发票号码",
    "开票日期",
    "到期日期",
    "单据状态",
    "红字发票",
    "原发票号码",
    "源单编号",
    "客户编码",
    "客户名称",
    "税率(%)",
    "金额",
    "税额",
    "价税合计",
    "销售成本",
]

# (invoice, date, customer, rate, net): two months, a credit note, two VAT rates on one invoice
INVOICES = [
    ("FP0001", "2026-01-05", "CUST000001", 13, Decimal("1000.00")),
    ("FP0002", "2026-01-20", "CUST000002", 13, Decimal("2500.00")),
    ("FP0002", "2026-01-20", "CUST000002", 6, Decimal("400.00")),
    ("FP0003", "2026-02-03", "CUST000001", 13, Decimal("3000.00")),
    ("FP0004", "2026-02-10", "CUST000001", 13, Decimal("-500.00")),
    ("FP0005", "2026-03-15", "CUST000003", 6, Decimal("1200.00")),
]


def write_invoices(path: Path, invoices=INVOICES) -> Path:
    lines = [",".join(HEADER)]
    for number, date, customer, rate, net in invoices:
        tax = (net * rate / 100).quantize(Decimal("0.01"))
        red_ink = "是" if net < 0 else "否"
        cost = (net * Decimal("0.6")).quantize(Decimal("0.01"))
        lines.append(
            f"{number},{date},{date},C,{red_ink},,SO{number},{customer},客户{customer[-3:]},"
            f"{rate},{net},{tax},{net + tax},{cost}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def monthly_net(invoices=INVOICES) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for _, date, _, _, net in invoices:
        totals[date[:7]] = totals.get(date[:7], Decimal(0)) + net
    return totals


CUSTOMER_HEADER = [
    "客户编码",
    "客户名称",
    "统一社会信用代码",
    "客户分组",
    "区域",
    "行业",
    "销售员",
    "联系电话",
    "地址",
    "禁用状态",
    "创建日期",
]


def write_customers(path: Path, invoices=INVOICES) -> Path:
    """The ERP customer master for every customer the invoices name (invoices reference it)."""
    codes = sorted({customer for _, _, customer, _, _ in invoices})
    lines = [",".join(CUSTOMER_HEADER)]
    lines += [
        f"{code},测试客户{code[-3:]}有限公司,,企业,华东,制造业,张三,,,A,2025-12-01"
        for code in codes
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def write_erp_extract(landing: Path, invoices=INVOICES, suffix: str = "") -> None:
    """Invoices plus the customers they reference, as an ERP export would deliver them."""
    write_invoices(landing / "erp" / f"sales_invoices{suffix}.csv", invoices)
    write_customers(landing / "erp" / f"customers{suffix}.csv", invoices)
