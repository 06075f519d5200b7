"""Customer journeys from the marts, and what each attribution model gives every channel.

A journey is one golden customer's ordered touches up to its first won deal (or first approved
ERP invoice, when the deal's contract never reached the CRM): its leads (客户来源 channel and
UTM source, the ad campaign estimated from the channel's spend that day, the trade show), then
the sales activities before the win. Its value is the net revenue and gross margin of the
customer's approved ERP invoices (credit notes netted in) up to the as-of date. A lead that never
became a customer is a journey of one touch that did not convert.

Attribution splits each converted journey's conversion, revenue and margin over its marketing
touches (leads): rule-based per journey (``touch_weights``), data-driven over the path rows of
the conversion month (``markov_attribution``, ``shapley_attribution``). Spend comes from
``core.fct_marketing_spend`` (yuan: the platforms' fen and column names are settled there).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

from models_ml.attribution import (
    HEURISTIC_MODELS,
    TIME_DECAY_HALF_LIFE_DAYS,
    PathRow,
    markov_attribution,
    shapley_attribution,
)

MODEL_VERSION = "channel-roi-1"
DATA_DRIVEN_MODELS = ("markov", "shapley")
ATTRIBUTION_MODELS = (*HEURISTIC_MODELS, *DATA_DRIVEN_MODELS)

TOUCHES_SQL = """
with
leads as (
    select lead_id, channel, utm_source, created_at, lead_date, customer_key
    from core.fct_leads
    where lead_date <= $as_of
),
won as (
    select customer_key, min(deal_date) as won_date
    from core.fct_opportunities
    where is_won and customer_key is not null and deal_date <= $as_of
    group by customer_key
),
invoiced as (
    select
        customer_key,
        min(invoice_date) as first_invoice_date,
        sum(net_amount) as net_revenue,
        sum(gross_margin_amount) as gross_margin
    from core.fct_invoice_lines
    where is_approved and customer_key is not null and invoice_date <= $as_of
    group by customer_key
),
customers as (
    select
        customer_key,
        min(lead_date) as first_lead_date,
        min(created_at) as first_lead_at
    from leads
    where customer_key is not null
    group by customer_key
),
journeys as (
    select
        customers.customer_key as journey_id,
        customers.customer_key,
        customers.first_lead_at,
        least(won.won_date, invoiced.first_invoice_date) as converted_date,
        coalesce(invoiced.net_revenue, 0) as net_revenue,
        coalesce(invoiced.gross_margin, 0) as gross_margin
    from customers
    left join won using (customer_key)
    left join invoiced using (customer_key)
)
select
    coalesce(journeys.journey_id, 'lead-' || leads.lead_id) as journey_id,
    leads.customer_key,
    leads.lead_id,
    'lead' as touch_kind,
    leads.channel,
    leads.utm_source,
    leads.created_at as touched_at,
    leads.lead_date as touch_date,
    journeys.converted_date,
    coalesce(journeys.net_revenue, 0)::double as net_revenue,
    coalesce(journeys.gross_margin, 0)::double as gross_margin
from leads
left join journeys using (customer_key)
-- a customer's leads after its first win are not part of how it was won
where journeys.converted_date is null or leads.lead_date <= journeys.converted_date
union all
select
    journeys.journey_id,
    journeys.customer_key,
    null::bigint as lead_id,
    'activity' as touch_kind,
    null as channel,
    activities.activity_kind_name as utm_source,
    activities.created_at as touched_at,
    activities.activity_date as touch_date,
    journeys.converted_date,
    journeys.net_revenue::double,
    journeys.gross_margin::double
from core.fct_activities as activities
inner join journeys using (customer_key)
where activities.activity_date between cast(journeys.first_lead_at as date)
    and coalesce(journeys.converted_date, $as_of)
"""

# Each lead's ad campaign is not in the CRM: it gets the channel's campaigns in proportion to
# their spend on the latest day the channel spent on or before the lead (the show for a trade
# show lead).
CAMPAIGN_SHARES_SQL = """
with
spend as (
    select channel, spend_date, campaign_id, campaign_name, sum(spend_yuan)::double as spend
    from core.fct_marketing_spend
    where spend_date <= $as_of and spend_yuan > 0
    group by all
),
days as (select distinct channel, spend_date from spend),
leads as (
    select lead_id, channel, lead_date from core.fct_leads where lead_date <= $as_of
),
lead_day as (
    select leads.lead_id, leads.channel, days.spend_date
    from leads asof inner join days
        on leads.channel = days.channel and leads.lead_date >= days.spend_date
)
select
    lead_day.lead_id,
    spend.campaign_id,
    any_value(spend.campaign_name) as campaign_name,
    sum(spend.spend) / sum(sum(spend.spend)) over (partition by lead_day.lead_id) as share
