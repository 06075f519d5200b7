"""Customer 360 on the tiny company shows a customer's phone only to marketing and admin; every
other role reads it masked, exactly as the analysts' workbench copy holds it."""

from __future__ import annotations

import duckdb
import pytest

from dashboards.access.roles import ROLES, sees_personal_data
from dashboards.workbench.connection import masked_copy
from tests.dashboards.conftest import open_page
from tests.warehouse.conftest import TinyWarehouse


@pytest.mark.parametrize("role", ROLES)
def test_customer_360_masks_the_phone_for_roles_without_personal_data(
    tiny: TinyWarehouse, role: str
) -> None:
    key, name, phone = tiny.rows(
        "select c.customer_key, c.customer_name, d.phone from customer.rpt_customer_360 as c"
        " join core.dim_customer as d using (customer_key)"
        " where not c.is_deleted and length(d.phone) >= 8"
        " order by c.lifetime_net_revenue desc limit 1"
    )[0]
    app = open_page("customer_360", role=role)
    app.text_input(key="c360_query").set_value(name).run()
    assert not app.exception
    assert app.selectbox(key="c360_customer").value == key
    shown = " ".join(m.value for m in app.markdown if "☎" in m.value)
    page_text = " ".join(m.value for m in app.markdown)
    if sees_personal_data(role):
        assert phone in shown
        return
    # the masked form: a fixed run of stars and the last four digits, never the number itself
    assert f"*******{phone[-4:]}" in shown
    assert phone not in page_text
    con = duckdb.connect(str(masked_copy()), read_only=True)
    try:
        in_workbench = con.execute(
            "select phone from core.dim_customer where customer_key = ?", [key]
        ).fetchone()[0]
    finally:
        con.close()
    assert in_workbench in shown  # pages and the workbench mask the same value the same way
