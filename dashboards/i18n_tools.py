"""The catalogue's labels for the analysts' and marketers' tools and for channel names.

Part of the one catalogue: ``dashboards/i18n.py`` merges these into ``LABELS`` (kept in their
own file only so neither file grows past a readable length). The workbench guard's refusals are
here too: the English text is what the guard raises (and what the tests match), the Chinese text
is what a reader of the Chinese page sees. SQL keywords, schema, table and column names stay as
they are in both languages, because that is what the reader types.
"""

from __future__ import annotations

TOOL_LABELS: dict[str, tuple[str, str]] = {
    # channels (dbt_project/seeds/channels.csv); the Chinese names are those a marketer uses
    "channel.oceanengine": ("Ocean Engine (Douyin ads)", "巨量引擎（抖音广告）"),
    "channel.baidu": ("Baidu search ads", "百度推广"),
    "channel.tencent": ("Tencent ads (WeChat)", "腾讯广告（微信）"),
    "channel.tradeshow": ("Trade shows", "展会"),
    "channel.referral": ("Customer referral", "客户转介绍"),
    "channel.organic": ("Organic", "自然流量"),
    "channel.existing": ("Existing customer", "老客户"),
    "channel.unknown": ("Unknown", "未知"),
    # SQL workbench page
    "wb.intro": (
        "One read-only query at a time (SELECT, WITH ... SELECT, FROM ...).",
        "每次运行一条只读查询（SELECT、WITH ... SELECT、FROM ...）。",
    ),
    "wb.pii_shown": (
        "Phone, mobile and e-mail are shown as stored.",
        "电话、手机和邮箱按原值显示。",
    ),
    "wb.pii_masked": (
        "Phone, mobile and e-mail are masked for your role.",
        "您的角色看到的电话、手机和邮箱已脱敏。",
    ),
    "wb.schema": ("Schema", "数据结构"),
    "wb.schema_pick": ("Schema", "Schema（模式）"),
    "wb.all_schemas": ("all schemas", "全部 schema"),
    "wb.find": ("Find a table or column", "查找表或字段"),
    "wb.no_docs": (
        "No dbt docs yet: run `tandem docs` (or `make manifest`).",
        "还没有 dbt 文档：请运行 `tandem docs`（或 `make manifest`）。",
    ),
    "wb.no_description": ("(no description)", "（无说明）"),
    "wb.column": ("column", "字段"),
    "wb.type": ("type", "类型"),
    "wb.description": ("description", "说明"),
    "wb.tests": ("tests", "测试"),
    "wb.table_tests": ("Table tests: {tests}", "表级测试：{tests}"),
    "wb.sql": ("SQL", "SQL 语句"),
    "wb.row_limit": ("Row limit", "行数上限"),
    "wb.timeout": ("Timeout (s)", "超时（秒）"),
    "wb.run": ("Run", "运行"),
    "wb.query_error": ("DuckDB: {error}", "DuckDB 报错：{error}"),
    "wb.rows_in": ("{rows} rows in {seconds} s", "{rows} 行，用时 {seconds} 秒"),
    "wb.rows_cut_in": (
        "{rows} rows (cut at the row limit) in {seconds} s",
        "{rows} 行（已按行数上限截断），用时 {seconds} 秒",
    ),
    "wb.recent": ("Your recent queries", "我的最近查询"),
    "wb.nothing_run": ("Nothing run yet.", "还没有运行过查询。"),
    "wb.ran_at": ("ran_at", "运行时间"),
    "wb.status": ("status", "状态"),
    "wb.row_count": ("row_count", "行数"),
    "wb.seconds": ("seconds", "耗时（秒）"),
    "wb.message": ("message", "信息"),
    "wb.no_warehouse": (
        "no published warehouse at {path}: run `tandem run` (or `make demo`) first",
        "{path} 还没有已发布的数据仓库：请先运行 `tandem run`（或 `make demo`）",
    ),
    "wb.timed_out": (
        "The query ran longer than {seconds} s and was stopped: filter or aggregate earlier, "
        "or ask for fewer rows.",
        "查询运行超过 {seconds} 秒，已被终止：请更早筛选或汇总，或减少返回行数。",
    ),
    # the workbench guard's refusals; each is followed by guard.allowed
    "guard.allowed": (
        "The workbench runs one read-only query at a time: SELECT, WITH ... SELECT, FROM ..., "
        "VALUES, or UNION / INTERSECT / EXCEPT of them, over the warehouse's tables.",
        "工作台每次只运行一条只读查询：SELECT、WITH ... SELECT、FROM ...、VALUES，或它们的 "
        "UNION / INTERSECT / EXCEPT 组合，且只能查询数据仓库中的表。",
    ),
    "guard.files": (
        "Reading or writing files is not allowed: query the warehouse's tables (schema.table).",
        "不允许读写文件：请查询数据仓库中的表（schema.table）。",
    ),
    "guard.copy": (
        "Reading or writing files (COPY, EXPORT) is not allowed.",
        "不允许读写文件（COPY、EXPORT）。",
    ),
    "guard.import": (
        "Reading or writing files (COPY, EXPORT, IMPORT) is not allowed.",
        "不允许读写文件（COPY、EXPORT、IMPORT）。",
    ),
    "guard.attach": (
        "Attaching or switching databases is not allowed.",
        "不允许挂载或切换数据库。",
    ),
    "guard.extensions": (
        "Installing or loading extensions is not allowed.",
        "不允许安装或加载扩展。",
    ),
    "guard.settings": (
        "Changing settings (SET, RESET, PRAGMA) is not allowed.",
        "不允许修改设置（SET、RESET、PRAGMA）。",
    ),
    "guard.ddl": (
        "Creating, changing or dropping tables, views or other objects is not allowed.",
        "不允许创建、修改或删除表、视图等对象。",
    ),
    "guard.dml": (
        "Changing data (INSERT, UPDATE, DELETE, MERGE) is not allowed.",
        "不允许修改数据（INSERT、UPDATE、DELETE、MERGE）。",
    ),
    "guard.transaction": (
        "Transactions are not allowed: every query runs on its own read-only snapshot.",
        "不允许使用事务：每条查询都在各自的只读快照上运行。",
    ),
    "guard.call": (
        "Calling table functions with CALL is not allowed; select from them instead.",
        "不允许用 CALL 调用表函数；请改用 SELECT 从中查询。",
    ),
    "guard.maintenance": (
        "Maintenance statements (VACUUM, CHECKPOINT) are not allowed.",
        "不允许执行维护语句（VACUUM、CHECKPOINT）。",
    ),
    "guard.statement_kind": ("{kind} statements are not allowed.", "不允许执行 {kind} 语句。"),
    "guard.string_sql": (
        "Running SQL held in a string (query, query_table) is not allowed: write the query itself.",
        "不允许运行字符串中的 SQL（query、query_table）：请直接写出查询。",
    ),
    "guard.empty": ("There is nothing to run.", "没有可运行的内容。"),
    "guard.only_comments": (
        "There is nothing to run (only comments).",
        "没有可运行的内容（只有注释）。",
    ),
    "guard.many": (
        "Only one statement at a time: this text holds {count}.",
        "每次只能运行一条语句：这段文本包含 {count} 条。",
    ),
    "guard.unparsed": (
        "The statement could not be parsed ({error}).",
        "无法解析该语句（{error}）。",
    ),
    "guard.duckdb_unparsed": (
        "DuckDB could not parse the statement ({error}).",
        "DuckDB 无法解析该语句（{error}）。",
    ),
    "guard.duckdb_kinds": (
        "DuckDB reads this as {kinds}, not one query.",
        "DuckDB 将其识别为 {kinds}，而不是一条查询。",
    ),
    "guard.read_only": ("The warehouse is read-only here.", "此处的数据仓库是只读的。"),
    # segment builder page
    "sb.start_from": ("Start from a saved segment", "从已保存的分群开始"),
    "sb.new": ("(new)", "（新建）"),
    "sb.name": ("Name", "名称"),
    "sb.description": ("Description", "描述"),
    "sb.not_available": ("not available yet", "暂不可用"),
    "sb.cond.rfm_segment": ("RFM segment", "RFM 分群"),
    "sb.cond.cluster": ("Cluster", "客户聚类"),
    "sb.cond.churn_band": ("Churn risk band", "流失风险等级"),
    "sb.cond.clv_band": ("CLV band", "客户终身价值等级"),
    "sb.cond.acquisition_channel": ("Acquisition channel", "获客渠道"),
    "sb.cond.region": ("Region", "地区"),
    "sb.cond.industry": ("Industry", "行业"),
    "sb.cond.owner": ("Owner", "负责人"),
    "sb.cond.consent": ("Customer consent status", "客户授权状态"),
    "sb.recency": ("Days since last order at most (0: any)", "距最近下单不超过天数（0：不限）"),
    "sb.spend": (
        "Lifetime net revenue at least, yuan (0: any)",
        "累计净收入至少（元，0：不限）",
    ),
    "sb.customers": ("Customers", "客户数"),
    "sb.revenue": ("Lifetime net revenue (yuan)", "累计净收入（元）"),
    "sb.contacts": ("Consented contacts to export", "可导出的已授权联系人"),
    "sb.definition": ("Definition (YAML)", "分群定义（YAML）"),
    "sb.save": ("Save segment", "保存分群"),
    "sb.saved": ("saved {name} as version {version}", "已保存 {name}，版本 {version}"),
    "sb.format": ("Export format", "导出格式"),
    "sb.export": ("Export consented contacts", "导出已授权联系人"),
    "sb.exported": ("{rows} contacts, sha256 {digest}...", "{rows} 位联系人，sha256 {digest}..."),
    "sb.download": ("Download {file}", "下载 {file}"),
    "sb.export_log": ("Export log", "导出记录"),
    # the export log's columns: in English as the application store names them
    "sb.log.id": ("id", "序号"),
    "sb.log.username": ("username", "用户"),
    "sb.log.exported_at": ("exported_at", "导出时间（UTC）"),
    "sb.log.segment_name": ("segment_name", "分群名称"),
    "sb.log.segment_version": ("segment_version", "分群版本"),
    "sb.log.format": ("format", "格式"),
    "sb.log.row_count": ("row_count", "联系人数"),
    "sb.log.file_sha256": ("file_sha256", "文件 sha256"),
    "sb.log.file_name": ("file_name", "文件名"),
    "sb.no_warehouse": (
        "no published warehouse at {path}: run `tandem run` (or `make demo`) first",
        "{path} 还没有已发布的数据仓库：请先运行 `tandem run`（或 `make demo`）",
    ),
    "sb.no_customers": (
        "no customers are built yet (customer.rpt_customer_360 is missing): land the CRM and ERP"
        " extracts and run `tandem run`",
        "还没有构建客户数据（缺少 customer.rpt_customer_360）：请导入 CRM 和 ERP 数据后运行"
        " `tandem run`",
    ),
    "sb.bad_name": (
        "name {name}: use 1-63 lower-case letters, digits, '-' or '_' (e.g. vip-north)",
        "名称 {name}：请使用 1–63 个小写字母、数字、“-”或“_”（例如 vip-north）",
    ),
    "sb.not_built": (
        "{table} is not available yet in this warehouse: its model has not been built, so "
        "conditions on it cannot be used",
        "当前数据仓库中还没有 {table}：其模型尚未构建，因此不能使用基于它的条件",
    ),
}
