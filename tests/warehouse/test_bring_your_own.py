"""Bring your own extracts: a customers-only CRM + ERP export, not the simulator's.

A hand-written set of Chinese B2B customers as a user's own systems export them: CRM ids like
``CRM9384601``, the credit code and the ERP code as flat columns of the CRM customers file
(headers 统一社会信用代码 / ERP客户编码, mapped by aliases in ``crm_customers.yml``) instead
of WukongCRM's custom-field table, the variant kinds issue 13 lists (legal form swapped,
region written another way, CRM markers, an English brand, a homophone, 集团 dropped, phones
with +86, extensions or no area code, credit codes with typos) and look-alikes that must stay
apart (a branch with its own credit code carrying the parent's ERP code, a sister company on
the same mail domain, the same brand in another city, a firm on the same switchboard). No
orders, no invoices, no CRM activity at all.

One real ``tandem run`` lands, checks, builds and publishes it (module fixture, 3-5 minutes
on an idle machine, 20 under a loaded one); the tests read the summary, the build file and the
serving file.
"""

# one record per line reads like the extract it stands for: long lines allowed here
# ruff: noqa: E501

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import TandemSettings
from tests.conftest import run_tandem

CRM_HEADER = [
    "customer_id", "customer_name", "owner_user_id", "deal_status", "deal_time", "mobile",
    "telephone", "email", "address", "status", "create_time", "update_time", "last_time",
    "pool_time", "batch_id", "统一社会信用代码", "ERP客户编码",
]  # fmt: skip
ERP_HEADER = [
    "客户编码", "客户名称", "统一社会信用代码", "客户分组", "区域", "行业", "销售员", "联系电话",
    "地址", "禁用状态", "创建日期",
]  # fmt: skip

# code, name, credit code, region, industry, phone, address
ERP_CUSTOMERS = [
    ("CUST0001", "深圳市华信科技有限公司", "91440300MA5F8KQ2XJ", "深圳", "电子", "0755-35721099", "深圳市南山区科技园南区8栋"),
    ("CUST0002", "北京中科恒达软件股份有限公司", "91110108MA01C3DN4C", "北京", "软件", "010-69427016", "北京市海淀区中关村大街27号"),
    ("CUST0003", "上海浦江精密机械有限公司", "91310115MA1K3AB128", "上海", "机械", "021-58341270", "上海市浦东新区张江路88号"),
    ("CUST0004", "天津渤海化工集团有限公司", "91120116MA06T7LQ30", "天津", "化工", "022-23456781", "天津市滨海新区黄海路19号"),
    ("CUST0005", "广州粤海食品有限公司", "91440101MA59R2T6KG", "广州", "食品", "020-87654321", "广州市天河区体育西路101号"),
    ("CUST0006", "杭州西湖电子有限公司", "91330106MA2H1B2R57", "杭州", "电子", "0571-88223344", "杭州市西湖区文三路90号"),
    ("CUST0007", "成都天府物流有限公司", "91510100MA6C4E5D79", "四川", "物流", "028-85551234", "成都市武侯区天府大道中段1号"),
    ("CUST0008", "武汉长江建材有限公司", "91420100MA4K7F8G1C", "武汉", "建材", "027-83334455", "武汉市江汉区建设大道568号"),
    ("CUST0009", "南京金陵医疗器械有限公司", "91320100MA1N9P8K6N", "南京", "医疗", "025-84445566", "南京市鼓楼区中山北路30号"),
    ("CUST0010", "苏州新材科技有限公司", "91320594MA1W2X3Y4X", "苏州", "材料", "0512-62223344", "苏州市工业园区星湖街328号"),
    ("CUST0011", "青岛海润贸易有限公司", "91370200MA3C5H6J20", "青岛", "贸易", "0532-85556677", "青岛市市南区香港中路6号"),
    ("CUST0012", "厦门鹭岛包装有限公司", "91350200MA2Y8K9L3U", "厦门", "包装", "0592-5556677", "厦门市思明区湖滨南路57号"),
    ("KH-0013", "宁波东海五金有限公司", "91330201MA2C7D8E97", "宁波", "五金", "0574-87778899", "宁波市海曙区中山西路2号"),
    ("CUST0014", "西安秦川汽车配件有限公司", "91610100MA6T2U3W4D", "西安", "汽车", "029-88889900", "西安市雁塔区科技路48号"),
    ("CUST0015", "重庆山城机电有限公司", "91500000MA5U6N7P8J", "重庆", "机电", "023-63334455", "重庆市渝中区解放碑民族路188号"),
]  # fmt: skip

