"""The one label catalogue of the dashboards: every visible string, in English and 简体中文.

Pages never write a label themselves; they call ``t(key)``. A key missing from the catalogue is a
bug the tests catch (``t`` raises), not a silently English page.
"""

from __future__ import annotations

from typing import TypeVar

import streamlit as st

from dashboards.i18n_quality import QUALITY_LABELS
from dashboards.i18n_tools import TOOL_LABELS

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
KEY_LANGUAGE = "lang"

E = TypeVar("E", bound=Exception)

# key: (English, 简体中文)
LABELS: dict[str, tuple[str, str]] = {
    # app and shared pieces
    "app_title": ("Tandem", "Tandem 经营看板"),
    "language": ("Language", "语言"),
    "filters": ("Filters", "筛选"),
    "period_from": ("From month", "起始月份"),
    "period_to": ("To month", "截止月份"),
    "region": ("Region", "地区"),
    "sales_rep": ("Sales rep", "销售代表"),
    "channel": ("Channel", "渠道"),
    "all": ("All", "全部"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "chart_data": ("The chart's figures as a table", "图表数据（表格）"),
    "rows_shown": (
        "Showing the first {shown} of {total} rows; the CSV has them all.",
        "显示前 {shown} 行，共 {total} 行；CSV 包含全部数据。",
    ),
    "vs_previous": ("Previous period: {value}", "上一期：{value}"),
    "page_failed": (
        "This page could not be drawn ({error}). The operator's log has the details; "
        "try again after the next `tandem run`.",
        "页面无法显示（{error}）。详情见运维日志；请在下次 `tandem run` 后重试。",
    ),
    "no_rows_filter": (
        "Nothing matches the filters: widen the period or clear region, sales rep or channel.",
        "没有符合筛选条件的数据：请扩大期间，或清除地区、销售代表、渠道筛选。",
    ),
    "no_rows_warehouse": (
        "The warehouse has no rows for this yet: land ERP and CRM extracts and run `tandem run`.",
        "数据仓库中还没有这部分数据：请导入 ERP 和 CRM 数据后运行 `tandem run`。",
    ),
    "model_missing": (
        "{model} has not run yet: the published build has no {tables}.",
        "{model}尚未运行：当前发布的数据中没有 {tables}。",
    ),
    "model_howto": (
        "What to do: run `tandem run` (it trains and scores every model, then publishes); "
        "a model that lacks data records why in `ml.model_runs`.",
        "处理方法：运行 `tandem run`（训练并评分所有模型后发布）；数据不足的模型会在 "
        "`ml.model_runs` 中记录原因。",
    ),
    "model_never_ran": (
        "The model run log has no run of this model.",
        "模型运行日志中没有该模型的记录。",
    ),
    "model_last_run": (
        "Last run: {status} on {as_of} — {reason}",
        "最近一次运行：{status}（{as_of}）— {reason}",
    ),
    "source": ("Source: {tables}", "数据来源：{tables}"),
    "as_of": ("As of {date}", "截至 {date}"),
    "month": ("Month", "月份"),
    "customer": ("Customer", "客户"),
    "customer_code": ("Customer key", "客户编号"),
    "product": ("Product", "产品"),
    "amount": ("Amount (¥)", "金额（元）"),
    "count": ("Count", "数量"),
    "days": ("Days", "天数"),
    "owner": ("Owner", "负责人"),
    # pages
    "page.overview": ("Overview", "总览"),
    "page.finance": ("Finance", "财务"),
    "page.sales": ("Sales", "销售"),
    "page.customer_360": ("Customer 360", "客户 360"),
    "page.churn": ("Churn watchlist", "流失预警"),
    "page.channel_roi": ("Channel ROI", "渠道投资回报"),
    "page.segments": ("Segments", "客户分群"),
    "page.data_quality": ("Data quality", "数据质量"),
    "page.workbench": ("SQL workbench", "SQL 工作台"),
    "page.segment_builder": ("Segment builder", "分群导出"),
    # models
    "model.churn": ("The churn model", "流失模型"),
    "model.clv": ("The CLV model", "客户终身价值模型"),
    "model.clusters": ("The customer clustering", "客户聚类"),
    "model.segment_history": ("The segment history", "分群历史"),
    "model.channel_roi": ("The channel ROI model", "渠道投资回报模型"),
    "model.rfm": ("RFM", "RFM 模型"),
    # overview
    "kpi.net_revenue": ("Net revenue", "净收入"),
    "kpi.gross_margin_pct": ("Gross margin %", "毛利率"),
    "kpi.new_customers": ("New customers", "新客户"),
    "kpi.lost_customers": ("Lost customers", "流失客户"),
    "kpi.ar_overdue": ("AR overdue", "逾期应收"),
    "kpi.dso": ("DSO", "应收账款周转天数"),
    "kpi.weighted_pipeline": ("Weighted pipeline", "加权商机金额"),
    "kpi.silo_alerts": ("Silo alerts", "系统断点预警"),
    "overview.trend": ("Net revenue and gross margin by month", "每月净收入与毛利"),
    "overview.top_churn": ("Top churn risks by value at risk", "按风险价值排序的流失风险客户"),
    "overview.lost_rule": (
        "Lost: bought in the previous period, not in this one. New: first order in this period.",
        "流失：上一期有购买而本期没有。新客户：首单在本期。",
    ),
    "net_revenue": ("Net revenue (¥)", "净收入（元）"),
    "gross_margin": ("Gross margin (¥)", "毛利（元）"),
    "gross_margin_pct": ("Gross margin %", "毛利率"),
    "cost": ("Cost (¥)", "成本（元）"),
    "invoices": ("Invoices", "发票数"),
    "customers": ("Customers", "客户数"),
    # finance
    "finance.tab_revenue": ("Revenue and margin", "收入与毛利"),
    "finance.tab_receivables": ("Receivables", "应收账款"),
    "finance.tab_ledger": ("DSO and P&L", "周转天数与损益"),
    "finance.breakdown": ("Break down by", "细分维度"),
    "finance.by_month": ("Revenue and margin by month", "每月收入与毛利"),
    "finance.by_product": ("By product", "按产品"),
    "finance.by_region": ("By region", "按地区"),
    "finance.by_customer": ("By customer", "按客户"),
    "finance.aging": ("Receivables aging", "应收账款账龄"),
    "finance.aging_drill": ("Open invoices of a customer", "客户未结发票"),
    "finance.aging_drill_top": (
        "Choose among the {count} customers with the most overdue (the CSV above lists all).",
        "可在逾期金额最高的 {count} 位客户中选择（上方 CSV 包含全部客户）。",
    ),
    "finance.dso_trend": ("DSO by month", "每月应收账款周转天数"),
    "finance.pnl": ("P&L: general ledger against invoices", "损益：总账与发票核对"),
    "finance.pnl_unreconciled": (
        "{count} month(s) where the ledger and the invoices disagree.",
        "{count} 个月总账与发票不一致。",
    ),
    "finance.pnl_reconciled": ("Ledger and invoices agree in every month.", "每月总账与发票一致。"),
    "aging.not_due": ("Not due", "未到期"),
    "aging.0_30": ("1–30 days", "逾期 1–30 天"),
    "aging.31_60": ("31–60 days", "逾期 31–60 天"),
    "aging.61_90": ("61–90 days", "逾期 61–90 天"),
    "aging.over_90": ("Over 90 days", "逾期 90 天以上"),
    "open_amount": ("Open (¥)", "未收金额（元）"),
    "past_due_amount": ("Past due (¥)", "逾期金额（元）"),
    "days_past_due": ("Days past due", "逾期天数"),
    "invoice": ("Invoice", "发票"),
    "invoice_date": ("Invoice date", "开票日期"),
    "due_date": ("Due date", "到期日"),
    "dso_days": ("DSO (days)", "周转天数"),
    "gl_revenue": ("GL revenue (¥)", "总账收入（元）"),
    "invoice_revenue": ("Invoiced revenue (¥)", "发票收入（元）"),
    "difference": ("Difference (¥)", "差额（元）"),
    "reconciled": ("Reconciled", "已核对"),
    # sales
    "sales.tab_funnel": ("Funnel and stages", "漏斗与阶段"),
    "sales.tab_pipeline": ("Win rates and pipeline", "赢单率与商机"),
    "sales.tab_silo": ("Silo alerts", "断点预警"),
    "sales.funnel": ("Funnel", "销售漏斗"),
    "sales.stages": ("Stage conversion and time in stage", "阶段转化与停留时间"),
    "sales.stuck": ("Stuck opportunities", "停滞商机"),
    "sales.by_stage": ("By stage", "按阶段"),
    "sales.win_by": ("Win rate by", "赢单率维度"),
    "sales.win_rep": ("Win rate by sales rep", "按销售代表的赢单率"),
    "sales.win_channel": ("Win rate by channel", "按渠道的赢单率"),
    "sales.pipeline": ("Weighted pipeline by stage", "按阶段的加权商机"),
    "sales.silo": ("Order-to-cash silo alerts", "订单到收款断点预警"),
    "sales.silo_crm": (
        "Won in the CRM, no ERP order: {count} contracts, {amount}",
        "CRM 已签约但 ERP 无订单：{count} 份合同，{amount}",
    ),
    "sales.silo_erp": (
        "ERP orders without a CRM contract: {count} orders, {amount}",
        "ERP 订单无 CRM 合同：{count} 笔订单，{amount}",
    ),
    "step": ("Step", "环节"),
    "stage": ("Stage", "阶段"),
    "reached": ("Reached", "到达数"),
    "conversion": ("Conversion", "转化率"),
    "median_days": ("Median days", "中位天数"),
    "win_rate": ("Win rate", "赢单率"),
    "won": ("Won", "赢单"),
    "lost": ("Lost", "输单"),
    "open": ("Open", "进行中"),
    "weighted_amount": ("Weighted (¥)", "加权金额（元）"),
    "age_days": ("Age (days)", "已过天数"),
    "alert_type": ("Alert", "预警类型"),
    "document": ("Document", "单据"),
    "detail": ("Detail", "说明"),
    "opportunity": ("Opportunity", "商机"),
    "days_since_change": ("Days since last change", "距上次变更天数"),
    # customer 360
    "c360.search": (
        "Search by name, customer code, tax id or phone",
        "按名称、客户编码、税号或电话搜索",
    ),
    "c360.pick": ("Customer", "客户"),
    "c360.hint": (
        "Type part of a name (with or without 有限公司), a code, a tax id or a phone number.",
        "输入名称的一部分（可省略“有限公司”）、客户编码、税号或电话。",
    ),
    "c360.no_match": (
        "No customer matches “{text}”: try fewer characters or another field.",
        "没有客户匹配“{text}”：请减少字数或换一个字段搜索。",
    ),
    "c360.profile": ("Profile", "基本信息"),
    "c360.timeline": ("Timeline", "时间线"),
    "c360.merged": ("Merged records and evidence", "合并记录与依据"),
    "c360.scores": ("Segment, churn risk and value", "分群、流失风险与价值"),
    "c360.lifetime_revenue": ("Lifetime net revenue", "累计净收入"),
    "c360.t12m_revenue": ("Last 12 months", "近 12 个月收入"),
    "c360.receivables": ("Receivables outstanding", "应收余额"),
    "c360.last_order": ("Last order", "最近订单"),
    "c360.rfm_segment": ("RFM segment", "RFM 分群"),
    "c360.churn": ("Churn probability", "流失概率"),
    "c360.clv": ("CLV 12 months (¥)", "未来 12 个月客户价值"),
    "event.order": ("Order", "订单"),
    "event.invoice": ("Invoice", "发票"),
    "event.receipt": ("Receipt", "收款"),
    "event.followup": ("Follow-up", "跟进"),
    "event.ticket": ("Ticket", "工单"),
    "event.stage_change": ("Stage change", "阶段变更"),
    "event": ("Event", "事件"),
    "date": ("Date", "日期"),
    "evidence": ("Evidence", "依据"),
    # churn
    "churn.value_at_risk": ("Value at risk (¥)", "风险价值（元）"),
    "churn.probability": ("Churn probability", "流失概率"),
    "churn.reasons": ("Reasons", "原因"),
    "churn.last_contact": ("Last contact", "最近联系"),
    "churn.band": ("Risk band", "风险等级"),
    "churn.total_at_risk": ("Value at risk, all listed", "列表风险价值合计"),
    "churn.customers": ("Customers on the list", "列表客户数"),
    # channel roi
    "roi.tab_attribution": ("Spend and attribution", "投放与归因"),
    "roi.tab_mmm": ("Media-mix ROI and curves", "媒体组合回报与曲线"),
    "roi.tab_budget": ("Suggested budget", "建议预算"),
    "roi.attribution": ("Attribution models side by side", "归因模型对比"),
    "roi.mmm": ("Media-mix ROI with intervals", "媒体组合模型投资回报（含区间）"),
    "roi.curves": ("Response curves", "响应曲线"),
    "roi.budget": ("Suggested budget", "建议预算"),
    "roi.spend": ("Spend by channel in the period", "期间各渠道投放"),
    "attr.first_touch": ("First touch", "首次触点"),
    "attr.last_touch": ("Last touch", "末次触点"),
    "attr.linear": ("Linear", "线性"),
    "attr.time_decay": ("Time decay", "时间衰减"),
    "attr.position_based": ("Position based", "位置加权"),
    "attr.markov": ("Markov", "马尔可夫"),
    "attr.shapley": ("Shapley", "沙普利"),
    "roi.attribution_note": (
        "ROI = attributed gross margin per yuan of spend in the chosen months, one column per "
        "attribution model; channels without spend (organic, referral) have conversions but no "
        "ROI.",
        "投资回报 = 所选月份内归因毛利 ÷ 投放金额，每列一个归因模型；无投放的渠道（自然流量、"
        "转介绍）只有转化，没有投资回报。",
    ),
    "roi.roi_by_model": ("ROI by attribution model", "各归因模型的投资回报"),
    "roi.conversions_by_model": (
        "Attributed conversions by model",
        "各归因模型的归因转化数",
    ),
    "roi.mmm_note": (
        "Incremental gross margin per yuan of spend, with its 90% bootstrap interval, over the "
        "model's whole window up to {as_of}; the period filter does not apply.",
        "每元投放带来的增量毛利及其 90% 自助法区间，覆盖截至 {as_of} 的整个建模窗口；不受期间"
        "筛选影响。",
    ),
    "roi.mmm_empty": (
        "The media-mix model fitted no channel in this build, so there is no MMM ROI, response "
        "curve or budget plan.",
        "本次构建中媒体组合模型未拟合任何渠道，因此没有媒体组合模型投资回报、响应曲线和预算方案。",
    ),
    "roi.curves_note": (
        "Expected gross margin at each level of spend, from none to twice today's, with its 90% "
        "interval; the dot marks today's spend.",
        "不同投放水平（从零到当前的两倍）下的预期毛利及其 90% 区间；圆点为当前投放。",
    ),
    "roi.budget_note": (
        "The same total spend split so the expected margin is highest (each channel within the "
        "model's bounds); it covers every paid channel whatever the channel filter.",
        "在总投放不变的前提下，使预期毛利最高的分配方案（各渠道不超出模型的调整范围）；方案覆盖所有"
        "付费渠道，不受渠道筛选影响。",
    ),
    "roi.uplift": ("Expected extra margin (¥)", "预期增加毛利（元）"),
    "roi.uplift_interval": ("90% interval: {lower} to {upper}", "90% 区间：{lower} 至 {upper}"),
    "roi.planned_total": ("Suggested total spend", "建议总投放"),
    "roi.total": ("All paid channels", "全部付费渠道"),
    "roi": ("ROI (¥ margin per ¥)", "投资回报（每元毛利）"),
    "roi_lower": ("ROI, low (5%)", "投资回报下限（5%）"),
    "roi_upper": ("ROI, high (95%)", "投资回报上限（95%）"),
    "share_of_spend": ("Share of spend", "投放占比"),
    "conversions": ("Conversions", "转化数"),
    "attribution_model": ("Attribution model", "归因模型"),
    "clicks": ("Clicks", "点击量"),
    "reported_leads": ("Leads the platform reports", "平台报告线索数"),
    "spend_multiplier": ("Spend × today", "投放倍数"),
    "expected_margin": ("Expected margin (¥)", "预期毛利（元）"),
    "margin_lower": ("Margin, low (5%)", "毛利下限（5%）"),
    "margin_upper": ("Margin, high (95%)", "毛利上限（95%）"),
    "marginal_roi": ("Marginal ROI", "边际投资回报"),
    "current_spend": ("Spend today (¥)", "当前投放（元）"),
    "planned_spend": ("Suggested spend (¥)", "建议投放（元）"),
    "change_pct": ("Change %", "变化 %"),
    "expected_margin_current": ("Expected margin today (¥)", "当前预期毛利（元）"),
    "expected_margin_planned": ("Expected margin, suggested (¥)", "建议方案预期毛利（元）"),
    "uplift": ("Extra margin (¥)", "增加毛利（元）"),
    "uplift_lower": ("Extra margin, low (5%)", "增加毛利下限（5%）"),
    "uplift_upper": ("Extra margin, high (95%)", "增加毛利上限（95%）"),
    "spend": ("Spend (¥)", "投放（元）"),
    # segments
    "seg.grid": ("RFM grid", "RFM 矩阵"),
    "seg.sizes": ("Segments by size and value", "各分群规模与价值"),
    "seg.clusters": ("Clusters", "聚类"),
    "seg.migration": ("Migration between two dates", "两个日期之间的分群迁移"),
    "segment": ("Segment", "分群"),
    "monetary": ("Value (¥)", "价值（元）"),
    "recency_score": ("Recency score", "近度得分"),
    "frequency_score": ("Frequency score", "频度得分"),
    "table": ("Table", "表"),
    "rows": ("Rows", "行数"),
    "status": ("Status", "状态"),
    "reason": ("Reason", "原因"),
    "file": ("File", "文件"),
    **QUALITY_LABELS,
    **TOOL_LABELS,
}


def current_language() -> str:
    """The reader's language: their choice (here or on the last page), ``?lang=``, or English."""
    lang = (
        st.session_state.get(KEY_LANGUAGE)
        or st.session_state.get(f"_{KEY_LANGUAGE}")
        or st.query_params.get(KEY_LANGUAGE)
    )
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, default: str | None = None, **values: object) -> str:
    """The label ``key`` in the reader's language, with ``{name}`` fields filled from values."""
    entry = LABELS.get(key)
    if entry is None:
        if default is None:
            raise KeyError(f"label {key!r} is missing from dashboards/i18n.py")
        return default
    text = entry[1] if (lang or current_language()) == "zh" else entry[0]
    return text.format(**values) if values else text


def labelled(error_class: type[E], label_key: str, **values: object) -> E:
    """An error of ``error_class`` saying the label ``label_key``: in English as its ``str``,
    in the reader's language through :func:`error_text`."""
    error = error_class(t(label_key, "en", **values))
    error.label_key, error.label_values = label_key, values  # type: ignore[attr-defined]
    return error


def error_text(error: Exception, lang: str | None = None) -> str:
    """An error's message in the reader's language.

    Errors raised for readers carry ``label_key`` and ``label_values`` (their ``str`` is the
    English text, for logs and tests); any other error is shown as it is.
    """
    key = getattr(error, "label_key", None)
    if key is None:
        return str(error)
    return t(key, lang, **getattr(error, "label_values", {}))
