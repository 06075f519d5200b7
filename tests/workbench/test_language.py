"""The analysts' and marketers' tool pages in Chinese: titles, labels and refusals."""

from __future__ import annotations

import time

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access.session import SESSION_KEY
from dashboards.i18n import KEY_LANGUAGE
from orchestration.publish import publish
from orchestration.settings import REPO_ROOT, TandemSettings

VIEWS = REPO_ROOT / "dashboards" / "views"


def _open_in_chinese(page: str, role: str) -> AppTest:
    """Open ``page`` signed in as ``role`` (in English, as a first visit does), then switch."""
    app = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=60)
    now = time.time()
    app.session_state[SESSION_KEY] = {
        "username": f"u-{role}",
        "role": role,
        "name": role,
        "signed_in": now,
        "last_seen": now,
    }
    app.run()
    assert not app.exception, app.exception
    app.selectbox(key=KEY_LANGUAGE).set_value("zh").run()
    assert not app.exception, app.exception
    return app


def test_workbench_in_chinese_labels_and_refuses_in_chinese(
    people_warehouse: TandemSettings,
) -> None:
    app = _open_in_chinese("workbench", "analyst")
    assert [title.value for title in app.title] == ["SQL 工作台"]
    assert app.caption[0].value.startswith("每次运行一条只读查询")
    assert "已脱敏" in app.caption[0].value  # an analyst sees personal data masked
    assert sorted(h.value for h in app.subheader) == sorted(["数据结构", "我的最近查询"])
    assert app.text_input(key="schema_search").label == "查找表或字段"
    assert app.text_area(key="workbench_sql").label == "SQL 语句"
    assert [n.label for n in app.number_input] == ["行数上限", "超时（秒）"]
    # the schema browser's column headings are Chinese; names and types stay as typed in SQL
    columns = app.expander[0].dataframe[0].value
    assert list(columns.columns) == ["字段", "类型", "说明", "测试"]
    app.text_area(key="workbench_sql").input("drop table core.dim_customer")
    app.button(key="workbench_run").click().run()
    assert not app.exception, app.exception
    refusal = app.error[0].value
    assert refusal.startswith("不允许创建、修改或删除表、视图等对象。")
    assert refusal.endswith("且只能查询数据仓库中的表。")
    assert "DROP" not in refusal and "drop" not in refusal
    app.text_area(key="workbench_sql").input("select count(*) as n from core.numbers")
    app.button(key="workbench_run").click().run()
    assert app.success[0].value.startswith("1 行，用时 ")
    history = app.dataframe[1].value  # the editor's column: the result, then the history
    assert list(history.columns) == ["运行时间", "SQL 语句", "状态", "行数", "耗时（秒）", "信息"]
    assert history["状态"].tolist() == ["ok", "refused"]


@pytest.fixture
def segment_warehouse(tandem_home: TandemSettings) -> TandemSettings:
    """A published warehouse with the two tables the segment builder always reads (no model
    tables: their conditions show as not available yet)."""
    con = duckdb.connect(str(tandem_home.build_db))
    try:
        con.execute("create schema customer")
        con.execute(
            "create table customer.rpt_customer_360 as select * from (values"
            " ('C1', 'Acme', 1200.0, false, 'baidu', 'East', 'Retail', 'Li', 'consented'),"
            " ('C2', 'Bao', 800.0, false, 'tradeshow', 'North', 'Metals', 'Wang', 'consented'))"
            " as v(customer_key, customer_name, lifetime_net_revenue, is_deleted,"
            " acquisition_channel, region, industry, owner_name, consent_status)"
        )
        con.execute(
            "create table customer.dim_contact as select * from (values"
            " ('C1', 'P1', 'Li Wei', 'Buyer', '+8613812345678', 'li@acme.example',"
            " timestamp '2026-01-05 10:00', true, 'consented', true))"
            " as v(customer_key, contact_id, contact_name, job_title, mobile_e164, email,"
            " consent_recorded_at, has_marketing_consent, consent_status, is_current_for_address)"
        )
    finally:
        con.close()
    publish(tandem_home.build_db, tandem_home.serving_db)
    return tandem_home


def test_segment_builder_in_chinese(segment_warehouse: TandemSettings) -> None:
    app = _open_in_chinese("segment_builder", "marketing")
    assert [title.value for title in app.title] == ["分群导出"]
    assert app.selectbox(key="sb_start_from").value is None
    assert app.selectbox(key="sb_start_from").options == ["（新建）"]
    assert [box.label for box in app.text_input] == ["名称", "描述"]
    # model tables are missing here: their conditions say so, in Chinese
    assert app.selectbox(key="c_churn_band").label == "流失风险等级"
    assert app.selectbox(key="c_churn_band").options == ["暂不可用"]
    channels = app.multiselect(key="c_acquisition_channel")
    assert channels.label == "获客渠道"
    assert channels.options == ["百度推广", "展会"]
    assert {m.label: m.value for m in app.metric} == {
        "客户数": "2",
        "累计净收入（元）": "2,000.00",
        "可导出的已授权联系人": "1",
    }
    assert app.button(key="sb_save").label == "保存分群"
    assert [h.value for h in app.subheader] == ["导出记录"]
    # a name the store refuses is explained in Chinese
    app.text_input[0].input("VIP North").run()
    assert app.error[0].value.startswith("名称 'VIP North'：请使用 1–63 个小写字母")
    app.text_input[0].input("vip-east").run()
    channels = app.multiselect(key="c_acquisition_channel")
    channels.set_value(["baidu"]).run()
    assert app.metric[0].value == "1"
    app.button(key="sb_save").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value == "已保存 vip-east，版本 1"
    app.button(key="sb_export").click().run()
    assert not app.exception, app.exception
    assert app.success[-1].value.startswith("1 位联系人，sha256 ")
    log = app.dataframe[-1].value
    assert log["分群名称"].tolist() == ["vip-east"]
    assert log["联系人数"].tolist() == [1]
    assert app.get("download_button")[0].label.startswith("下载 vip-east")


def test_segment_builder_without_customers_says_what_to_run(
    people_warehouse: TandemSettings,
) -> None:
    """A published warehouse with no customer 360 mart (nothing built from the CRM and ERP yet)
    gets guidance in either language, not a DuckDB catalog error."""
    app = _open_in_chinese("segment_builder", "marketing")
    assert [info.value for info in app.info] == [
        "还没有构建客户数据（缺少 customer.rpt_customer_360）：请导入 CRM 和 ERP 数据后运行"
        " `tandem run`"
    ]
    assert not app.text_input  # nothing to build a segment from
    app.selectbox(key=KEY_LANGUAGE).set_value("en").run()
    assert not app.exception, app.exception
    assert app.info[0].value.startswith("no customers are built yet")