# id, name, mobile, telephone, email, address, status, credit code, ERP code, true company
CRM_CUSTOMERS = [
    ("CRM9384601", "深圳华信科技有限公司", "13800138001", "+86 755 3572 1099", "wang@huaxin-tech.cn", "深圳市南山区科技园南区8栋", 1, "91440300MA5F8KQ2XJ", "", "huaxin"),
    ("CRM9384602", "Huaxin 华信科技（深圳）有限公司", "138-0013-8001", "", "li@huaxin-tech.cn", "", 1, "", "", "huaxin"),
    ("CRM9384603", "北京中科恒达软件有限公司", "", "+86-10-69427016", "", "北京海淀区中关村大街27号", 1, "", "CUST0002", "zhongke"),
    ("CRM9384604", "上海浦江精密机械有限公司_旧", "", "(021)58341270转8021", "", "上海市浦东新区张江路88号", 1, "", "", "pujiang"),
    ("CRM9384605", "上海浦江精密机械有限公司", "13916605288", "021-58341270", "", "上海市浦东新区张江路88号", 1, "9131 0115 ma1k3ab128", "", "pujiang"),
    ("CRM9384606", "天津渤海化工有限公司", "", "022-23456781 ext. 12", "", "天津滨海新区黄海路19号", 1, "91120116MA06T7LQ30", "", "bohai"),
    ("CRM9384607", "广州粤海食品有限责任公司", "", "87654321", "", "广州市天河区体育西路101号", 1, "", "", "yuehai"),
    ("CRM9384608", "杭州西湖电子有限公司（作废）", "", "0571-88223344", "", "", 3, "", "", "xihu"),
    ("CRM9384609", "杭州西湖电子有限公司", "13588112233", "", "", "杭州市西湖区文三路90号", 1, "", "cust0006", "xihu"),
    ("CRM9384610", "成都天府物流有限公司", "", "", "", "成都市武侯区天府大道中段1号", 1, "91510100MA6C4F5D79", "", "tianfu"),
    ("CRM9384611", "武汉长江建材有限公司", "", "+86 027 83334455", "", "", 1, "", "", "changjiang"),
    ("CRM9384612", "南京金陵医疗器械有限公司上海分公司", "13661234567", "021-62345678", "", "上海市长宁区延安西路1088号", 1, "91310104MA1G5H7J3J", "CUST0009", "jinling_shanghai"),
    ("CRM9384613", "南京金陵医疗器械有限公司", "", "025-84445566", "", "南京市鼓楼区中山北路30号", 1, "", "", "jinling"),
    ("CRM9384614", "苏州新材科技有限公司【已合并】", "", "0512-62223344", "", "", 1, "", "", "suzhou"),
    ("CRM9384615", "青岛海润贸易有限公司 勿用", "", "0532-85556677", "", "", 1, "91370200MA3C5H6J20", "", "hairun"),
    ("CRM9384616", "厦门鹭岛包装有限公司", "", "0592-5556677-8021", "", "", 1, "", "", "ludao"),
    ("CRM9384617", "宁波东海五金有限公司", "", "", "", "", 1, "", "KH-0013", "donghai"),
    ("CRM9384618", "西安秦川汽车配建有限公司", "", "029-88889900", "", "西安市雁塔区科技路48号", 1, "", "", "qinchuan"),
    ("CRM9384619", "重庆山城机电有限公司(重庆)", "", "", "", "", 1, "91500000MA5U6N7P8J", "", "shancheng"),
    ("CRM9384620", "深圳华信物业管理有限公司", "13724681357", "0755-86001234", "zhao@huaxin-tech.cn", "深圳市福田区深南大道6008号", 1, "91440300MA5G1H2J3K", "", "huaxin_wuye"),
    ("CRM9384621", "北京华信科技有限公司", "13501234567", "010-82345678", "", "北京市朝阳区建国路88号", 1, "91110105MA00K1L2MX", "", "bj_huaxin"),
    ("CRM9384622", "上海浦江物流有限公司", "13611112222", "021-58341270", "", "上海市浦东新区张江路88号", 1, "91310115MA1K9Q8R73", "", "pujiang_wl"),
    ("CRM9384623", "合肥新锐广告有限公司", "13912345678", "", "li@xinrui-ad.cn", "合肥市蜀山区长江西路200号", 1, "", "", "xinrui"),
    ("CRM9384624", "合肥新锐广告有限公司-停用", "+86 139 1234 5678", "", "li@xinrui-ad.cn", "合肥市蜀山区长江西路200号", 1, "", "", "xinrui"),
    ("CRM9384625", "郑州中原农业科技有限公司", "13703711234", "", "", "郑州市金水区农业路12号", 1, "", "", "zhongyuan"),
    ("CRM9384626", "长沙麓山教育咨询有限公司", "13807311234", "", "", "长沙市岳麓区麓山南路1号", 1, "", "", "lushan"),
]  # fmt: skip
ERP_COMPANY = {
    "CUST0001": "huaxin", "CUST0002": "zhongke", "CUST0003": "pujiang", "CUST0004": "bohai",
    "CUST0005": "yuehai", "CUST0006": "xihu", "CUST0007": "tianfu", "CUST0008": "changjiang",
    "CUST0009": "jinling", "CUST0010": "suzhou", "CUST0011": "hairun", "CUST0012": "ludao",
    "KH-0013": "donghai", "CUST0014": "qinchuan", "CUST0015": "shancheng",
}  # fmt: skip


