-- Invoices are issued per order and VAT rate, without products. Revenue by product spreads
-- every invoice line over the lines of its sales order with the same VAT rate: net, VAT and
-- gross in proportion to the order lines' net amounts, cost in proportion to their standard
-- cost. Amounts are rounded to the fen and the last order line takes the rounding remainder,
-- so the allocations of an invoice line add up to it exactly (an invoice equals its order's
-- lines; a credit note for part of an order is spread pro rata).

with

invoice_lines as (

    select * from {{ ref('int_finance__invoice_lines') }}

),

order_lines as (

    select
        order_id,
        tax_rate_pct,
        order_line_id,
        product_code,
        net_amount,
        standard_cost_amount,
        sum(net_amount) over (partition by order_id, tax_rate_pct) as order_net_amount,
        sum(standard_cost_amount) over (partition by order_id, tax_rate_pct)
            as order_cost_amount,
        count(*) over (partition by order_id, tax_rate_pct) as order_line_count,
        row_number() over (
            partition by order_id, tax_rate_pct order by line_no desc
        ) as reverse_line_rank
    from {{ ref('int_order_to_cash__order_lines') }}

),

weighted as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoice_lines.invoice_month,
        invoice_lines.erp_customer_code,
        invoice_lines.is_approved,
        invoice_lines.net_amount,
        invoice_lines.tax_amount,
        invoice_lines.gross_amount,
        invoice_lines.cost_amount,
        order_lines.order_line_id,
        order_lines.product_code,
        coalesce(order_lines.reverse_line_rank, 1) as reverse_line_rank,
        -- each share is amount * part / whole, divided exactly (money_share): a weight
        -- computed first would be a double on DuckDB and land a cent away from PostgreSQL
        case
            when order_lines.order_line_id is null then 1
            when order_lines.order_net_amount <> 0 then order_lines.net_amount
            else 1
        end as net_part,
        case
            when order_lines.order_line_id is null then 1
            when order_lines.order_net_amount <> 0 then order_lines.order_net_amount
            else order_lines.order_line_count
        end as net_whole,
        case
            when order_lines.order_line_id is null then 1
            when order_lines.order_cost_amount <> 0 then order_lines.standard_cost_amount
            when order_lines.order_net_amount <> 0 then order_lines.net_amount
            else 1
        end as cost_part,
        case
            when order_lines.order_line_id is null then 1
            when order_lines.order_cost_amount <> 0 then order_lines.order_cost_amount
            when order_lines.order_net_amount <> 0 then order_lines.order_net_amount
            else order_lines.order_line_count
        end as cost_whole
    from invoice_lines
    left join order_lines
        on
            invoice_lines.source_order_id = order_lines.order_id
            and invoice_lines.tax_rate_pct = order_lines.tax_rate_pct

),

rounded as (

    select
        *,
        {{ money_share('net_amount', 'net_part', 'net_whole') }} as net_share,
        {{ money_share('tax_amount', 'net_part', 'net_whole') }} as tax_share,
        {{ money_share('gross_amount', 'net_part', 'net_whole') }} as gross_share,
        {{ money_share('cost_amount', 'cost_part', 'cost_whole') }} as cost_share
    from weighted

),

with_totals as (

    select
        *,
        sum(net_share) over (partition by invoice_line_id) as net_share_total,
        sum(tax_share) over (partition by invoice_line_id) as tax_share_total,
        sum(gross_share) over (partition by invoice_line_id) as gross_share_total,
        sum(cost_share) over (partition by invoice_line_id) as cost_share_total
    from rounded

),

final as (

    select
        invoice_line_id || '|' || coalesce(order_line_id, 'unallocated')
            as invoice_product_line_id,
        invoice_line_id,
        invoice_id,
        invoice_month,
        erp_customer_code,
        is_approved,
        order_line_id,
        product_code,
        cast(
            case
                when reverse_line_rank = 1 then net_share + net_amount - net_share_total
                else net_share
            end as decimal(18, 2)
        ) as net_amount,
        cast(
            case
                when reverse_line_rank = 1 then tax_share + tax_amount - tax_share_total
                else tax_share
            end as decimal(18, 2)
        ) as tax_amount,
        cast(
            case
                when reverse_line_rank = 1 then gross_share + gross_amount - gross_share_total
                else gross_share
            end as decimal(18, 2)
        ) as gross_amount,
        cast(
            case
                when reverse_line_rank = 1 then cost_share + cost_amount - cost_share_total
                else cost_share
            end as decimal(18, 2)
        ) as cost_amount
    from with_totals

)

select * from final
