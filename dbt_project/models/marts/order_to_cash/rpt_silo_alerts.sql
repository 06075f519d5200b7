-- The order-to-cash silo alert: deals the two systems do not share. An approved CRM contract
-- with no ERP order after the allowed days (order_to_cash_gap_days), and an ERP order that
-- cites a contract number the CRM has no approved contract for, both as of int_core__as_of_date.
-- An ERP order with no contract number is an ordinary repeat order, not an alert: alerting on
-- those raised 298,100 false alarms at medium scale (none a true sync gap, see
-- bench/bench_silo_alerts.py) and buried the real gaps.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

reconciliation as (

    select * from {{ ref('int_order_to_cash__contract_matches') }}

),

orders as (

    select orders.*
    from {{ ref('int_order_to_cash__orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

),

crm_contract_alerts as (

    select
        'crm_contract:' || cast(contract_id as varchar) as alert_id,
        'crm_contract_without_erp_order' as alert_type,
        'crm' as source_system,
        contract_no as document_no,
        contract_id as crm_contract_id,
        cast(null as varchar) as erp_order_id,
        customer_key,
        signed_date as document_date,
        as_of_date,
        age_days,
        contract_amount_gross as amount_gross,
        -- the net needs the VAT split of the lines, which only an ERP order has
        cast(null as decimal(18, 2)) as amount_net,
        'approved contract with no ERP sales order after ' || cast(gap_days_threshold as varchar)
        || ' days' as alert_detail
    from reconciliation
    where match_status = 'missing_order'

),

erp_order_alerts as (

    select
        'erp_order:' || orders.order_id as alert_id,
        'erp_order_without_crm_contract' as alert_type,
        'erp' as source_system,
        orders.order_id as document_no,
        cast(null as bigint) as crm_contract_id,
        orders.order_id as erp_order_id,
        orders.customer_key,
        orders.order_date as document_date,
        as_of.as_of_date,
        {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} as age_days,  -- noqa: LT05
        orders.gross_amount as amount_gross,
        orders.net_amount as amount_net,
        'contract number ' || orders.crm_contract_no
        || ' is no approved CRM contract' as alert_detail
    from orders
    cross join as_of
    left join reconciliation
        on orders.crm_contract_no = reconciliation.contract_no
    where
        orders.crm_contract_no is not null
        and reconciliation.contract_id is null

),

alerts as (

    select * from crm_contract_alerts
    union all
    select * from erp_order_alerts

),

final as (

    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_type as varchar) as alert_type,
        cast(source_system as varchar) as source_system,
        cast(document_no as varchar) as document_no,
        cast(crm_contract_id as bigint) as crm_contract_id,
        cast(erp_order_id as varchar) as erp_order_id,
        cast(customer_key as varchar) as customer_key,
        cast(document_date as date) as document_date,
        cast(as_of_date as date) as as_of_date,
        cast(age_days as integer) as age_days,
        cast(amount_gross as decimal(18, 2)) as amount_gross,
        cast(amount_net as decimal(18, 2)) as amount_net,
        cast(alert_detail as varchar) as alert_detail
    from alerts

)

select * from final