def write_extract(landing: Path) -> None:
    """The two customer files as the user's systems export them (UTF-8 CSV)."""
    (landing / "crm").mkdir(parents=True)
    (landing / "erp").mkdir(parents=True)
    with (landing / "crm" / "wk_crm_customer.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(CRM_HEADER)
        for index, row in enumerate(CRM_CUSTOMERS):
            record_id, name, mobile, phone, email, address, status, tax, erp_code, _ = row
            created = f"2025-{1 + index % 12:02d}-{1 + index:02d} 09:30:00"
            out.writerow(
                [record_id, name, 1001, 0, "", mobile, phone, email, address, status, created,
                 created, "", "", f"batch-{record_id}", tax, erp_code]
            )  # fmt: skip
    with (landing / "erp" / "customers.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(ERP_HEADER)
        for index, (code, name, tax, region, industry, phone, address) in enumerate(ERP_CUSTOMERS):
            created = f"2024-{1 + index % 12:02d}-15"
            out.writerow(
                [code, name, tax, "企业", region, industry, "张伟", phone, address, "A", created]
            )


@dataclass(frozen=True)
class OwnRun:
    settings: TandemSettings
    summary: dict

    def stage(self, name: str) -> dict:
        return next(s for s in self.summary["stages"] if s["stage"] == name)

    def rows(self, sql: str, serving: bool = True) -> list[tuple]:
        db = self.settings.serving_db if serving else self.settings.build_db
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def own_run(tmp_path_factory: pytest.TempPathFactory) -> OwnRun:
    home = tmp_path_factory.mktemp("own-extracts") / "home"
    settings = TandemSettings(home=home)
    write_extract(settings.landing_dir)
    completed = run_tandem("run", "--json", env={"TANDEM_HOME": str(home)}, timeout=2400)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return OwnRun(settings, json.loads(completed.stdout))


def golden_keys(run: OwnRun) -> dict[tuple[str, str], str]:
    """(system, record id) -> golden customer key, from the published key map."""
    rows = run.rows(
        "select source_system, source_record_id, customer_key "
        "from intermediate.int_identity__customer_key_map",
        serving=False,
    )
    return {(system, record): key for system, record, key in rows}


def test_a_customers_only_extract_builds_and_publishes(own_run: OwnRun) -> None:
    assert own_run.summary["status"] == "success", own_run.summary
    assert all(s["status"] == "success" for s in own_run.summary["stages"]), own_run.summary
    assert own_run.stage("land_extracts")["rows"] == len(CRM_CUSTOMERS) + len(ERP_CUSTOMERS)
    # models without orders or invoices are skipped with their reason, not failed
    assert own_run.stage("ml_revenue_trend")["rows"] == 0
    runs = dict(
        own_run.rows(
            "select model, reason from ml.model_runs where status = 'skipped' "
            "qualify row_number() over (partition by model order by run_at desc) = 1"
        )
    )
    assert runs["revenue_trend"].startswith("no revenue before the as-of date"), runs
    assert {"revenue_trend", "clv", "segments", "churn"} <= set(runs), runs
    # identity results are in the serving file
    customers = own_run.rows("select count(*) from core.dim_customer")[0][0]
    assert 0 < customers < len(CRM_CUSTOMERS) + len(ERP_CUSTOMERS)
    assert own_run.rows("select count(*) from core.fct_identity_links")[0][0] > 0


def test_alphanumeric_crm_ids_flow_through_staging_identity_and_marts(own_run: OwnRun) -> None:
    ids = {row[0] for row in own_run.rows("select customer_id from raw_crm.customers", False)}
    assert ids == {row[0] for row in CRM_CUSTOMERS}
    staged = own_run.rows("select count(*) from staging.stg_crm__customers", False)[0][0]
    assert staged == len(CRM_CUSTOMERS)
    keys = golden_keys(own_run)
    assert {record for system, record in keys if system == "crm"} == ids
    # a golden customer without an ERP record is keyed on its lowest CRM id, as typed
    assert keys[("crm", "CRM9384623")] == keys[("crm", "CRM9384624")] == "C-CRM9384623"
    listed = own_run.rows(
        "select crm_record_keys from core.dim_customer where customer_key = 'C-CRM9384623'"
    )
    assert set(listed[0][0].split(",")) == {"crm:CRM9384623", "crm:CRM9384624"}


def test_flat_tax_number_and_erp_code_columns_link(own_run: OwnRun) -> None:
    by_pair = {
        frozenset({left, right}): rule
        for left, right, rule in own_run.rows(
            "select left_system || ':' || left_record_id, right_system || ':' || right_record_id, "
            "link_rule from core.fct_identity_links"
        )
    }
    # the ERP-code column (lower case typed is fine) and the tax-number column decide alone
    assert by_pair[frozenset({"crm:CRM9384603", "erp:CUST0002"})] == "erp_code"
    assert by_pair[frozenset({"crm:CRM9384609", "erp:CUST0006"})] == "erp_code"
    assert by_pair[frozenset({"crm:CRM9384606", "erp:CUST0004"})] == "tax_id"
    assert by_pair[frozenset({"crm:CRM9384619", "erp:CUST0015"})] == "tax_id"


def test_no_look_alike_is_merged_and_most_variants_are_linked(own_run: OwnRun) -> None:
    keys = golden_keys(own_run)
    truth = {("crm", row[0]): row[-1] for row in CRM_CUSTOMERS}
    truth.update({("erp", code): company for code, company in ERP_COMPANY.items()})
    assert set(keys) == set(truth)
    false_merges, found, missed = [], [], []
    for a, b in combinations(sorted(truth), 2):
        same_key, same_company = keys[a] == keys[b], truth[a] == truth[b]
        if same_key and not same_company:
            false_merges.append((a, b))
        elif same_company:
            (found if same_key else missed).append((a, b))
    # the branch, the sister company, the same brand elsewhere, the shared switchboard
    assert false_merges == []
    # 22 true pairs. Measured 15: a sample this small and this dense in duplicates makes every
    # name look common (term frequencies of 2-3 in 41 records), so an exact name plus a shared
    # phone alone stays below 0.99 (0.96); see docs/IDENTITY.md, "What remains hard"
    assert len(found) + len(missed) == 22
    assert len(found) >= 15, missed


def test_a_branch_with_the_parents_erp_code_is_listed_not_merged(own_run: OwnRun) -> None:
    conflicts = own_run.rows(
        "select crm_customer_id, erp_customer_code from core.fct_identity_conflicts"
    )
    assert conflicts == [("CRM9384612", "CUST0009")]


def test_a_failed_quality_rule_names_rule_column_and_rows(own_run: OwnRun) -> None:
    # the shipped contract keeps ^CUST\d+$; the user's KH-0013 breaks it: a warning that names
    # the rule, where it comes from, the column and the row, and the run still publishes
    problems = own_run.stage("raw_quality_gx")["problems"]
    (problem,) = [p for p in problems if "raw_erp/customers" in p]
    assert "expect_column_values_to_match_regex [regex ^CUST\\d+$]" in problem
    assert "(pattern in erp_customers.yml) on column customer_code: 1 unexpected" in problem
    assert "customer_code=KH-0013" in problem