from lead_day
inner join spend using (channel, spend_date)
group by lead_day.lead_id, spend.campaign_id
"""

SPEND_SQL = """
select
    channel,
    campaign_id,
    any_value(campaign_name) as campaign_name,
    date_trunc('month', spend_date)::date as month,
    sum(spend_yuan)::double as spend
from core.fct_marketing_spend
where spend_date <= $as_of
group by all
"""


def journey_touches(con, as_of: dt.date) -> pl.DataFrame:
    """Every touch of every journey, in time order, with the journey's conversion and value."""
    touches = con.sql(TOUCHES_SQL, params={"as_of": as_of}).pl()
    return (
        touches.sort(["journey_id", "touched_at", "touch_kind"])
        .with_columns(
            touch_no=pl.int_range(1, pl.len() + 1).over("journey_id"),
            days_before_conversion=(
                pl.col("converted_date") - pl.col("touch_date")
            ).dt.total_days(),
        )
        .with_columns(pl.lit(as_of).alias("as_of_date"))
    )


def journeys(touches: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """One row per journey: its channel path (leads only), conversion and value."""
    leads = touches.filter(pl.col("touch_kind") == "lead")
    months_active = ((pl.lit(as_of) - pl.col("converted_date")).dt.total_days() / 30.4375).clip(
        lower_bound=1.0
    )
    return (
        leads.group_by("journey_id", maintain_order=True)
        .agg(
            pl.col("customer_key").first(),
            pl.col("channel").str.join(" > ").alias("path"),
            pl.len().alias("n_touches"),
            pl.col("channel").first().alias("first_channel"),
            pl.col("channel").last().alias("last_channel"),
            pl.col("touch_date").first().alias("first_touch_date"),
            pl.col("converted_date").first(),
            pl.col("net_revenue").first(),
            pl.col("gross_margin").first(),
        )
        .with_columns(
            is_converted=pl.col("converted_date").is_not_null(),
            conversion_month=pl.col("converted_date").dt.truncate("1mo"),
            margin_per_month=pl.when(pl.col("converted_date").is_not_null())
            .then(pl.col("gross_margin") / months_active)
            .otherwise(0.0),
            as_of_date=pl.lit(as_of),
            model_version=pl.lit(MODEL_VERSION),
        )
    )


def rule_credits(touches: pl.DataFrame) -> pl.DataFrame:
    """Per converted lead touch and rule-based model: the share of its journey it gets.

    The vectorised form of ``touch_weights`` (a test holds the two equal), so a million journeys
    do not loop in Python.
    """
    leads = touches.filter(
        (pl.col("touch_kind") == "lead") & pl.col("converted_date").is_not_null()
    ).with_columns(
        pos=pl.int_range(pl.len()).over("journey_id"),
        n=pl.len().over("journey_id"),
        decay=pl.lit(2.0).pow(
            -pl.col("days_before_conversion").clip(lower_bound=0) / TIME_DECAY_HALF_LIFE_DAYS
        ),
    )
    first, last, n = pl.col("pos") == 0, pl.col("pos") == pl.col("n") - 1, pl.col("n")
    weights = {
        "first_touch": first.cast(pl.Float64),
        "last_touch": last.cast(pl.Float64),
        "linear": 1.0 / n,
        "time_decay": pl.col("decay") / pl.col("decay").sum().over("journey_id"),
        "position_based": pl.when(n == 1)
        .then(1.0)
        .when(n == 2)
        .then(0.5)
        .when(first | last)
        .then(0.4)
        .otherwise(0.2 / (n - 2)),
    }
    return pl.concat(
        [
            leads.with_columns(model=pl.lit(model), weight=expr.cast(pl.Float64))
            for model, expr in weights.items()
        ]
    ).drop("pos", "n", "decay")


def _data_driven(journey_frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Markov and Shapley credits per conversion month; months without conversions skipped."""
    rows, skipped = [], []
    converted = journey_frame.filter(pl.col("is_converted"))
    # a journey that did not convert counts against the month of its last touch
    lost = journey_frame.filter(~pl.col("is_converted")).with_columns(
        conversion_month=pl.col("first_touch_date").dt.truncate("1mo")
    )
    months = sorted(set(journey_frame["first_touch_date"].dt.truncate("1mo").to_list()))
    for month in months:
        won = converted.filter(pl.col("conversion_month") == month)
        if won.is_empty():
            skipped.append(f"{month:%Y-%m}: no conversions")
            continue
        paths: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
        for path, margin, revenue, per_month in won.select(
            "path", "gross_margin", "net_revenue", "margin_per_month"
        ).iter_rows():
            acc = paths[path]
            acc[0] += 1
            acc[1] += margin
            acc[3] += revenue
            acc[4] += per_month
        for (path,) in lost.filter(pl.col("conversion_month") == month).select("path").iter_rows():
            paths[path][2] += 1
        for measure, index in (("gross_margin", 1), ("net_revenue", 3), ("margin_per_month", 4)):
            path_rows = [PathRow(p, a[0], a[index], a[2]) for p, a in paths.items()]
            for model, credit in (
                ("markov", markov_attribution(path_rows)),
                ("shapley", shapley_attribution(path_rows)),
            ):
                for c in credit:
                    rows.append((model, c.channel, month, measure, c.conversions, c.value))
    cells: dict[tuple, dict[str, float]] = defaultdict(dict)
    for model, channel, month, measure, conversions, value in rows:
        cells[(model, channel, month)].update(conversions=conversions, **{measure: value})
    frame = pl.DataFrame(
        [{"model": k[0], "channel": k[1], "month": k[2], **v} for k, v in cells.items()],
        schema={
            "model": pl.String,
            "channel": pl.String,
            "month": pl.Date,
            "conversions": pl.Float64,
            "gross_margin": pl.Float64,
            "net_revenue": pl.Float64,
            "margin_per_month": pl.Float64,
        },
    )
    return frame, skipped


def attribution(
    credits: pl.DataFrame, journey_frame: pl.DataFrame, spend: pl.DataFrame
) -> tuple[pl.DataFrame, list[str]]:
    """Model x channel x month: attributed conversions, revenue, margin and the spend KPIs.

    ``credits`` are the rule-based weights of ``rule_credits``."""
    months_of = journey_frame.select("journey_id", "conversion_month", "margin_per_month")
    rule = (
        credits.join(months_of, on="journey_id")
        .group_by(["model", "channel", pl.col("conversion_month").alias("month")])
        .agg(
            conversions=pl.col("weight").sum(),
            gross_margin=(pl.col("weight") * pl.col("gross_margin")).sum(),
            net_revenue=(pl.col("weight") * pl.col("net_revenue")).sum(),
            margin_per_month=(pl.col("weight") * pl.col("margin_per_month")).sum(),
        )
    )
    data_driven, skipped = _data_driven(journey_frame)
    columns = ["model", "channel", "month", "conversions", "gross_margin", "net_revenue"]
    credited = pl.concat(
        [
            rule.select(*columns, "margin_per_month"),
            data_driven.select(*columns, "margin_per_month"),
        ],
        how="vertical_relaxed",
    )
    return with_kpis(credited, spend, ["channel", "month"]), skipped


def with_kpis(credited: pl.DataFrame, spend: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Join spend on ``keys`` (every model sees every spend row) and add CAC, ROAS, ROI, payback.

    ROI is on gross margin: attributed margin / spend, as the truth defines it. Payback months =
    spend / the attributed customers' gross margin per month since they converted.
    """
    spend_by = spend.group_by(keys).agg(pl.col("spend").sum())
    models = credited.select("model").unique()
    grid = models.join(spend_by, how="cross")
    full = credited.join(grid, on=["model", *keys], how="full", coalesce=True).with_columns(
        pl.col("conversions", "gross_margin", "net_revenue", "margin_per_month").fill_null(0.0),
        pl.col("spend").fill_null(0.0),
    )
    paid = pl.col("spend") > 0

    def ratio(num: str, den: str) -> pl.Expr:
        return pl.when(paid & (pl.col(den) > 0)).then(pl.col(num) / pl.col(den))

    return full.with_columns(
        cac=ratio("spend", "conversions"),
        roas=ratio("net_revenue", "spend"),
        roi=ratio("gross_margin", "spend"),
        payback_months=ratio("spend", "margin_per_month"),
    ).sort(["model", *keys])


def campaign_attribution(
    credits: pl.DataFrame, journey_frame: pl.DataFrame, shares: pl.DataFrame, spend: pl.DataFrame
) -> pl.DataFrame:
    """Rule-based models x channel x campaign x month (each lead split over its campaigns)."""
    with_lead = credits.join(shares, on="lead_id", how="inner")
    months_of = journey_frame.select("journey_id", "conversion_month", "margin_per_month")
    credited = (
        with_lead.join(months_of, on="journey_id")
        .with_columns(w=pl.col("weight") * pl.col("share"))
        .group_by(["model", "channel", "campaign_id", pl.col("conversion_month").alias("month")])
        .agg(
            conversions=pl.col("w").sum(),
            gross_margin=(pl.col("w") * pl.col("gross_margin")).sum(),
            net_revenue=(pl.col("w") * pl.col("net_revenue")).sum(),
            margin_per_month=(pl.col("w") * pl.col("margin_per_month")).sum(),
        )
    )
    return with_kpis(credited, spend, ["channel", "campaign_id", "month"])
