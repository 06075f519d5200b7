with

invoice_lines as (

    select * from {{ ref('stg_erp__sales_invoices') }}

),

customer_keys as (

    select
        source_record_id as erp_customer_code,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'erp'

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

order_line_counts as (

    -- the ERP rounds VAT per order line, so an invoice's VAT may be off by half a fen per line
    select
        order_id,
        tax_rate_pct,
        count(*) as order_line_count
    from {{ ref('stg_erp__sales_orders') }}
    where not is_deleted
    group by order_id, tax_rate_pct

),

signed as (

    -- a credit note reduces revenue whatever sign the export wrote its amounts with
    select
        *,
        case
            when is_credit_note then -abs(net_amount) else net_amount
        end as signed_net_amount,
        case
            when is_credit_note then -abs(tax_amount) else tax_amount
        end as signed_tax_amount,
        case
            when is_credit_note then -abs(gross_amount) else gross_amount
        end as signed_gross_amount,
        case
            when is_credit_note then -abs(cost_amount) else cost_amount
        end as signed_cost_amount
    from invoice_lines

),

final as (

    select
        cast(signed.invoice_line_id as varchar) as invoice_line_id,
        cast(signed.invoice_id as varchar) as invoice_id,
        cast(case when signed.is_credit_note then 'credit_note' else 'invoice' end as varchar)
            as document_type,
        cast(signed.is_credit_note as boolean) as is_credit_note,
        cast(signed.original_invoice_id as varchar) as original_invoice_id,
        -- the receivable this document belongs to: itself, or the invoice a credit note reverses
        cast(
            case
                when signed.is_credit_note then signed.original_invoice_id else signed.invoice_id
            end
            as varchar
        ) as receivable_invoice_id,
        cast(signed.source_order_id as varchar) as source_order_id,
        cast(signed.invoice_date as date) as invoice_date,
        cast({{ dbt.date_trunc('month', 'signed.invoice_date') }} as date) as invoice_month,
        cast(signed.due_date as date) as due_date,
        cast(signed.doc_status_name as varchar) as doc_status,
        cast(signed.is_approved as boolean) as is_approved,
        cast(customer_keys.customer_key as varchar) as customer_key,
        cast(signed.erp_customer_code as varchar) as erp_customer_code,
        cast(customers.region as varchar) as region,
        cast(signed.tax_rate_pct as integer) as tax_rate_pct,
        cast(signed.signed_net_amount as decimal(18, 2)) as net_amount,
        cast(signed.signed_tax_amount as decimal(18, 2)) as tax_amount,
        cast(signed.signed_gross_amount as decimal(18, 2)) as gross_amount,
        cast(signed.signed_cost_amount as decimal(18, 2)) as cost_amount,
        cast(signed.signed_net_amount - signed.signed_cost_amount as decimal(18, 2))
            as gross_margin_amount,
        cast(round(signed.signed_net_amount * signed.tax_rate_pct, 0) / 100 as decimal(18, 2))
            as expected_tax_amount,
        -- compared in fen, exactly: |VAT - rate x net| may reach half a fen per order line,
        -- and a credit note (a share of the invoice) rounds its net and VAT once more
        cast(
            abs(
                signed.signed_tax_amount * 100
                - signed.signed_net_amount * signed.tax_rate_pct
            )
            <= 0.5 * coalesce(order_line_counts.order_line_count, 1)
            + case when signed.is_credit_note then 1 else 0 end
            and signed.signed_gross_amount
            = signed.signed_net_amount + signed.signed_tax_amount
            as boolean
        ) as is_vat_consistent
    from signed
    left join customer_keys
        on signed.erp_customer_code = customer_keys.erp_customer_code
    left join customers
        on signed.erp_customer_code = customers.erp_customer_code
    left join order_line_counts
        on
            signed.source_order_id = order_line_counts.order_id
            and signed.tax_rate_pct = order_line_counts.tax_rate_pct

)

select * from final
